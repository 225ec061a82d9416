import { describe, expect, it } from 'vitest';
import { RecordBacklog } from './record-backlog.js';

describe('RecordBacklog', () => {
  it('replays in arrival order and stops at the first failure, keeping that item for the next drain', async () => {
    const backlog = new RecordBacklog<number>();
    for (let i = 0; i < 5; i++) backlog.push(i);
    const seen: number[] = [];
    let down = false;
    const record = async (item: number): Promise<void> => {
      if (down) throw new Error('store down');
      seen.push(item);
      if (item === 2) down = true;
    };
    expect(await backlog.drain(record)).toEqual({ recorded: 3, interrupted: true });
    expect(backlog.size).toBe(2);
    down = false;
    expect(await backlog.drain(record)).toEqual({ recorded: 2, interrupted: false });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(backlog.size).toBe(0);
  });

  it('drops the oldest items first when full, counting them', () => {
    let dropped = 0;
    const backlog = new RecordBacklog<number>({ capacity: 3, onDrop: (n) => (dropped += n) });
    for (let i = 0; i < 5; i++) backlog.push(i);
    expect([backlog.size, dropped]).toEqual([3, 2]);
    const left: number[] = [];
    void backlog.drain(async (item) => void left.push(item));
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        expect(left).toEqual([2, 3, 4]);
        resolve();
      }),
    );
  });

  it('runs one drain at a time and replays what arrives during it', async () => {
    const backlog = new RecordBacklog<number>();
    backlog.push(1);
    const seen: number[] = [];
    const first = backlog.drain(async (item) => {
      seen.push(item);
      if (item === 1) backlog.push(2);
    });
    expect(backlog.drain(async () => undefined)).toBe(first);
    expect(await first).toEqual({ recorded: 2, interrupted: false });
    expect(seen).toEqual([1, 2]);
  });
});
