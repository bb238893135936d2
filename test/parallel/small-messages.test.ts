// Small messages stay on the calling thread: a known length under minMessageBytes, or a
// stream too short to fill a batch, never costs a thread hop.
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '@sealflow/core';
import type { FramePool } from '@sealflow/parallel';
import { collect, encryptVia, patternBytes, rawAesStore } from '../../packages/core/test/engine/fixtures.js';
import { expectSameBytes, KiB, MiB, pool } from './support/pools.js';

const pools: FramePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('small messages', () => {
  it('one-shot messages under minMessageBytes are sealed and opened on the calling thread; larger ones are not', async () => {
    const p = pool({ threads: 1, minMessageBytes: 2 * MiB });
    pools.push(p);
    const engine = createEngine({ keyStore: rawAesStore(), offload: p });
    for (const size of [0, KiB, MiB]) {
      const plaintext = patternBytes(size);
      expectSameBytes((await engine.decrypt(await engine.encrypt(plaintext))).plaintext, plaintext);
    }
    expect(p.stats().batches).toBe(0);
    expect(p.stats().declined).toBe(6);
    await engine.decrypt(await engine.encrypt(patternBytes(2 * MiB + 1)));
    expect(p.stats().batches).toBeGreaterThan(0);
    expect(p.stats().messages).toStrictEqual({ encrypt: 1, decrypt: 1 });
  });

  it('streams of unknown length shorter than one batch never reach a worker', async () => {
    const p = pool({ threads: 1, batchBytes: MiB, minMessageBytes: 0 });
    pools.push(p);
    const engine = createEngine({ keyStore: rawAesStore(), offload: p });
    const plaintext = patternBytes(MiB - 1);
    const sealed = await encryptVia('encryptStream', engine, plaintext, {}, [100 * KiB]);
    expectSameBytes(await collect(engine.decryptIterable([sealed])), plaintext);
    expect(p.stats().batches).toBe(0);
    expect(p.stats().messages.encrypt).toBe(1);
  });
});
