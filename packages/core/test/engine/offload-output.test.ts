// The FrameOffload `allocate` seam: for one-shot calls on unsigned messages an offload may
// provide the result's memory, which the engine fills and returns; every other case keeps
// the engine's own allocation. The bytes never change either way.
import { describe, expect, it } from 'vitest';
import { createEngine, type FrameOffload, type OffloadedBody } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import { BodyDecryptor, FrameEncryptor } from '@sealflow/core/frames';
import { encryptVia, fixedMaterials, patternBytes, rawAesStore } from './fixtures.js';

interface Recorded {
  readonly offload: FrameOffload;
  /** Every allocate call: the length asked for and what was given. */
  readonly asked: { length: number; given: Uint8Array | undefined }[];
}

/**
 * Bodies run inline with the core's own state machines; `allocate` answers as told. The
 * decrypt body writes its plaintext straight into the destination, as worker threads do,
 * and returns views of it.
 */
function offloadWith(answer: (length: number) => Uint8Array | undefined, take = true): Recorded {
  const asked: Recorded['asked'] = [];
  const inline = (
    machine: { push(c: Uint8Array): Uint8Array[]; end(): Uint8Array[]; plaintextBytes: number; frames: number },
    keyBytes: Uint8Array,
  ): OffloadedBody => ({
    push: (chunk) => machine.push(chunk),
    end: async () => {
      keyBytes.fill(0);
      return machine.end();
    },
    abort: () => keyBytes.fill(0),
    get plaintextBytes() {
      return machine.plaintextBytes;
    },
    get frames() {
      return machine.frames;
    },
  });
  const offload: FrameOffload = {
    name: 'inline',
    encryptBody: (init) => (take ? inline(new FrameEncryptor(init), init.keyBytes) : undefined),
    decryptBody: (init) => {
      if (!take) return undefined;
      const machine = new BodyDecryptor(init);
      const destination = init.destination;
      let at = 0;
      const place = (pieces: Uint8Array[]): Uint8Array[] =>
        destination === undefined
          ? pieces
          : pieces.map((piece) => {
              destination.set(piece, at);
              at += piece.length;
              return destination.subarray(at - piece.length, at);
            });
      // Fed in small steps, so the frames before a failure are in the destination when it comes.
      const push = (chunk: Uint8Array): Uint8Array[] => {
        const out: Uint8Array[] = [];
        for (let i = 0; i < chunk.length; i += 100) out.push(...place(machine.push(chunk.subarray(i, i + 100))));
        return out;
      };
      return inline(
        {
          push,
          end: () => place(machine.end()),
          get plaintextBytes() {
            return machine.plaintextBytes;
          },
          get frames() {
            return machine.frames;
          },
        },
        init.keyBytes,
      );
    },
    allocate: (length) => {
      const given = answer(length);
      asked.push({ length, given });
      return given;
    },
  };
  return { offload, asked };
}

describe('one-shot results in memory the offload provides', () => {
  it('encrypt and decrypt return the memory given, filled with exactly the single-thread bytes', async () => {
    const store = rawAesStore();
    const { offload, asked } = offloadWith((length) => new Uint8Array(length).fill(0xaa));
    const engine = createTestEngine({ keyStore: store, frameLength: 64, offload });
    const single = createTestEngine({ keyStore: store, frameLength: 64 });
    const fixed = await fixedMaterials(store);
    for (const size of [0, 1, 63, 64, 65, 640, 1000]) {
      const plaintext = patternBytes(size, 2);
      const want = await single.encrypt(plaintext, fixed);
      const got = await engine.encrypt(plaintext, fixed);
      expect(got).toBe(asked.at(-1)?.given);
      expect(asked.at(-1)?.length).toBe(want.length);
      expect(Buffer.from(got)).toStrictEqual(Buffer.from(want));
      const { plaintext: opened } = await engine.decrypt(want);
      expect(opened).toBe(asked.at(-1)?.given);
      expect(asked.at(-1)?.length).toBe(size);
      expect(Buffer.from(opened)).toStrictEqual(Buffer.from(plaintext));
    }
  });

  it('memory of the wrong size, or an offload that then declines the body, leaves the result to the engine', async () => {
    const plaintext = patternBytes(500);
    for (const recorded of [
      offloadWith((length) => new Uint8Array(length + 1)),
      offloadWith((length) => new Uint8Array(length), false),
    ]) {
      const engine = createEngine({ keyStore: rawAesStore(), frameLength: 64, offload: recorded.offload });
      const ciphertext = await engine.encrypt(plaintext);
      expect(recorded.asked).toHaveLength(1);
      expect(ciphertext).not.toBe(recorded.asked[0]?.given);
      expect(Buffer.from((await engine.decrypt(ciphertext)).plaintext)).toStrictEqual(Buffer.from(plaintext));
    }
  });

  it('is never asked for signed messages, streams, or non-framed messages', async () => {
    const { offload, asked } = offloadWith((length) => new Uint8Array(length));
    const signed = createEngine({ keyStore: rawAesStore(), frameLength: 64, suite: 0x0578, offload });
    const sealed = await signed.encrypt(patternBytes(300));
    expect(Buffer.from((await signed.decrypt(sealed)).plaintext)).toStrictEqual(Buffer.from(patternBytes(300)));
    const plain = createEngine({ keyStore: rawAesStore(), frameLength: 64, offload });
    const streamed = await encryptVia('encryptStream', plain, patternBytes(300), {}, [100]);
    expect(streamed.length).toBeGreaterThan(300);
    expect(asked).toHaveLength(0);
  });

  it('a failed one-shot decrypt zeroes the memory it was given (verified frames may be in it)', async () => {
    const store = rawAesStore();
    const given: Uint8Array[] = [];
    const { offload } = offloadWith((length) => {
      const memory = new Uint8Array(length);
      given.push(memory);
      return memory;
    });
    const engine = createEngine({ keyStore: store, frameLength: 64, offload });
    const ciphertext = await createEngine({ keyStore: store, frameLength: 64 }).encrypt(
      patternBytes(640).map((b) => b | 1),
    );
    const tampered = ciphertext.slice();
    tampered[tampered.length - 20] = (tampered[tampered.length - 20] as number) ^ 1;
    await expect(engine.decrypt(tampered)).rejects.toMatchObject({ name: 'AuthenticationError' });
    expect(given).toHaveLength(1);
    expect(given[0]?.every((b) => b === 0)).toBe(true);
  });
});
