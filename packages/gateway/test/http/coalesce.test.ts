import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { coalesce } from '../../src/http/coalesce.js';

async function* chunks(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  yield* parts;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const piece of source) out.push(piece);
  return out;
}

describe('coalesce', () => {
  it('re-cuts small chunks into pieces of the size, the last one shorter, bytes unchanged', async () => {
    const data = new Uint8Array(randomBytes(100_000));
    const parts: Uint8Array[] = [];
    for (let at = 0; at < data.length; at += 16_384) parts.push(data.subarray(at, at + 16_384));
    const out = await collect(coalesce(chunks(...parts), 32_768));
    expect(out.map((p) => p.length)).toEqual([32_768, 32_768, 32_768, 100_000 - 3 * 32_768]);
    expect(Buffer.concat(out).equals(Buffer.from(data))).toBe(true);
  });

  it('passes a large chunk through uncopied when nothing is held', async () => {
    const big = new Uint8Array(70_000);
    const [first] = await collect(coalesce(chunks(big), 65_536));
    expect(first).toBe(big);
  });

  it('hands out pieces it never writes again (a consumer may keep them)', async () => {
    const a = new Uint8Array(6).fill(1);
    const b = new Uint8Array(6).fill(2);
    const out = await collect(coalesce(chunks(a, b), 8));
    expect(out.map((p) => Array.from(p))).toEqual([
      [1, 1, 1, 1, 1, 1, 2, 2],
      [2, 2, 2, 2],
    ]);
    a.fill(9);
    b.fill(9);
    expect(Array.from(out[0] as Uint8Array)).toEqual([1, 1, 1, 1, 1, 1, 2, 2]);
  });

  it('yields nothing for an empty source and ends with a failing one', async () => {
    expect(await collect(coalesce(chunks(), 8))).toEqual([]);
    async function* failing(): AsyncIterable<Uint8Array> {
      yield new Uint8Array(3);
      throw new Error('socket reset');
    }
    await expect(collect(coalesce(failing(), 8))).rejects.toThrow('socket reset');
  });
});
