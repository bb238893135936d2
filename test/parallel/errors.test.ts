// Errors cross threads as plain records and come back as the SealflowError subclasses the
// single-thread engine throws, with the same codes and the same generic wording.
import { afterAll, describe, expect, it } from 'vitest';
import { AuthenticationError, createEngine, ErrorCodes, MalformedMessageError, SealflowError } from '@sealflow/core';
import type { FramePool } from '@sealflow/parallel';
import { caught, layoutOf, patternBytes, rawAesStore } from '../../packages/core/test/engine/fixtures.js';
import { KiB, MODES, pool } from './support/pools.js';

const FL = 4 * KiB;
const pools: FramePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe.each(MODES)('errors from %s', (mode) => {
  async function setup(): Promise<{
    sealed: Uint8Array;
    decrypt: (bytes: Uint8Array) => Promise<unknown>;
    single: (bytes: Uint8Array) => Promise<unknown>;
    layout: ReturnType<typeof layoutOf>;
  }> {
    const p = pool({ mode, threads: 2, batchBytes: 4 * FL, minMessageBytes: 0 });
    pools.push(p);
    const store = rawAesStore();
    const single = createEngine({ keyStore: store, frameLength: FL });
    const parallel = createEngine({ keyStore: store, frameLength: FL, offload: p });
    const sealed = await single.encrypt(patternBytes(40 * FL + 9));
    return {
      sealed,
      layout: layoutOf(single, sealed),
      decrypt: (bytes) => caught(() => parallel.decrypt(bytes)),
      single: (bytes) => caught(() => single.decrypt(bytes)),
    };
  }

  it('a tag that fails off-thread is an AuthenticationError, same class, code and message as on one thread', async () => {
    const { sealed, layout, decrypt, single } = await setup();
    const tampered = sealed.slice();
    tampered[layout.frameOffset(6) + 100] = (tampered[layout.frameOffset(6) + 100] as number) ^ 0x80;
    const error = await decrypt(tampered);
    const reference = (await single(tampered)) as SealflowError;
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toBeInstanceOf(SealflowError);
    expect((error as SealflowError).code).toBe(ErrorCodes.AUTHENTICATION_FAILED);
    expect((error as SealflowError).message).toBe(reference.message);
    expect((error as SealflowError).name).toBe('AuthenticationError');
  });

  it('frames out of order are a MalformedMessageError ERR_FRAME_SEQUENCE', async () => {
    const { sealed, layout, decrypt } = await setup();
    const a = layout.frameOffset(9);
    const b = layout.frameOffset(10);
    const c = layout.frameOffset(11);
    const swapped = Buffer.concat([
      sealed.subarray(0, a),
      sealed.subarray(b, c),
      sealed.subarray(a, b),
      sealed.subarray(c),
    ]);
    const error = await decrypt(swapped);
    expect(error).toBeInstanceOf(MalformedMessageError);
    expect((error as SealflowError).code).toBe(ErrorCodes.FRAME_SEQUENCE);
  });
});
