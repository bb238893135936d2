// Inputs that are Buffers, or views into a larger buffer the caller reuses: the engine keeps
// private copies of what must outlive a write (header bytes), never views into the caller's
// memory (Buffer#slice is a view, unlike Uint8Array#slice), with and without a frame pool.
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '@sealflow/core';
import type { FramePool } from '@sealflow/parallel';
import { patternBytes, rawAesStore } from '../../packages/core/test/engine/fixtures.js';
import { expectSameBytes, KiB, pool } from './support/pools.js';

const pools: FramePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

/** Writes `bytes` through `engine.decryptStream()` in `size`-byte pieces of ONE reused Buffer. */
async function decryptThroughReusedBuffer(engine: Engine, bytes: Uint8Array, size: number): Promise<Uint8Array> {
  const out: Uint8Array[] = [];
  const stream = engine.decryptStream();
  const done = new Promise<void>((resolve, reject) => {
    stream
      .pipe(new Writable({ write: (chunk: Uint8Array, _e, cb) => void (out.push(Uint8Array.from(chunk)), cb()) }))
      .on('finish', resolve)
      .on('error', reject);
    stream.on('error', reject);
  });
  const scratch = Buffer.alloc(size);
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, at + size);
    scratch.set(piece);
    // Wait for the write to be processed; then the next piece overwrites the same memory.
    await new Promise<void>((resolve, reject) =>
      stream.write(scratch.subarray(0, piece.length), (error) => (error ? reject(error) : resolve())),
    );
  }
  stream.end();
  await done;
  return Buffer.concat(out);
}

describe('Buffer inputs the caller reuses', () => {
  it('decrypts when every write reuses one Buffer, header bytes included (one thread and a frame pool)', async () => {
    const p = pool({ threads: 2, batchBytes: 16 * KiB, minMessageBytes: 0 });
    pools.push(p);
    const store = rawAesStore();
    const plaintext = patternBytes(200 * KiB + 5);
    const sealed = await createEngine({ keyStore: store, frameLength: 4 * KiB }).encrypt(plaintext, {
      context: { a: 'b' },
    });
    for (const engine of [createEngine({ keyStore: store }), createEngine({ keyStore: store, offload: p })]) {
      for (const size of [7, 100, 5000]) {
        expectSameBytes(await decryptThroughReusedBuffer(engine, sealed, size), plaintext, `writes of ${size}`);
      }
    }
    expect(p.stats().batches).toBeGreaterThan(0);
  });
});
