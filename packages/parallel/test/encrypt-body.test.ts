import { describe, expect, it } from 'vitest';
import { ErrorCodes, nodeBackend, WorkerError, type EncryptOptions, type OffloadEncryptInit } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import { FrameEncryptor, getSuite, type AlgorithmSuite } from '@sealflow/core/frames';
import {
  caught,
  ENCRYPT_APIS,
  encryptVia,
  fixedMaterials,
  patternBytes,
  rawAesStore,
} from '../../core/test/engine/fixtures.js';
import { BufferPool } from '../src/buffer-pool.js';
import { OffloadedEncryptBody } from '../src/encrypt-body.js';
import { InlineRunner, inlineOffload, join, tick } from './support.js';

const FL = 64;
const BATCH = 4 * FL;
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 11);
const MESSAGE_ID = Uint8Array.from({ length: 32 }, (_, i) => 99 - i);
const HEADER = [Uint8Array.of(1, 2, 3)];
const HEADER_BYTES = 3;

function init(plaintextLength: number | undefined): OffloadEncryptInit {
  return {
    backend: nodeBackend,
    key: nodeBackend.importKey(KEY),
    keyBytes: KEY.slice(),
    suite: getSuite(0x0478) as AlgorithmSuite,
    messageId: MESSAGE_ID,
    frameLength: FL,
    header: HEADER,
    signer: undefined,
    plaintextLength,
  };
}

/** The single-thread bytes for the same key, message ID and header. */
function expected(plaintext: Uint8Array, plaintextLength: number | undefined): Uint8Array {
  const e = new FrameEncryptor({
    backend: nodeBackend,
    key: nodeBackend.importKey(KEY),
    messageId: MESSAGE_ID,
    frameLength: FL,
    header: HEADER,
    signer: undefined,
    plaintextLength,
  });
  return join([...e.push(plaintext), ...e.end()]);
}

function body(
  runner: InlineRunner,
  plaintextLength: number | undefined,
  maxInFlightBytes = 3 * BATCH,
): { body: OffloadedEncryptBody; init: OffloadEncryptInit } {
  const i = init(plaintextLength);
  return {
    body: new OffloadedEncryptBody(i, {
      runner,
      buffers: new BufferPool(1 << 20),
      batchBytes: BATCH,
      maxInFlightBytes,
    }),
    init: i,
  };
}

