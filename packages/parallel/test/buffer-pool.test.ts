import { describe, expect, it } from 'vitest';
import { BufferPool, capacityFor } from '../src/buffer-pool.js';

const MiB = 1024 * 1024;

describe('BufferPool', () => {
  it('rounds sizes up to classes of an eighth of the next power of two, at least 4 KiB', () => {
    expect([1, 4096, 4097, 5000, MiB, MiB + 1, 4 * MiB + 2048, 5 * MiB].map(capacityFor)).toStrictEqual([
      4096,
      4096,
      5120,
      5120,
      MiB,
      MiB + MiB / 4,
      5 * MiB,
      5 * MiB,
    ]);
    for (let size = 1; size < 3 * MiB; size = Math.ceil(size * 1.37)) {
      const capacity = capacityFor(size);
      expect(capacity).toBeGreaterThanOrEqual(size);
      expect(capacity).toBeLessThanOrEqual(Math.max(4096, size * 1.25));
      expect(capacityFor(capacity)).toBe(capacity);
    }
  });

  it('hands back a buffer it was given, for any size of the same class only', () => {
    const pool = new BufferPool(64 * MiB);
    const a = new ArrayBuffer(5 * MiB);
    pool.give(a);
    expect(pool.take(3 * MiB)).not.toBe(a);
    expect(pool.take(4 * MiB + 2048)).toBe(a);
    expect(pool.take(5 * MiB)).not.toBe(a);
    expect(pool.take(100).byteLength).toBe(4096);
  });

  it('when full, makes room for a buffer by dropping buffers of other sizes, never of its own', () => {
    const pool = new BufferPool(3 * MiB);
    const small = [new ArrayBuffer(MiB), new ArrayBuffer(MiB)];
    for (const b of small) pool.give(b);
    const big = new ArrayBuffer(2 * MiB);
    pool.give(big);
    expect(pool.bytes).toBe(3 * MiB); // one 1 MiB buffer made room
    expect(pool.take(2 * MiB)).toBe(big);
    const same = new ArrayBuffer(MiB);
    pool.give(new ArrayBuffer(2 * MiB));
    pool.give(same); // full of its own size and another: the 2 MiB one goes
    expect(pool.bytes).toBe(2 * MiB);
    expect(pool.take(2 * MiB).byteLength).toBe(2 * MiB);
    expect(pool.bytes).toBe(2 * MiB); // the take above allocated: no 2 MiB buffer was left
  });

  it('holds at most its cap and drops detached and odd-sized buffers', () => {
    const pool = new BufferPool(6000);
    pool.give(new ArrayBuffer(4096));
    pool.give(new ArrayBuffer(4096)); // over the cap: dropped
    expect(pool.bytes).toBe(4096);
    pool.give(new ArrayBuffer(100)); // not a class size
    expect(pool.bytes).toBe(4096);
    const detached = new ArrayBuffer(10);
    structuredClone(detached, { transfer: [detached] });
    pool.give(detached);
    expect(pool.bytes).toBe(4096);
    pool.clear();
    expect(pool.bytes).toBe(0);
  });
});
