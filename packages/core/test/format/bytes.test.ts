import { describe, expect, it } from 'vitest';
import { concatBytes, joinInto } from '@sealflow/core/frames';

describe('joinInto', () => {
  it('copies only the parts that are not already views of the output at their place', () => {
    const output = new Uint8Array(10);
    output.set([5, 6, 7], 3);
    const inPlace = output.subarray(3, 6);
    // Which parts are copied shows in the calls to `set` (offsets).
    const calls: number[] = [];
    const original = output.set.bind(output);
    output.set = ((source: ArrayLike<number>, offset?: number) => {
      calls.push(offset ?? 0);
      original(source, offset);
    }) as typeof output.set;
    const joined = joinInto(output, [Uint8Array.of(1, 2, 3), inPlace, Uint8Array.of(8, 9, 10, 11)]);
    expect(joined).toBe(output);
    expect([...joined]).toStrictEqual([1, 2, 3, 5, 6, 7, 8, 9, 10, 11]);
    expect(calls).toStrictEqual([0, 6]);
  });

  it('copies a view of the output that sits at another place (overlapping moves included)', () => {
    const output = Uint8Array.of(1, 2, 3, 4, 5, 6);
    const joined = joinInto(output, [output.subarray(2, 6), Uint8Array.of(9, 9)]);
    expect([...joined]).toStrictEqual([3, 4, 5, 6, 9, 9]);
  });

  it('falls back to a fresh concatenation, leaving the output alone, when the parts do not fill it exactly', () => {
    const output = new Uint8Array(4).fill(7);
    const short = joinInto(output, [Uint8Array.of(1, 2, 3)]);
    expect(short).not.toBe(output);
    expect([...short]).toStrictEqual([1, 2, 3]);
    const long = joinInto(output, [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)]);
    expect([...long]).toStrictEqual([...concatBytes([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)])]);
    expect([...output]).toStrictEqual([7, 7, 7, 7]);
  });
});
