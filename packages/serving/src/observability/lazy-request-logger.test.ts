import { describe, expect, it } from 'vitest';
import type { FastifyBaseLogger } from 'fastify';
import { LazyRequestLogger } from './lazy-request-logger.js';
import { createServiceLogger } from './logger.js';

/** The service logger writing into `lines`, counting the children made of it. */
function counted() {
  const lines: string[] = [];
  const logger = createServiceLogger('info', { write: (line: string) => void lines.push(line) });
  const child = logger.child.bind(logger);
  const made = { children: 0 };
  logger.child = ((...args: Parameters<typeof child>) => {
    made.children++;
    return child(...args);
  }) as typeof logger.child;
  return { lines, made, parent: logger as unknown as FastifyBaseLogger };
}

describe('LazyRequestLogger', () => {
  it('makes no pino child while the request logs nothing', () => {
    const { made, parent, lines } = counted();
    const lazy = new LazyRequestLogger(parent, { reqId: 'req-1' }, {});
    expect(lazy.level).toBe('info');
    expect(made.children).toBe(0);
    expect(lines).toEqual([]);
  });

  it('logs through one child with the request bindings and redaction, made on first use', () => {
    const { made, parent, lines } = counted();
    const lazy = new LazyRequestLogger(parent, { reqId: 'req-7' }, {});
    lazy.error({ url: '/v1/score', token: 'secret' }, 'request failed');
    lazy.warn('again');
    lazy.debug('not at info');
    expect(made.children).toBe(1);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: 50, reqId: 'req-7', service: 'mlsd-serving', url: '/v1/score', token: '[redacted]', msg: 'request failed' }),
      expect.objectContaining({ level: 40, reqId: 'req-7', msg: 'again' }),
    ]);
  });

  it('passes a route log level on to the child', () => {
    const { parent, lines } = counted();
    const lazy = new LazyRequestLogger(parent, { reqId: 'req-2' }, { level: 'debug' });
    expect(lazy.level).toBe('debug');
    lazy.debug('shown');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 20, reqId: 'req-2', msg: 'shown' });
  });
});
