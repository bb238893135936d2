import { describe, expect, it } from 'vitest';
import { DataKey } from '@sealflow/core';
import { BucketKeyEntries, type BucketKeyEntry, type BucketKeyRemoval } from '../../src/keys/bucket-key-entries.js';

const entry = (created: number, name = 'k'): BucketKeyEntry => ({
  bucketKey: new DataKey(new Uint8Array(32).fill(7)),
  created,
  names: [name],
});

function entries(
  capacity: number,
  maxAge: number,
): { map: BucketKeyEntries<BucketKeyEntry>; removed: [string, BucketKeyRemoval][] } {
  const removed: [string, BucketKeyRemoval][] = [];
  const map = new BucketKeyEntries<BucketKeyEntry>(capacity, maxAge, (e, reason) => {
    e.bucketKey.destroy();
    removed.push([e.names[0] as string, reason]);
  });
  return { map, removed };
}

describe('BucketKeyEntries', () => {
  it('evicts the least recently used entry over capacity, not the oldest', () => {
    const { map, removed } = entries(2, 1000);
    map.insert('a', entry(0, 'a'), 'age');
    map.insert('b', entry(1, 'b'), 'age');
    expect(map.use('a', 2)?.names).toEqual(['a']);
    map.insert('c', entry(3, 'c'), 'age');
    expect(removed).toEqual([['b', 'capacity']]);
    expect(map.use('b', 4)).toBeUndefined();
    expect(map.size).toBe(2);
  });

  it('treats an entry as expired at exactly maxAge, and when the clock went backwards', () => {
    const { map } = entries(10, 100);
    const e = entry(1000);
    expect(map.expired(e, 1099)).toBe(false);
    expect(map.expired(e, 1100)).toBe(true);
    expect(map.expired(e, 999)).toBe(true);
  });

  it('removes and wipes an expired entry when it is used, reporting the age', () => {
    const { map, removed } = entries(10, 100);
    const e = entry(0, 'a');
    map.insert('a', e, 'age');
    expect(map.use('a', 100)).toBeUndefined();
    expect(removed).toEqual([['a', 'age']]);
    expect(e.bucketKey.destroyed).toBe(true);
  });

  it('sweeps expired entries in creation order even when use order differs', () => {
    const { map, removed } = entries(10, 100);
    map.insert('a', entry(0, 'a'), 'age');
    map.insert('b', entry(50, 'b'), 'age');
    map.insert('c', entry(90, 'c'), 'age');
    map.use('a', 60); // a becomes most recently used, but stays the oldest
    expect(map.oldest).toBe(0);
    expect(map.sweep(149)).toBe(1);
    expect(map.sweep(150)).toBe(1);
    expect(removed).toEqual([
      ['a', 'age'],
      ['b', 'age'],
    ]);
    expect(map.oldest).toBe(90);
  });

  it('replacing a partition wipes the replaced entry with the given reason', () => {
    const { map, removed } = entries(10, 100);
    const first = entry(0, 'first');
    map.insert('p', first, 'age');
    map.insert('p', entry(1, 'second'), 'bytes');
    expect(removed).toEqual([['first', 'bytes']]);
    expect(first.bucketKey.destroyed).toBe(true);
    expect(map.size).toBe(1);
    expect(map.holds('p', first)).toBe(false);
  });

  it('removeAll removes exactly the matching entries and wipes each', () => {
    const { map, removed } = entries(10, 100);
    const kept = entry(0, 'keep');
    map.insert('1', entry(0, 'drop'), 'age');
    map.insert('2', kept, 'age');
    map.insert('3', entry(0, 'drop'), 'age');
    expect(map.removeAll('forget', (e) => e.names.includes('drop'))).toBe(2);
    expect(removed).toEqual([
      ['drop', 'forget'],
      ['drop', 'forget'],
    ]);
    expect(kept.bucketKey.destroyed).toBe(false);
    expect(map.removeAll('close')).toBe(1);
    expect(kept.bucketKey.destroyed).toBe(true);
  });
});
