import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  createEngine,
  ErrorCodes,
  MalformedMessageError,
  SealflowError,
  type Engine,
} from '@sealflow/core';
import {
  caught,
  chunked,
  DECRYPT_APIS,
  decryptVia,
  layoutOf,
  patternBytes,
  rawAesStore,
} from '../../core/test/engine/fixtures.js';
import { InlineRunner, inlineOffload, join, tick } from './support.js';

const FL = 64;
const BATCH = 4 * FL;
const CONTEXT = { purpose: 'decrypt-body' };

function engines(
  runner: InlineRunner,
  suite: 0x0478 | 0x0578 = 0x0478,
  maxInFlightBytes = 2 * BATCH,
): { single: Engine; parallel: Engine } {
  const store = rawAesStore();
  return {
    single: createEngine({ keyStore: store, frameLength: FL, suite }),
    parallel: createEngine({
      keyStore: store,
      frameLength: FL,
      suite,
      offload: inlineOffload(runner, BATCH, maxInFlightBytes),
    }),
  };
}

/** Plaintext released by decryptIterable before it failed (or all of it), and the failure. */
async function released(
  engine: Engine,
  ciphertext: Uint8Array,
  writes: readonly number[],
): Promise<{ plaintext: Uint8Array; error: unknown }> {
  const out: Uint8Array[] = [];
  try {
    for await (const piece of engine.decryptIterable(chunked(ciphertext, writes))) out.push(piece);
  } catch (error) {
    return { plaintext: join(out), error };
  }
  return { plaintext: join(out), error: undefined };
}

