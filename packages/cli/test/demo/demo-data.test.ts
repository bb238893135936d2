import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { DemoData } from '../../src/demo/demo-data.js';

describe('DemoData', () => {
  it('streams exactly the requested bytes, different per object', async () => {
    const data = new DemoData();
    const a = await buffer(data.object(0, 3 * 1024 * 1024 + 7));
    const b = await buffer(data.object(1, 1000));
    expect(a.length).toBe(3 * 1024 * 1024 + 7);
    expect(b.equals(a.subarray(0, 1000))).toBe(false);
  });

  it('regenerates any slice of an object, at any offset (block-aligned or not)', async () => {
    const data = new DemoData();
    const whole = await buffer(data.object(7, 100_000));
    for (const [start, end] of [
      [0, 1],
      [15, 17],
      [16, 32],
      [12_345, 67_891],
      [99_999, 100_000],
    ] as const) {
      expect(Buffer.from(data.slice(7, start, end)).equals(whole.subarray(start, end))).toBe(true);
    }
  });
});
