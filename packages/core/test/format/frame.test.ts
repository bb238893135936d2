import { describe, expect, it } from 'vitest';
import { createEngine } from '@sealflow/core';
import { bodyAad, BodyKind, FINAL_FRAME_OVERHEAD, frameIv, framedBodyLength, framedPlaintextLength, REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
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
        expect(sealed.length - engine.inspect(sealed).headerLength, `fl ${fl}, length ${length}`).toBe(framedBodyLength(length, fl));
      }
    }
  });

  it('framedPlaintextLength inverts framedBodyLength, and answers undefined for a body length no framing gives', () => {
    for (const fl of [1, 7, 64]) {
      for (let length = 0; length <= 6 * fl + 1; length++) expect(framedPlaintextLength(framedBodyLength(length, fl), fl), `fl ${fl}, length ${length}`).toBe(length);
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
    expect(Buffer.from(aad.subarray(32, 32 + BodyKind.FINAL.length)).toString('latin1')).toBe('AWSKMSEncryptionClient Final Frame');
    expect(hex(aad.subarray(32 + BodyKind.FINAL.length))).toBe('00000003' + '0000000200000005');
    expect(Buffer.from(BodyKind.REGULAR).toString('latin1')).toBe('AWSKMSEncryptionClient Frame');
    expect(Buffer.from(BodyKind.SINGLE).toString('latin1')).toBe('AWSKMSEncryptionClient Single Block');
  });
});
