import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/**
 * A redis-server of the test's own, on a free loopback port, with `DEBUG` enabled (the shared server on 6379
 * refuses `DEBUG SLEEP`): for chaos tests that stall, stop and restart the store. Only this process is ever
 * stopped (by the child's pid), never a server someone else started.
 */
export class OwnRedis {
  readonly port: number;
  private readonly persistDir: string | undefined;
  private child: ChildProcess | undefined;

  private constructor(port: number, persistDir: string | undefined) {
    this.port = port;
    this.persistDir = persistDir;
  }

  /**
   * Starts a server on a free port and waits until it answers. With `persistDir`, every write is appended and
   * fsynced to an append-only file there (`appendfsync always`), so a killed server restarts with all its data;
   * without, it restarts empty.
   */
  static async start(options: { readonly persistDir?: string } = {}): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort(), options.persistDir);
    await redis.restart();
    return redis;
  }

  /** The `redis://` URL of the server. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server again on the same port (with its data when persisted) and waits until it answers. */
  async restart(): Promise<void> {
    if (this.child !== undefined) return;
    const persistence = this.persistDir === undefined ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.persistDir];
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--enable-debug-command', 'yes'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      if (await this.answers()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  /** Stops the server (SIGKILL of the child: like a crash) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** `DEBUG SLEEP seconds` from a connection of its own: the server answers nobody meanwhile. Resolves at once. */
  async stall(seconds: number): Promise<void> {
    const admin = new Redis(this.url, { maxRetriesPerRequest: 0 });
    const sleeping = admin.call('DEBUG', 'SLEEP', String(seconds)).finally(() => admin.disconnect());
    // Let the command reach the server before returning.
    await new Promise((resolve) => setTimeout(resolve, 20));
    void sleeping.catch(() => undefined);
  }

  private async answers(): Promise<boolean> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
