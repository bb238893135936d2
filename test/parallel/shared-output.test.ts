// One-shot results written in place: for unsigned messages a pool takes, `engine.encrypt`
// and `engine.decrypt` hand back memory the pool allocated, which worker threads fill
// directly (a SharedArrayBuffer), so the calling thread never joins the pieces. The
// bytes stay exactly the single-thread ones; failures leave nothing readable behind.
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import type { FramePool } from '@sealflow/parallel';
import { fixedMaterials, patternBytes, rawAesStore } from '../../packages/core/test/engine/fixtures.js';
import { expectSameBytes, KiB, MiB, MODES, pool } from './support/pools.js';

const pools: FramePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

/** A pool whose allocations are recorded (the real ones, passed through). */
function recordedPool(options: Parameters<typeof pool>[0]): { pool: FramePool; allocated: Uint8Array[] } {
  const p = pool(options);
  pools.push(p);
  const allocated: Uint8Array[] = [];
  const allocate = p.allocate.bind(p);
  p.allocate = (length: number) => {
    const memory = allocate(length);
    if (memory !== undefined) allocated.push(memory);
    return memory;
  };
  return { pool: p, allocated };
}

/** The whole of `bytes`' backing memory is exactly `bytes`. */
function ownsItsMemory(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length;
}