describe('offloaded decrypt body', () => {
  it('returns the plaintext of every message, for every API and write size, for both suites', async () => {
    const runner = new InlineRunner();
    runner.auto = true;
    for (const suite of [0x0478, 0x0578] as const) {
      const { single, parallel } = engines(runner, suite);
      for (const size of [0, 1, FL, BATCH - 1, BATCH, BATCH + 1, 3 * BATCH, 5 * BATCH + 17]) {
        const plaintext = patternBytes(size, 3);
        const sealed = await single.encrypt(plaintext, { context: CONTEXT });
        const resealed = await parallel.encrypt(plaintext, { context: CONTEXT });
        for (const api of DECRYPT_APIS) {
          for (const writes of [[97], [1, BATCH + 3, 2], [BATCH + 32]]) {
            const where = `suite ${suite}, ${size} bytes via ${api}, writes ${writes.join('/')}`;
            expect(
              Buffer.from(await decryptVia(api, parallel, sealed, { expectContext: CONTEXT }, writes)),
              where,
            ).toStrictEqual(Buffer.from(plaintext));
            expect(
              Buffer.from(await decryptVia(api, single, resealed, { expectContext: CONTEXT }, writes)),
              where,
            ).toStrictEqual(Buffer.from(plaintext));
          }
        }
      }
    }
    expect(runner.batches).toBeGreaterThan(50);
  });

  it('sends the regular frames held when the final frame begins as one shorter batch; a message under one batch stays here', async () => {
    const runner = new InlineRunner();
    runner.auto = true;
    const { single, parallel } = engines(runner);
    const plaintext = patternBytes(2 * BATCH + 2 * FL + 5);
    const sealed = await single.encrypt(plaintext);
    for (const writes of [[sealed.length], [97], [BATCH + 32]]) {
      runner.frames.length = 0;
      expect(Buffer.from(await decryptVia('decryptIterable', parallel, sealed, {}, writes))).toStrictEqual(
        Buffer.from(plaintext),
      );
      expect(runner.frames, `writes ${writes.join('/')}`).toStrictEqual([4, 4, 2]);
    }
    const small = patternBytes(BATCH - 1);
    runner.frames.length = 0;
    expect(Buffer.from((await parallel.decrypt(await single.encrypt(small))).plaintext)).toStrictEqual(
      Buffer.from(small),
    );
    expect(runner.frames).toStrictEqual([]);
  });

  it('releases plaintext in message order when batches finish in reverse order', async () => {
    const runner = new InlineRunner();
    const { single, parallel } = engines(runner, 0x0478, 100 * BATCH);
    const plaintext = patternBytes(6 * BATCH + 5);
    const sealed = await single.encrypt(plaintext);
    const pending = parallel.decrypt(sealed);
    for (let i = 0; i < 20 && runner.held.length < 6; i++) await tick();
    expect(runner.held).toHaveLength(6);
    runner.finishAll('reverse');
    expect(Buffer.from((await pending).plaintext)).toStrictEqual(Buffer.from(plaintext));
  });

  it('releases exactly the verified frames before a tampered one, nothing from it or after, and fails with ERR_AUTHENTICATION_FAILED', async () => {
    const runner = new InlineRunner();
    runner.auto = true;
    const { single, parallel } = engines(runner);
    const plaintext = patternBytes(9 * FL + 30);
    const sealed = await single.encrypt(plaintext);
    const layout = layoutOf(single, sealed);
    // The first frame, one inside a batch, the first of the second batch, one left for the calling thread, the final frame.
    for (const frame of [0, 2, 4, 8, 9]) {
      const tampered = sealed.slice();
      const at = frame === layout.regular ? layout.finalOffset + 30 : layout.frameOffset(frame) + 20;
      tampered[at] = (tampered[at] as number) ^ 0x40;
      for (const writes of [[sealed.length], [100]]) {
        const result = await released(parallel, tampered, writes);
        expect(result.error, `frame ${frame}`).toBeInstanceOf(AuthenticationError);
        expect((result.error as SealflowError).code).toBe(ErrorCodes.AUTHENTICATION_FAILED);
        expect(Buffer.from(result.plaintext), `frame ${frame}, writes ${writes[0]}`).toStrictEqual(
          Buffer.from(plaintext.subarray(0, frame * FL)),
        );
      }
    }
  });

  it('refuses reordered frames, a missing final frame, trailing bytes and a bad signature with the single-thread codes', async () => {
    const runner = new InlineRunner();
    runner.auto = true;
    const { single, parallel } = engines(runner);
    const sealed = await single.encrypt(patternBytes(9 * FL + 30));
    const layout = layoutOf(single, sealed);
    const swapped = join([
      sealed.subarray(0, layout.frameOffset(1)),
      sealed.subarray(layout.frameOffset(2), layout.frameOffset(3)),
      sealed.subarray(layout.frameOffset(1), layout.frameOffset(2)),
      sealed.subarray(layout.frameOffset(3)),
    ]);
    const cases: [string, Uint8Array, string][] = [
      ['frames 2 and 3 swapped', swapped, ErrorCodes.FRAME_SEQUENCE],
      ['cut after the sixth frame', sealed.subarray(0, layout.frameOffset(6)), ErrorCodes.TRUNCATED],
      ['cut inside the final frame', sealed.subarray(0, sealed.length - 3), ErrorCodes.TRUNCATED],
      ['a byte after the end', join([sealed, Uint8Array.of(0)]), ErrorCodes.TRAILING_BYTES],
    ];
    const signed = engines(runner, 0x0578);
    const signedSealed = await signed.single.encrypt(patternBytes(9 * FL + 30));
    const badSignature = signedSealed.slice();
    badSignature[badSignature.length - 5] = (badSignature[badSignature.length - 5] as number) ^ 1;
    for (const api of DECRYPT_APIS) {
      for (const [what, bytes, code] of cases) {
        const error = await caught(() => decryptVia(api, parallel, bytes));
        expect(error, `${what} via ${api}`).toBeInstanceOf(SealflowError);
        expect((error as SealflowError).code, `${what} via ${api}`).toBe(code);
      }
      const error = await caught(() => decryptVia(api, signed.parallel, badSignature));
      expect((error as SealflowError).code, `bad signature via ${api}`).toBe(ErrorCodes.SIGNATURE_INVALID);
    }
    expect(await caught(() => parallel.decrypt(swapped))).toBeInstanceOf(MalformedMessageError);
  });

  it('bounds ciphertext in flight: bytes handed over never pass the cap', async () => {
    const runner = new InlineRunner();
    const cap = 2 * (BATCH + 4 * 32);
    const { single, parallel } = engines(runner, 0x0478, cap);
    const plaintext = patternBytes(30 * BATCH);
    const sealed = await single.encrypt(plaintext);
    const pending = parallel.decrypt(sealed);
    let result: Awaited<typeof pending> | undefined;
    void pending.then((r) => (result = r));
    while (result === undefined) {
      await tick();
      expect(runner.outstanding).toBeLessThanOrEqual(cap);
      runner.held.shift()?.finish();
    }
    expect(runner.peakOutstanding).toBeLessThanOrEqual(cap);
    expect(runner.peakOutstanding).toBeGreaterThan(0);
    expect(Buffer.from(result.plaintext)).toStrictEqual(Buffer.from(plaintext));
  });

  it('zeroes its copy of the message key once the body ends or fails', async () => {
    const runner = new InlineRunner();
    runner.auto = true;
    const { single, parallel } = engines(runner);
    const sealed = await single.encrypt(patternBytes(5 * BATCH));
    await parallel.decrypt(sealed);
    await caught(() => parallel.decrypt(sealed.subarray(0, sealed.length - 1)));
    expect(runner.keys).toHaveLength(2);
    for (const key of runner.keys) expect(key.every((b) => b === 0)).toBe(true);
  });
});
