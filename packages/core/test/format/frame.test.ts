import { describe, expect, it } from 'vitest';
import { createEngine, nodeBackend } from '@sealflow/core';
import {
  backendFrameCipher,
  bodyAad,
  BodyKind,
  checkFrameSequence,
  FINAL_FRAME_OVERHEAD,
  FinalFrame,
  FrameAad,
  frameIv,
  framedBodyLength,
  framedPlaintextLength,
  isFinalFrame,
  openFinalFrame,
  openRegularFrame,
  REGULAR_FRAME_OVERHEAD,
  RegularFrame,
  regularFrameCount,
  sealRegularFrame,
  writeFinalFramePrefix,
  writeRegularFramePrefix,
} from '@sealflow/core/frames';
import { patternBytes, rawAesStore } from '../engine/fixtures.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('frame layout', () => {
  it('has the spec overheads: 4 + 12 + 16 for a regular frame, 4 + 4 + 12 + 4 + 16 for the final frame', () => {
    expect([REGULAR_FRAME_OVERHEAD, FINAL_FRAME_OVERHEAD]).toStrictEqual([32, 40]);
  });

  it('framedBodyLength gives the body size one-shot encrypt writes, at and around frame boundaries', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    for (const fl of [1, 7, 64]) {
      for (const length of [0, 1, fl - 1, fl, fl + 1, 2 * fl, 2 * fl + 3, 5 * fl]) {
        const sealed = await engine.encrypt(patternBytes(length), { frameLength: fl });
        expect(sealed.length - engine.inspect(sealed).headerLength, `fl ${fl}, length ${length}`).toBe(
          framedBodyLength(length, fl),
        );
      }
    }
  });

  it('framedPlaintextLength inverts framedBodyLength, and answers undefined for a body length no framing gives', () => {
    for (const fl of [1, 7, 64]) {
      for (let length = 0; length <= 6 * fl + 1; length++)
        expect(framedPlaintextLength(framedBodyLength(length, fl), fl), `fl ${fl}, length ${length}`).toBe(length);
      // Brute force over body lengths: n regular frames and a final frame of 0..fl bytes.
      const unit = REGULAR_FRAME_OVERHEAD + fl;
      for (let body = 0; body <= 6 * unit + FINAL_FRAME_OVERHEAD + fl + 2; body++) {
        let want: number | undefined;
        for (let n = 0; n * unit <= body; n++) {
          const last = body - n * unit - FINAL_FRAME_OVERHEAD;
          if (last >= 0 && last <= fl) want = n * fl + last;
        }
        expect(framedPlaintextLength(body, fl), `fl ${fl}, body ${body}`).toBe(want);
      }
    }
    // A stream that ended on a frame boundary (an empty final frame, client-node's shape) reads as the same length.
    expect(framedPlaintextLength(3 * (REGULAR_FRAME_OVERHEAD + 64) + FINAL_FRAME_OVERHEAD, 64)).toBe(3 * 64);
  });

  it('writes the IV as 8 zero bytes and the uint32 sequence number', () => {
    expect(hex(frameIv(1))).toBe('000000000000000000000001');
    expect(hex(frameIv(0xfffffffe))).toBe('0000000000000000fffffffe');
  });

  it('builds the body AAD as message ID || content string || uint32 seq || uint64 length', () => {
    const id = new Uint8Array(32).fill(0xab);
    const aad = bodyAad(id, BodyKind.FINAL, 3, 2 ** 33 + 5);
    expect(Buffer.from(aad.subarray(32, 32 + BodyKind.FINAL.length)).toString('latin1')).toBe(
      'AWSKMSEncryptionClient Final Frame',
    );
    expect(hex(aad.subarray(32 + BodyKind.FINAL.length))).toBe('00000003' + '0000000200000005');
    expect(Buffer.from(BodyKind.REGULAR).toString('latin1')).toBe('AWSKMSEncryptionClient Frame');
    expect(Buffer.from(BodyKind.SINGLE).toString('latin1')).toBe('AWSKMSEncryptionClient Single Block');
  });
});

describe('frame layout helpers (format/frame.ts)', () => {
  it('writes a regular prefix as seq || 8 zero bytes || seq, over whatever was there', () => {
    const target = new Uint8Array(20).fill(0xee);
    writeRegularFramePrefix(target, 2, 0x01020304);
    expect(hex(target)).toBe('eeee' + '01020304' + '0000000000000000' + '01020304' + 'eeee');
    expect([RegularFrame.SEQUENCE, RegularFrame.IV, RegularFrame.CONTENT]).toStrictEqual([0, 4, 16]);
  });

  it('writes a final prefix as marker || seq || IV || content length', () => {
    const target = new Uint8Array(FinalFrame.CONTENT).fill(0xee);
    writeFinalFramePrefix(target, 0, 7, 300);
    expect(hex(target)).toBe('ffffffff' + '00000007' + '0000000000000000' + '00000007' + '0000012c');
    expect(isFinalFrame(target)).toBe(true);
  });

  it('reuses one AAD whose sequence slot equals bodyAad for every frame', () => {
    const id = Uint8Array.from({ length: 32 }, (_, i) => i);
    const aad = new FrameAad(id, BodyKind.REGULAR, 4096);
    for (const sequence of [1, 2, 0xffff_fffe]) {
      expect(hex(aad.at(sequence))).toBe(hex(bodyAad(id, BodyKind.REGULAR, sequence, 4096)));
    }
  });

  it('counts regular frames before a full final frame', () => {
    expect([0, 1, 63, 64, 65, 128, 129].map((n) => regularFrameCount(n, 64))).toStrictEqual([0, 0, 0, 0, 1, 1, 2]);
  });

  it('seals a regular frame that opens as the same sequence only, and a final frame likewise', () => {
    const id = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    const cipher = backendFrameCipher(nodeBackend, nodeBackend.importKey(new Uint8Array(32).fill(9)));
    const aad = new FrameAad(id, BodyKind.REGULAR, 8);
    const frame = new Uint8Array(REGULAR_FRAME_OVERHEAD + 8);
    const { ciphertext, tag } = sealRegularFrame(cipher, aad, frame, 0, 5, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    frame.set(ciphertext, RegularFrame.CONTENT);
    frame.set(tag, RegularFrame.CONTENT + 8);
    expect(openRegularFrame(cipher, aad, frame, 5, 8)).toStrictEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    expect(() => openRegularFrame(cipher, aad, frame, 6, 8)).toThrow(
      expect.objectContaining({ code: 'ERR_FRAME_SEQUENCE' }),
    );
    frame.set([(frame[RegularFrame.CONTENT] ?? 0) ^ 1], RegularFrame.CONTENT);
    expect(openRegularFrame(cipher, aad, frame, 5, 8)).toBeUndefined();

    const final = new Uint8Array(FINAL_FRAME_OVERHEAD + 3);
    writeFinalFramePrefix(final, 0, 6, 3);
    const sealed = cipher.sealFrame(
      final.subarray(FinalFrame.IV, FinalFrame.CONTENT_LENGTH),
      bodyAad(id, BodyKind.FINAL, 6, 3),
      Uint8Array.of(7, 8, 9),
    );
    final.set(sealed.ciphertext, FinalFrame.CONTENT);
    final.set(sealed.tag, FinalFrame.CONTENT + 3);
    expect(openFinalFrame(cipher, id, final, 6)).toStrictEqual(Uint8Array.of(7, 8, 9));
    expect(() => checkFrameSequence(final, true, 5)).toThrow(expect.objectContaining({ code: 'ERR_FRAME_SEQUENCE' }));
  });
});
