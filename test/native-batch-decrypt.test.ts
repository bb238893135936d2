// Decrypt with the native backend opens runs of whole regular frames in one native call
// (`openRegularFrames`) on every decrypt API, with the same plaintext as node:crypto; a tag
// failure zeroes every byte the batch wrote before the error, no plaintext of a failing
// batch is released, and a signed message's final frame waits for the signature.
import { describe, expect, it } from 'vitest';
import { ErrorCodes, SealflowError, type CipherBackend, type Engine } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import { nativeBackend } from '@sealflow/native';
import {
  DECRYPT_APIS,
  chunked,
  decryptVia,
  fixedMaterials,
  layoutOf,
  patternBytes,
  rawAesStore,
} from '../packages/core/test/engine/fixtures.js';

type OpenBatch = NonNullable<CipherBackend['openRegularFrames']>;

/** The native backend, counting its batch opens and keeping every output it was handed. */
function countingBackend(): { backend: CipherBackend; calls: number; frames: number; outputs: Uint8Array[] } {
  const native = nativeBackend as CipherBackend;
  const open = native.openRegularFrames as OpenBatch;
  const state = {
    calls: 0,
    frames: 0,
    outputs: [] as Uint8Array[],
    backend: undefined as unknown as CipherBackend,
  };
  state.backend = {
    ...native,
    openRegularFrames(key, messageId, frameLength, first, input, output) {
      state.calls++;
      state.frames += input.length / (frameLength + 32);
      state.outputs.push(output);
      return open.call(native, key, messageId, frameLength, first, input, output);
    },
  };
  return state;
}

/** XORs one byte of `bytes` with `mask`. */
function flip(bytes: Uint8Array, at: number, mask: number): void {
  bytes[at] = (bytes[at] ?? 0) ^ mask;
}

/** Plaintext a stream released before it failed, and the failure's code. */
async function streamUntilFailure(engine: Engine, chunks: Uint8Array[]): Promise<{ released: number; code: string }> {
  let released = 0;
  try {
    for await (const piece of engine.decryptIterable(chunks)) released += piece.length;
  } catch (error) {
    if (error instanceof SealflowError) return { released, code: error.code };
    throw error;
  }
  throw new Error('decrypt succeeded');
}

describe('batch decrypt with the native backend', () => {
  it('opens whole regular frames in batches on every decrypt API, same plaintext as node', async () => {
    const store = rawAesStore();
    const options = await fixedMaterials(store);
    const plaintext = patternBytes(50 * 1000 + 17, 4);
    const ciphertext = await createTestEngine({ keyStore: store, frameLength: 1000, backend: 'node' }).encrypt(
      plaintext,
      options,
    );
    for (const api of DECRYPT_APIS) {
      for (const sizes of [[ciphertext.length], [7, 2999, 1000], [64 * 1024]]) {
        const counting = countingBackend();
        const engine = createTestEngine({ keyStore: store, backend: counting.backend });
        const opened = await decryptVia(api, engine, ciphertext, {}, sizes);
        expect(Buffer.from(opened).equals(plaintext), `${api} ${sizes.join('/')}`).toBe(true);
        expect(counting.calls, `${api} ${sizes.join('/')}`).toBeGreaterThan(0);
        expect(counting.frames).toBeGreaterThan(sizes[0] === 7 ? 20 : 40);
        if (api === 'decrypt') expect(counting.calls, 'one-shot: one call for all 50 regular frames').toBe(1);
      }
    }
  });

  it('a bad tag zeroes what the batch wrote and releases none of its plaintext', async () => {
    const store = rawAesStore();
    const plaintext = patternBytes(50 * 1000 + 17, 5);
    const node = createTestEngine({ keyStore: store, frameLength: 1000, backend: 'node' });
    const ciphertext = await node.encrypt(plaintext);
    const layout = layoutOf(node, ciphertext);
    const tampered = Uint8Array.from(ciphertext);
    flip(tampered, layout.frameOffset(30) + 16 + 1000 + 3, 1); // frame 31's tag
    const counting = countingBackend();
    const engine = createTestEngine({ keyStore: store, backend: counting.backend });
    let code = '';
    try {
      await engine.decrypt(tampered);
    } catch (error) {
      code = error instanceof SealflowError ? error.code : 'other';
    }
    expect(code).toBe(ErrorCodes.AUTHENTICATION_FAILED);
    expect(counting.calls).toBe(1);
    expect(
      counting.outputs[0]?.every((b) => b === 0),
      'the batch output is all zero',
    ).toBe(true);
    // A stream of 64 KiB chunks: the first chunk's batch holds the bad frame: nothing released.
    const streamed = countingBackend();
    const streaming = createTestEngine({ keyStore: store, backend: streamed.backend });
    const result = await streamUntilFailure(streaming, chunked(tampered, [64 * 1024]));
    expect(result).toEqual({ released: 0, code: ErrorCodes.AUTHENTICATION_FAILED });
    for (const output of streamed.outputs) expect(output.every((b) => b === 0)).toBe(true);
    // Chunks of 10 frames: the batches before the bad frame's were released, whole and verified.
    const unit = 1000 + 32;
    const headerThenTen = [layout.headerLength + 10 * unit, 10 * unit];
    const partial = await streamUntilFailure(
      createTestEngine({ keyStore: store, backend: countingBackend().backend }),
      chunked(tampered, headerThenTen),
    );
    expect(partial).toEqual({ released: 30 * 1000, code: ErrorCodes.AUTHENTICATION_FAILED });
  });

  it('a wrong sequence number fails as frame by frame (ERR_FRAME_SEQUENCE), after the frames before it', async () => {
    const store = rawAesStore();
    const node = createTestEngine({ keyStore: store, frameLength: 1000, backend: 'node' });
    const ciphertext = await node.encrypt(patternBytes(20_500, 6));
    const layout = layoutOf(node, ciphertext);
    const swapped = Uint8Array.from(ciphertext);
    flip(swapped, layout.frameOffset(12) + 3, 0x40);
    for (const backend of [countingBackend().backend, 'node' as const]) {
      const result = await streamUntilFailure(createTestEngine({ keyStore: store, backend }), [swapped]);
      expect(result.code).toBe(ErrorCodes.FRAME_SEQUENCE);
    }
  });

  it('a signed message: the final frame is held until the signature verifies', async () => {
    const store = rawAesStore();
    const plaintext = patternBytes(20_500, 7);
    const ciphertext = await createTestEngine({ keyStore: store, suite: 0x0578, frameLength: 1000 }).encrypt(plaintext);
    const forged = Uint8Array.from(ciphertext);
    flip(forged, forged.length - 5, 1); // inside the signature
    const counting = countingBackend();
    const result = await streamUntilFailure(createTestEngine({ keyStore: store, backend: counting.backend }), [forged]);
    expect(result).toEqual({ released: 20_000, code: ErrorCodes.SIGNATURE_INVALID });
    expect(counting.frames).toBe(20);
  });
});
