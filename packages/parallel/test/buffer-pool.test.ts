import { describe, expect, it } from 'vitest';
import { BufferPool } from '../src/buffer-pool.js';

describe('BufferPool', () => {
  it('hands back a buffer it was given, for the same size only', () => {
    const pool = new BufferPool(1024);
    const a = new ArrayBuffer(100);
    pool.give(a);
    expect(pool.take(50)).not.toBe(a);
    expect(pool.take(100)).toBe(a);
    expect(pool.take(100)).not.toBe(a);
  });

  it('holds at most its cap and drops detached buffers', () => {
    const pool = new BufferPool(150);
    pool.give(new ArrayBuffer(100));
    pool.give(new ArrayBuffer(100)); // over the cap: dropped
    expect(pool.bytes).toBe(100);
    const detached = new ArrayBuffer(10);
    structuredClone(detached, { transfer: [detached] });
    pool.give(detached);
    expect(pool.bytes).toBe(100);
    pool.clear();
    expect(pool.bytes).toBe(0);
  });
});