describe('one-shot results in memory the pool provides', () => {
  it('worker threads write encrypt and decrypt results into a SharedArrayBuffer of exactly the result size, byte-identical to one thread', async () => {
    const { pool: p, allocated } = recordedPool({ threads: 2, batchBytes: 64 * KiB, minMessageBytes: 0 });
    const store = rawAesStore();
    const single = createTestEngine({ keyStore: store, frameLength: 4 * KiB });
    const parallel = createTestEngine({ keyStore: store, frameLength: 4 * KiB, offload: p });
    const fixed = await fixedMaterials(store);
    // Around frame and batch boundaries: the last batch and the final frame are sealed on the calling thread and joined in.
    for (const size of [1, 4 * KiB, 64 * KiB, 64 * KiB + 1, 3 * 64 * KiB - 1, MiB + 17]) {
      const plaintext = patternBytes(size, 3);
      const want = await single.encrypt(plaintext, fixed);
      const got = await parallel.encrypt(plaintext, fixed);
      expectSameBytes(got, want, `encrypt ${size}`);
      expect(got.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(ownsItsMemory(got), `encrypt ${size}`).toBe(true);
      expect(allocated.at(-1)).toBe(got);
      const { plaintext: opened } = await parallel.decrypt(want);
      expectSameBytes(opened, plaintext, `decrypt ${size}`);
      expect(opened.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(ownsItsMemory(opened), `decrypt ${size}`).toBe(true);
    }
    expect(p.stats().batches).toBeGreaterThan(10);
  });

  it.each(MODES)('with sharedOutputBytes: 0 (%s), results are ordinary memory with the same bytes', async (mode) => {
    const { pool: p, allocated } = recordedPool({
      mode,
      threads: 2,
      batchBytes: 64 * KiB,
      minMessageBytes: 0,
      sharedOutputBytes: 0,
    });
    const store = rawAesStore();
    const parallel = createTestEngine({ keyStore: store, frameLength: 4 * KiB, offload: p });
    const single = createTestEngine({ keyStore: store, frameLength: 4 * KiB });
    const fixed = await fixedMaterials(store);
    const plaintext = patternBytes(MiB + 5);
    const got = await parallel.encrypt(plaintext, fixed);
    expectSameBytes(got, await single.encrypt(plaintext, fixed));
    expect(got.buffer).toBeInstanceOf(ArrayBuffer);
    const { plaintext: opened } = await parallel.decrypt(got);
    expectSameBytes(opened, plaintext);
    expect(opened.buffer).toBeInstanceOf(ArrayBuffer);
    expect(allocated).toHaveLength(0);
  });

  it('shared results not yet reclaimed stay under sharedOutputBytes: past it, results are ordinary memory with the same bytes', async () => {
    const { pool: p, allocated } = recordedPool({
      threads: 2,
      batchBytes: 64 * KiB,
      minMessageBytes: 0,
      sharedOutputBytes: 3 * MiB,
    });
    const engine = createEngine({ keyStore: rawAesStore(), frameLength: 4 * KiB, offload: p });
    const plaintext = patternBytes(MiB);
    // Held here, so the collector cannot reclaim them: two fit under 3 MiB, the third does not.
    const held = [await engine.encrypt(plaintext), await engine.encrypt(plaintext), await engine.encrypt(plaintext)];
    expect(held.map((r) => r.buffer instanceof SharedArrayBuffer)).toStrictEqual([true, true, false]);
    expect(allocated).toHaveLength(2);
    expect(p.sharedOutputBytes).toBeGreaterThan(2 * MiB);
    for (const ciphertext of held) expectSameBytes((await engine.decrypt(ciphertext)).plaintext.subarray(0), plaintext);
  });

  it('the subtle pool writes results in place in ordinary memory', async () => {
    const { pool: p, allocated } = recordedPool({ mode: 'subtle', batchBytes: 64 * KiB, minMessageBytes: 0 });
    const parallel = createEngine({ keyStore: rawAesStore(), frameLength: 4 * KiB, offload: p });
    const plaintext = patternBytes(MiB + 5);
    const ciphertext = await parallel.encrypt(plaintext);
    expect(allocated.at(-1)).toBe(ciphertext);
    expect(ciphertext.buffer).toBeInstanceOf(ArrayBuffer);
    expectSameBytes((await parallel.decrypt(ciphertext)).plaintext, plaintext);
    expect(allocated).toHaveLength(2);
  });

  it('asks for no memory for signed messages, small messages, streams or a closed pool', async () => {
    const { pool: p, allocated } = recordedPool({ threads: 1, batchBytes: 64 * KiB, minMessageBytes: 256 * KiB });
    const store = rawAesStore();
    const signed = createEngine({ keyStore: store, frameLength: 4 * KiB, suite: 0x0578, offload: p });
    const plain = createEngine({ keyStore: store, frameLength: 4 * KiB, offload: p });
    const big = patternBytes(MiB);
    const signedMessage = await signed.encrypt(big);
    expectSameBytes((await signed.decrypt(signedMessage)).plaintext, big);
    expect(signedMessage.buffer).toBeInstanceOf(ArrayBuffer);
    const small = await plain.encrypt(patternBytes(KiB));
    expect(small.buffer).toBeInstanceOf(ArrayBuffer);
    expect(allocated).toHaveLength(0);
    // The pool is asked, and declines, below its threshold; a closed pool declines everything.
    expect(p.allocate(KiB)).toBeUndefined();
    expect(p.allocate(MiB)).toBeInstanceOf(Uint8Array);
    await p.close();
    expect(p.allocate(MiB)).toBeUndefined();
  });

  it('a late frame failing its tag: decrypt rejects, and the memory the threads wrote verified frames into is zeroed', async () => {
    const { pool: p, allocated } = recordedPool({ threads: 2, batchBytes: 64 * KiB, minMessageBytes: 0 });
    const engine: Engine = createEngine({ keyStore: rawAesStore(), frameLength: 4 * KiB, offload: p });
    const plaintext = patternBytes(MiB, 9).map((b) => b | 1);
    const ciphertext = await engine.encrypt(plaintext);
    const tampered = ciphertext.slice();
    tampered[tampered.length - 3 * 64 * KiB] = (tampered[tampered.length - 3 * 64 * KiB] as number) ^ 1;
    const before = allocated.length;
    await expect(engine.decrypt(tampered)).rejects.toMatchObject({ code: 'ERR_AUTHENTICATION_FAILED' });
    const memory = allocated[before] as Uint8Array;
    expect(memory).toHaveLength(plaintext.length);
    expect(memory.every((b) => b === 0)).toBe(true);
  });

  it('trailing bytes after the final frame: refused as malformed, whether or not some framing fits the length', async () => {
    const { pool: p, allocated } = recordedPool({ threads: 1, batchBytes: 64 * KiB, minMessageBytes: 0 });
    const engine = createEngine({ keyStore: rawAesStore(), frameLength: 4 * KiB, offload: p });
    // 100 KiB: 24 regular frames and a full final frame.
    const ciphertext = await engine.encrypt(patternBytes(100 * KiB));
    const padded = (extra: number): Uint8Array => {
      const bytes = new Uint8Array(ciphertext.length + extra);
      bytes.set(ciphertext);
      return bytes;
    };
    // 10 more bytes: no framing gives this body length, so no memory is asked for.
    let before = allocated.length;
    await expect(engine.decrypt(padded(10))).rejects.toMatchObject({ name: 'MalformedMessageError' });
    expect(allocated).toHaveLength(before);
    // One regular frame's worth more: it looks like 25 frames, memory is given, and the failure zeroes it.
    before = allocated.length;
    await expect(engine.decrypt(padded(4 * KiB + 32))).rejects.toMatchObject({ name: 'MalformedMessageError' });
    expect(allocated).toHaveLength(before + 1);
    expect((allocated[before] as Uint8Array).every((b) => b === 0)).toBe(true);
  });
});
