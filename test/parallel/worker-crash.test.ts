// A worker thread that dies mid-message (here: exits on the batch that starts at frame 33)
// fails the stream with WorkerError ERR_WORKER_FAILED; everything that finished before the
// lost batch is still delivered, in order, and nothing after it ever is.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes, WorkerError } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import type { FramePool } from '@sealflow/parallel';
import {
  caught,
  chunked,
  collect,
  fixedMaterials,
  patternBytes,
  rawAesStore,
} from '../../packages/core/test/engine/fixtures.js';
import { CRASHING_WORKER, expectSameBytes, KiB, MiB, pool } from './support/pools.js';

const FL = 64 * KiB;
const FRAME_BYTES = FL + 32;
const pools: FramePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

function crashingPool(): FramePool {
  // 16 frames a batch: batches start at frames 1, 17, 33 (the one that crashes), 49, ...
  const p = pool(
    { threads: 2, batchBytes: 16 * FL, maxInFlightBytes: 3 * 16 * FL, minMessageBytes: 0 },
    CRASHING_WORKER,
  );
  pools.push(p);
  return p;
}

async function collectUntilError(source: AsyncIterable<Uint8Array>): Promise<{ out: Uint8Array; error: unknown }> {
  const parts: Uint8Array[] = [];
  try {
    for await (const piece of source) parts.push(piece);
  } catch (error) {
    return { out: Buffer.concat(parts), error };
  }
  return { out: Buffer.concat(parts), error: undefined };
}

describe('a worker thread dies mid-message', () => {
  it('encrypt: delivers the header and frames 1-32 exactly, then fails with ERR_WORKER_FAILED naming the lost frames', async () => {
    const p = crashingPool();
    const store = rawAesStore();
    const fixed = await fixedMaterials(store);
    const plaintext = patternBytes(16 * MiB);
    const expected = await collect(
      createTestEngine({ keyStore: store }).encryptIterable(chunked(plaintext, [256 * KiB]), fixed),
    );
    const headerLength = createEngine({ keyStore: store }).inspect(expected).headerLength;
    const parallel = createTestEngine({ keyStore: store, offload: p });
    const { out, error } = await collectUntilError(parallel.encryptIterable(chunked(plaintext, [256 * KiB]), fixed));
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as WorkerError).code).toBe(ErrorCodes.WORKER_FAILED);
    expect((error as WorkerError).message).toMatch(/worker thread failed while sealing frames 33-48/);
    expect(out.length).toBe(headerLength + 32 * FRAME_BYTES);
    expectSameBytes(out, expected.subarray(0, out.length), 'output before the crash');
    expect(p.stats().workerFailures).toBeGreaterThanOrEqual(1);
  });

  it('decrypt: releases the verified plaintext of frames 1-32 exactly, then fails with ERR_WORKER_FAILED', async () => {
    const p = crashingPool();
    const store = rawAesStore();
    const plaintext = patternBytes(16 * MiB, 9);
    const sealed = await createEngine({ keyStore: store }).encrypt(plaintext);
    const parallel = createTestEngine({ keyStore: store, offload: p });
    const { out, error } = await collectUntilError(parallel.decryptIterable(chunked(sealed, [256 * KiB])));
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as WorkerError).code).toBe(ErrorCodes.WORKER_FAILED);
    expectSameBytes(out, plaintext.subarray(0, 32 * FL), 'plaintext before the crash');
  });

  it('a Node stream pipeline rejects with the WorkerError, and what reached the sink is a prefix of the message', async () => {
    const p = crashingPool();
    const store = rawAesStore();
    const fixed = await fixedMaterials(store);
    const plaintext = patternBytes(16 * MiB, 1);
    const expected = await collect(
      createTestEngine({ keyStore: store }).encryptIterable(chunked(plaintext, [64 * KiB]), fixed),
    );
    const parallel = createTestEngine({ keyStore: store, offload: p });
    const received: Uint8Array[] = [];
    const sink = new Writable({
      write(chunk: Uint8Array, _encoding, callback) {
        received.push(chunk);
        callback();
      },
    });
    const error = await caught(() =>
      pipeline(Readable.from(chunked(plaintext, [64 * KiB])), parallel.encryptStream(fixed), sink),
    );
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as WorkerError).code).toBe(ErrorCodes.WORKER_FAILED);
    const got = Buffer.concat(received);
    expect(got.length).toBeLessThanOrEqual(expected.length);
    expectSameBytes(got, expected.subarray(0, got.length), 'what reached the sink');
  });

  it('the pool replaces the dead thread: later messages still work, and close() ends cleanly', async () => {
    const p = crashingPool();
    const store = rawAesStore();
    const parallel = createEngine({ keyStore: store, offload: p });
    await caught(() => parallel.encrypt(patternBytes(4 * MiB)));
    const plaintext = patternBytes(2 * MiB - 5, 4); // two batches: never reaches frame 33
    const sealed = await parallel.encrypt(plaintext);
    expectSameBytes((await parallel.decrypt(sealed)).plaintext, plaintext, 'after the crash');
    await p.close();
  });
});