describe('offloaded encrypt body', () => {
  it('writes the bytes of the single-thread engine for sizes around frame and batch boundaries, every API and write size', async () => {
    const store = rawAesStore();
    const single = createTestEngine({ keyStore: store, frameLength: FL });
    const runner = new InlineRunner();
    runner.auto = true;
    const parallel = createTestEngine({
      keyStore: store,
      frameLength: FL,
      offload: inlineOffload(runner, BATCH, 2 * BATCH),
    });
    const fixed = await fixedMaterials(store, { a: 'b' });
    const sizes = [0, 1, FL - 1, FL, FL + 1, BATCH - 1, BATCH, BATCH + 1, 2 * BATCH, 3 * BATCH + 10, 7 * BATCH + FL];
    for (const size of sizes) {
      const plaintext = patternBytes(size, size);
      for (const api of ENCRYPT_APIS) {
        for (const writes of [[97], [1, BATCH, 3], [BATCH]]) {
          for (const declared of api === 'encrypt' ? [false] : [false, true]) {
            const options: EncryptOptions = {
              ...fixed,
              context: { a: 'b' },
              ...(declared ? { plaintextLength: size } : {}),
            };
            const want = await encryptVia(api, single, plaintext, options, writes);
            const got = await encryptVia(api, parallel, plaintext, options, writes);
            expect(
              Buffer.from(got),
              `${size} bytes via ${api}, writes ${writes.join('/')}, declared ${declared}`,
            ).toStrictEqual(Buffer.from(want));
          }
        }
      }
    }
    expect(runner.batches).toBeGreaterThan(100); // the pool really sealed most of it
  });

  it('releases frames in message order when batches finish in reverse order', async () => {
    const runner = new InlineRunner();
    const { body: b } = body(runner, undefined, 100 * BATCH);
    const plaintext = patternBytes(5 * BATCH + 7);
    const out = [...(await b.push(plaintext))];
    expect(runner.held).toHaveLength(5);
    // Finish the last batch first, and look for output after each one.
    for (const held of runner.held.splice(0).reverse()) {
      held.finish();
      await tick();
      out.push(...(await b.push(new Uint8Array(0))));
    }
    out.push(...(await b.end()));
    expect(Buffer.from(join(out))).toStrictEqual(Buffer.from(expected(plaintext, undefined)));
  });

  it('applies backpressure: push waits while the in-flight cap is reached, and bytes in flight never pass it', async () => {
    const runner = new InlineRunner();
    const cap = 3 * BATCH;
    const { body: b } = body(runner, undefined, cap);
    const plaintext = patternBytes(20 * BATCH);
    const pushed = b.push(plaintext);
    expect(pushed).toBeInstanceOf(Promise);
    let done = false;
    void Promise.resolve(pushed).then(() => (done = true));
    await tick();
    expect(runner.held).toHaveLength(3);
    expect(done).toBe(false);
    while (!done) {
      runner.held.shift()?.finish();
      await tick();
      expect(runner.outstanding).toBeLessThanOrEqual(cap);
    }
    expect(runner.peakOutstanding).toBeLessThanOrEqual(cap);
    const out = [...(await pushed)];
    const ending = b.end();
    runner.finishAll('forward');
    out.push(...(await ending));
    expect(Buffer.from(join(out))).toStrictEqual(Buffer.from(expected(plaintext, undefined)));
  });

  it('at the end, sends the regular frames still held as one shorter batch and seals only the final frame here', async () => {
    for (const [size, known, lastBatchFrames] of [
      [2 * BATCH, true, 3], // the last block fills the batch: 3 regular frames go, the full final frame stays
      [2 * BATCH + 10, true, 4], // both full batches go as usual; the 10 bytes left make the final frame
      [BATCH + 2 * FL, false, 2], // unknown length on a frame boundary: both frames are regular, the final frame is empty
      [BATCH + 2 * FL + 1, undefined, 2],
    ] as const) {
      const runner = new InlineRunner();
      runner.auto = true;
      const plaintext = patternBytes(size);
      const { body: b } = body(runner, known === true ? size : undefined);
      const out = [...(await b.push(plaintext)), ...(await b.end())];
      expect(runner.frames.at(-1), `${size} bytes`).toBe(lastBatchFrames);
      expect(Buffer.from(join(out)), `${size} bytes`).toStrictEqual(
        Buffer.from(expected(plaintext, known === true ? size : undefined)),
      );
    }
  });

  it('cuts a message of known size into at least minBatches batches, smaller than batchBytes when needed', async () => {
    for (const [size, known, want] of [
      [2 * BATCH, true, [2, 2, 2, 1]], // 8 frames over 4 batches of 2; the last holds the final frame, so 1 goes
      [8 * BATCH, true, [4, 4, 4, 4, 4, 4, 4, 3]], // batchBytes is already small enough
      [2 * BATCH, false, [4, 4]], // unknown length: batchBytes as set
    ] as const) {
      const runner = new InlineRunner();
      runner.auto = true;
      const plaintext = patternBytes(size);
      const b = new OffloadedEncryptBody(init(known ? size : undefined), {
        runner,
        buffers: new BufferPool(1 << 20),
        batchBytes: BATCH,
        maxInFlightBytes: 100 * BATCH,
        minBatches: 4,
      });
      const out = [...(await b.push(plaintext)), ...(await b.end())];
      expect(runner.frames, `${size} bytes, ${known ? 'known' : 'unknown'} length`).toStrictEqual(want);
      expect(Buffer.from(join(out))).toStrictEqual(Buffer.from(expected(plaintext, known ? size : undefined)));
    }
  });

  it('a message that never filled a batch is sealed here whole, even with whole frames held at the end', async () => {
    const runner = new InlineRunner();
    runner.auto = true;
    const plaintext = patternBytes(BATCH - 1);
    const { body: b } = body(runner, undefined);
    const out = [...(await b.push(plaintext)), ...(await b.end())];
    expect(runner.batches).toBe(0);
    expect(Buffer.from(join(out))).toStrictEqual(Buffer.from(expected(plaintext, undefined)));
  });

  it('a batch lost with its worker: the frames before it are still delivered, then the body fails with ERR_WORKER_FAILED', async () => {
    const runner = new InlineRunner();
    const { body: b } = body(runner, undefined, 100 * BATCH);
    const first = await b.push(patternBytes(3 * BATCH));
    expect(first).toStrictEqual(HEADER);
    runner.held[0]?.finish();
    runner.held[1]?.crash();
    runner.held[2]?.finish();
    await tick();
    const delivered = await b.push(patternBytes(1));
    // Batch 1 (4 whole frames, as one piece) comes out; batch 3 finished but may not pass the lost batch 2.
    expect(delivered).toHaveLength(1);
    const reference = expected(patternBytes(3 * BATCH), undefined);
    expect(Buffer.from(join(delivered))).toStrictEqual(
      Buffer.from(reference.subarray(HEADER_BYTES, HEADER_BYTES + 4 * (FL + 32))),
    );
    const error = await caught(() => b.push(patternBytes(1)));
    expect(error).toBeInstanceOf(WorkerError);
    expect((error as WorkerError).code).toBe(ErrorCodes.WORKER_FAILED);
    expect(await caught(() => b.end())).toBe(error);
  });

  it('zeroes its copy of the message key when it ends and when it is aborted', async () => {
    const runner = new InlineRunner();
    runner.auto = true;
    const ended = body(runner, undefined);
    await ended.body.push(patternBytes(3 * BATCH));
    await ended.body.end();
    expect(ended.init.keyBytes.every((b) => b === 0)).toBe(true);
    const aborted = body(new InlineRunner(), undefined);
    await Promise.race([aborted.body.push(patternBytes(10 * BATCH)), tick()]);
    aborted.body.abort();
    expect(aborted.init.keyBytes.every((b) => b === 0)).toBe(true);
    expect((await caught(() => aborted.body.end())) as WorkerError).toBeInstanceOf(WorkerError);
  });

  it('refuses more or fewer bytes than a declared plaintextLength, as the single-thread path does', async () => {
    const runner = new InlineRunner();
    runner.auto = true;
    const longer = body(runner, 10).body;
    expect(((await caught(() => longer.push(patternBytes(11)))) as Error).message).toMatch(
      /longer than the declared plaintextLength 10/,
    );
    const shorter = body(runner, 10).body;
    await shorter.push(patternBytes(4));
    expect(((await caught(() => shorter.end())) as Error).message).toMatch(
      /plaintext is 4 bytes, not the declared plaintextLength 10/,
    );
  });
});
