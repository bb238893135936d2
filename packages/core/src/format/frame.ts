import { utf8Encode, writeUint32, writeUint64 } from './bytes.js';
import { IV_LENGTH, TAG_LENGTH } from './suites.js';

/** spec: esdk message-body-aad.md: the body AAD content strings (ASCII, no terminator). */
export const BodyKind = {
  REGULAR: utf8Encode('AWSKMSEncryptionClient Frame'),
  FINAL: utf8Encode('AWSKMSEncryptionClient Final Frame'),
  SINGLE: utf8Encode('AWSKMSEncryptionClient Single Block'),
} as const;

/** Marker that opens a final frame (spec: esdk message-body.md#final-frame). */
export const FINAL_FRAME_MARKER = 0xffff_ffff;

/** Regular frame: seq(4) || IV(12) || ciphertext(FL) || tag(16). */
export const REGULAR_FRAME_OVERHEAD = 4 + IV_LENGTH + TAG_LENGTH;
/** Final frame: marker(4) || seq(4) || IV(12) || length(4) || ciphertext || tag(16). */
export const FINAL_FRAME_OVERHEAD = 4 + 4 + IV_LENGTH + 4 + TAG_LENGTH;
/** Bytes before the ciphertext in a regular and a final frame. */
export const REGULAR_FRAME_PREFIX = 4 + IV_LENGTH;
export const FINAL_FRAME_PREFIX = 4 + 4 + IV_LENGTH + 4;
/** Non-framed body: IV(12) || uint64 length || ciphertext || tag(16). */
export const NON_FRAMED_PREFIX = IV_LENGTH + 8;

/**
 * Body AAD: message ID || content string || uint32 seq || uint64 plaintext length
 * (spec: esdk message-body-aad.md; the full 32-byte message ID in v2).
 */
export function bodyAad(messageId: Uint8Array, kind: Uint8Array, sequence: number, length: number): Uint8Array {
  const aad = new Uint8Array(messageId.length + kind.length + 12);
  aad.set(messageId);
  aad.set(kind, messageId.length);
  writeUint32(aad, messageId.length + kind.length, sequence);
  writeUint64(aad, messageId.length + kind.length + 4, length);
  return aad;
}

/** The IV we write for frame `sequence`: 8 zero bytes || uint32 seq (spec: esdk encrypt.md#construct-a-frame). */
export function frameIv(sequence: number): Uint8Array {
  const iv = new Uint8Array(IV_LENGTH);
  writeUint32(iv, 8, sequence);
  return iv;
}

/** Encoded size of a framed body for `plaintextLength` bytes, when the final frame is full or short. */
export function framedBodyLength(plaintextLength: number, frameLength: number): number {
  const regular = plaintextLength === 0 ? 0 : Math.ceil(plaintextLength / frameLength) - 1;
  const last = plaintextLength - regular * frameLength;
  return regular * (REGULAR_FRAME_OVERHEAD + frameLength) + FINAL_FRAME_OVERHEAD + last;
}

/**
 * The plaintext length of a framed body of `bodyLength` bytes (no footer), or `undefined`
 * when no framing gives that length (the body is then malformed, which parsing reports).
 * The inverse of `framedBodyLength`: the final frame holds 0 to `frameLength` bytes, and
 * every other frame is a full regular frame.
 */
export function framedPlaintextLength(bodyLength: number, frameLength: number): number | undefined {
  const rest = bodyLength - FINAL_FRAME_OVERHEAD;
  if (rest < 0 || frameLength < 1) return undefined;
  const unit = REGULAR_FRAME_OVERHEAD + frameLength;
  const regular = Math.floor(rest / unit);
  const last = rest - regular * unit;
  return last > frameLength ? undefined : regular * frameLength + last;
}
