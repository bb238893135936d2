// One-shot calls on one thread write the message straight into its result: FrameEncryptor
// and BodyDecryptor given an `output` place every piece there, in order, and hand back
// views of it, so the engine's join copies nothing. The bytes never change.
import { describe, expect, it } from 'vitest';
import { createEngine, DEFAULT_DECRYPT_LIMITS, nodeBackend, type GeneratedDataKey } from '@sealflow/core';
import { BodyDecryptor, deriveMessageKeys, FrameEncryptor, framedBodyLength } from '@sealflow/core/frames';
import { parseHeader, type MessageHeader } from '@sealflow/core/codecs';
import { createTestEngine, FIXED_MATERIALS } from '@sealflow/core/testing';
import { concat, fixedMaterials, patternBytes, rawAesStore } from './fixtures.js';

const FL = 64;
const KEY = nodeBackend.importKey(Uint8Array.from({ length: 32 }, (_, i) => i + 1));
const MESSAGE_ID = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const HEADER = [Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5)];

function encryptor(plaintextLength: number, output?: Uint8Array): FrameEncryptor {
  return new FrameEncryptor({
    backend: nodeBackend,
    key: KEY,
    messageId: MESSAGE_ID,
    frameLength: FL,
    header: HEADER,
    signer: undefined,
    plaintextLength,
    output,
  });
}

/** Every piece is a view of `output`, and together they cover it from its start, in order. */
function coversInOrder(pieces: readonly Uint8Array[], output: Uint8Array): boolean {
  let at = 0;
  for (const piece of pieces) {
    if (piece.buffer !== output.buffer || piece.byteOffset !== output.byteOffset + at) return false;
    at += piece.length;
  }
  return at === output.length;
}

describe('FrameEncryptor with an output', () => {
  it('writes header and frames into the output, in order, with the bytes it writes without one', () => {
    for (const size of [0, 1, FL - 1, FL, FL + 1, 5 * FL, 5 * FL + 9]) {
      const plaintext = patternBytes(size, 4);
      const plain = encryptor(size);
      const want = concat([...plain.push(plaintext), ...plain.end()]);
      const output = new Uint8Array(5 + framedBodyLength(size, FL)).fill(0xee);
      const placed = encryptor(size, output);
      // Fed in uneven pieces, so pending partial frames are placed too.
      const pieces = [...placed.push(plaintext.subarray(0, 7)), ...placed.push(plaintext.subarray(7)), ...placed.end()];
      expect(coversInOrder(pieces, output), `${size} bytes`).toBe(true);
      expect(Buffer.from(output), `${size} bytes`).toStrictEqual(Buffer.from(want));
    }
  });
});

describe('BodyDecryptor with an output', () => {
  it('writes each verified frame into the output and returns views of it; a frame that would not fit comes back as it is', async () => {
    const store = rawAesStore();
    const fixed = await fixedMaterials(store);
    const { messageId, dataKey } = (fixed as Record<symbol, unknown>)[FIXED_MATERIALS] as {
      messageId: Uint8Array;
      dataKey: GeneratedDataKey;
    };
    const engine = createTestEngine({ keyStore: store, frameLength: FL });
    const plaintext = patternBytes(4 * FL + 10, 8);
    const message = await engine.encrypt(plaintext, fixed);
    const { header } = parseHeader(message, { limits: DEFAULT_DECRYPT_LIMITS }) as { header: MessageHeader };
    const { derivedKey } = deriveMessageKeys(nodeBackend, header.suite, dataKey.dataKey.reveal(), messageId);
    const key = nodeBackend.importKey(derivedKey);
    const body = message.subarray(header.length);
    const open = (output: Uint8Array): Uint8Array[] => {
      const decryptor = new BodyDecryptor({
        backend: nodeBackend,
        key,
        header,
        verifier: undefined,
        limits: DEFAULT_DECRYPT_LIMITS,
        output,
      });
      return [...decryptor.push(body.subarray(0, 50)), ...decryptor.push(body.subarray(50)), ...decryptor.end()];
    };
    const output = new Uint8Array(plaintext.length).fill(0xee);
    const pieces = open(output);
    expect(coversInOrder(pieces, output)).toBe(true);
    expect(Buffer.from(output)).toStrictEqual(Buffer.from(plaintext));
    // Memory one frame short: the last frame comes back on its own, the rest in place.
    const short = new Uint8Array(plaintext.length - 10);
    const partial = open(short);
    expect(partial.slice(0, -1).every((p) => p.buffer === short.buffer)).toBe(true);
    expect(partial.at(-1)?.buffer).not.toBe(short.buffer);
    expect(Buffer.from(concat(partial))).toStrictEqual(Buffer.from(plaintext));
  });
});

describe('one-shot results', () => {
  it('are plain Uint8Arrays that own exactly their memory (not Buffers, whose slice shares)', async () => {
    const engine = createEngine({ keyStore: rawAesStore(), frameLength: FL });
    const plaintext = patternBytes(10 * FL + 3);
    for (const result of [
      await engine.encrypt(plaintext),
      (await engine.decrypt(await engine.encrypt(plaintext))).plaintext,
    ]) {
      expect(Buffer.isBuffer(result)).toBe(false);
      expect(result.constructor).toBe(Uint8Array);
      expect(result.byteOffset).toBe(0);
      expect(result.buffer.byteLength).toBe(result.length);
    }
  });
});
