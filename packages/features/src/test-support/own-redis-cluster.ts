import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/**
 * A Redis Cluster of the test's own: three masters on free loopback ports (no replicas, no persistence), each in a
 * temporary directory of its own, joined with `redis-cli --cluster create`. Only these processes are ever stopped
 * (by the child's pid). A stopped master restarts on its port with its cluster config, so it rejoins (empty).
 */
export class OwnRedisCluster {
  readonly ports: readonly number[];
  private readonly dirs: string[];
  private readonly children: (ChildProcess | undefined)[];

  private constructor(ports: number[]) {
    this.ports = ports;
    this.dirs = ports.map(() => mkdtempSync(join(tmpdir(), 'mlsd-cluster-')));
    this.children = ports.map(() => undefined);
  }

  /** Starts three masters, creates the cluster and waits for `cluster_state:ok` on every node. */
  static async start(): Promise<OwnRedisCluster> {
    const ports: number[] = [];
    while (ports.length < 3) {
      const port = await freePort();
      // The cluster bus listens on port + 10000: keep both free and distinct.
      if (port < 55_535 && !ports.includes(port)) ports.push(port);
    }
    const cluster = new OwnRedisCluster(ports);
    for (let i = 0; i < ports.length; i++) await cluster.startNode(i);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (created.status !== 0) {
      await cluster.stop();
      throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    }
    await cluster.waitUntilOk();
    return cluster;
  }

  /** Seed nodes as `host:port` strings. */
  get nodes(): string[] {
    return this.ports.map((port) => `127.0.0.1:${port}`);
  }

  /** The `redis-cluster://` store URL of the cluster (every node). */
  get url(): string {
    return `redis-cluster://${this.nodes.join(',')}`;
  }

  /** Stops master `i` (SIGKILL: like a crash) and waits until it is gone. */
  async stopNode(i: number): Promise<void> {
    const child = this.children[i];
    if (child === undefined) return;
    this.children[i] = undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts master `i` again (empty, same node id from its config file) and waits until the cluster is ok. */
  async restartNode(i: number): Promise<void> {
    await this.startNode(i);
    await this.waitUntilOk();
  }

  /** Stops every master and removes their directories. */
  async stop(): Promise<void> {
    for (let i = 0; i < this.ports.length; i++) await this.stopNode(i);
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }

  private async startNode(i: number): Promise<void> {
    const port = this.ports[i]!;
    this.children[i] = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(this.dirs[i]!, 'nodes.conf'),
        '--dir',
        this.dirs[i]!,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--cluster-node-timeout',
        '2000',
      ],
      { stdio: 'ignore' },
    );
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await info(port, 'PING')) === 'PONG') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server (cluster node) on port ${port} did not start`);
  }

  private async waitUntilOk(): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt++) {
      const states = await Promise.all(this.ports.map((port) => info(port, 'CLUSTER', 'INFO')));
      if (states.every((state) => state?.includes('cluster_state:ok'))) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the Redis Cluster on ports ${this.ports.join(', ')} did not reach cluster_state:ok in 30 s`);
  }
}

async function info(port: number, ...command: string[]): Promise<string | undefined> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return String(await client.call(command[0]!, ...command.slice(1)));
  } catch {
    return undefined;
  } finally {
    client.disconnect();
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
