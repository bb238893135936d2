// The frame layout, written once (spec: esdk message-body.md, message-body-aad.md): named
// offsets, the sequence-number IV, the body AAD, frame-count arithmetic, and the one
// per-frame cipher interface every backend implements (node:crypto and noble through
// CipherBackend, WebCrypto and the worker threads in @sealflow/parallel). Every place that
// builds a frame or opens one goes through here.
import { ErrorCodes, MalformedMessageError } from '../errors.js';
import { readUint32, utf8Encode, writeUint32, writeUint64 } from './bytes.js';
import { IV_LENGTH, TAG_LENGTH } from './suites.js';

/** spec: esdk message-body-aad.md: the body AAD content strings (ASCII, no terminator). */
export const BodyKind: { readonly REGULAR: Uint8Array; readonly FINAL: Uint8Array; readonly SINGLE: Uint8Array } = {
  REGULAR: utf8Encode('AWSKMSEncryptionClient Frame'),
  FINAL: utf8Encode('AWSKMSEncryptionClient Final Frame'),
  SINGLE: utf8Encode('AWSKMSEncryptionClient Single Block'),
};

/** Marker that opens a final frame (spec: esdk message-body.md#final-frame). */
export const FINAL_FRAME_MARKER = 0xffff_ffff;

/** Offsets in a regular frame: seq(4) || IV(12) || ciphertext(FL) || tag(16). */
export const RegularFrame: { readonly SEQUENCE: 0; readonly IV: 4; readonly CONTENT: number } = {
  SEQUENCE: 0,
  IV: 4,
  CONTENT: 4 + IV_LENGTH,
};
/** Offsets in a final frame: marker(4) || seq(4) || IV(12) || length(4) || ciphertext || tag(16). */
export const FinalFrame: {
  readonly MARKER: 0;
  readonly SEQUENCE: 4;
  readonly IV: 8;
  readonly CONTENT_LENGTH: number;
  readonly CONTENT: number;
} = {
  MARKER: 0,
  SEQUENCE: 4,
  IV: 8,
  CONTENT_LENGTH: 8 + IV_LENGTH,
  CONTENT: 8 + IV_LENGTH + 4,
};

/** Regular frame: seq(4) || IV(12) || ciphertext(FL) || tag(16). */
export const REGULAR_FRAME_OVERHEAD: number = RegularFrame.CONTENT + TAG_LENGTH;
/** Final frame: marker(4) || seq(4) || IV(12) || length(4) || ciphertext || tag(16). */
export const FINAL_FRAME_OVERHEAD: number = FinalFrame.CONTENT + TAG_LENGTH;
/** Bytes before the ciphertext in a regular and a final frame. */
export const REGULAR_FRAME_PREFIX: number = RegularFrame.CONTENT;
export const FINAL_FRAME_PREFIX: number = FinalFrame.CONTENT;
/** Non-framed body: IV(12) || uint64 length || ciphertext || tag(16). */
export const NON_FRAMED_PREFIX: number = IV_LENGTH + 8;

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

/**
 * A body AAD reused across the frames of one message: only its sequence number changes
 * (regular frames all have the frame length as content length). `at` rewrites it in place:
 * the bytes are valid until the next call.
 */
export class FrameAad {
  readonly #bytes: Uint8Array;
  readonly #sequenceAt: number;

  constructor(messageId: Uint8Array, kind: Uint8Array, contentLength: number) {
    this.#bytes = bodyAad(messageId, kind, 0, contentLength);
    this.#sequenceAt = messageId.length + kind.length;
  }

  /** The AAD of frame `sequence`. */
  at(sequence: number): Uint8Array {
    writeUint32(this.#bytes, this.#sequenceAt, sequence);
    return this.#bytes;
  }
}

/**
 * Writes the IV we use for frame `sequence` at `offset`: 8 zero bytes || uint32 seq
 * (spec: esdk encrypt.md#construct-a-frame). Unique per frame, and the key is unique per
 * message (HKDF with the message ID), so no (key, IV) pair repeats.
 */
export function writeFrameIv(target: Uint8Array, offset: number, sequence: number): void {
  // Plain stores, not fill(): this runs once per frame, and fill's call costs more than 8 bytes.
  writeUint32(target, offset, 0);
  writeUint32(target, offset + 4, 0);
  writeUint32(target, offset + 8, sequence);
}

/** The IV we write for frame `sequence` (see {@link writeFrameIv}). */
export function frameIv(sequence: number): Uint8Array {
  const iv = new Uint8Array(IV_LENGTH);
  writeFrameIv(iv, 0, sequence);
  return iv;
}

/** Writes a regular frame's sequence number and IV at `offset` (its ciphertext follows). */
export function writeRegularFramePrefix(target: Uint8Array, offset: number, sequence: number): void {
  writeUint32(target, offset + RegularFrame.SEQUENCE, sequence);
  writeFrameIv(target, offset + RegularFrame.IV, sequence);
}

/** Writes a final frame's marker, sequence number, IV and content length at `offset`. */
export function writeFinalFramePrefix(
  target: Uint8Array,
  offset: number,
  sequence: number,
  contentLength: number,
): void {
  writeUint32(target, offset + FinalFrame.MARKER, FINAL_FRAME_MARKER);
  writeUint32(target, offset + FinalFrame.SEQUENCE, sequence);
  writeFrameIv(target, offset + FinalFrame.IV, sequence);
  writeUint32(target, offset + FinalFrame.CONTENT_LENGTH, contentLength);
}

/** Whether the frame starting at `offset` is the final frame (at least 4 bytes must be there). */
export function isFinalFrame(bytes: Uint8Array, offset = 0): boolean {
  return readUint32(bytes, offset) === FINAL_FRAME_MARKER;
}

/**
 * The sequence field of a complete frame must be `sequence`.
 * @throws {MalformedMessageError} `ERR_FRAME_SEQUENCE` otherwise (reordered, dropped or repeated frames).
 */
export function checkFrameSequence(frame: Uint8Array, final: boolean, sequence: number): void {
  if (readUint32(frame, final ? FinalFrame.SEQUENCE : RegularFrame.SEQUENCE) !== sequence) {
    throw new MalformedMessageError(ErrorCodes.FRAME_SEQUENCE, 'malformed body: frames are out of sequence');
  }
}

/** One frame sealed: the ciphertext (as long as the content) and the 16-byte tag. */
export interface SealedFrame {
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/**
 * The per-frame cipher every backend implements: AES-GCM of one frame under the message's
 * derived key, with the IV and AAD this module lays out. Synchronous backends (node:crypto,
 * noble, the worker threads' node:crypto) use the defaults; WebCrypto's returns promises.
 * `openFrame` must never return bytes whose tag did not verify.
 */
export interface FrameCipher<Sealed = SealedFrame, Opened = Uint8Array | undefined> {
  sealFrame(iv: Uint8Array, aad: Uint8Array, content: Uint8Array): Sealed;
  /** The plaintext, or (for the default) undefined when the tag does not verify. */
  openFrame(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Opened;
}

/**
 * Writes regular frame `sequence`'s prefix at `offset` of `target` and seals `content`
 * with the IV just written. Where the ciphertext and tag go is the caller's (the backend
 * may return new buffers or, like WebCrypto, one ciphertext || tag buffer).
 */
export function sealRegularFrame<Sealed>(
  cipher: FrameCipher<Sealed, unknown>,
  aad: FrameAad,
  target: Uint8Array,
  offset: number,
  sequence: number,
  content: Uint8Array,
): Sealed {
  writeRegularFramePrefix(target, offset, sequence);
  return cipher.sealFrame(
    target.subarray(offset + RegularFrame.IV, offset + RegularFrame.CONTENT),
    aad.at(sequence),
    content,
  );
}

/**
 * Opens a complete regular frame as frame `sequence` after checking its sequence field.
 * spec: esdk decrypt.md: the IV is used exactly as it appears in the frame.
 * @throws {MalformedMessageError} `ERR_FRAME_SEQUENCE`
 */
export function openRegularFrame<Opened>(
  cipher: FrameCipher<unknown, Opened>,
  aad: FrameAad,
  frame: Uint8Array,
  sequence: number,
  frameLength: number,
): Opened {
  checkFrameSequence(frame, false, sequence);
  const tagAt = RegularFrame.CONTENT + frameLength;
  return cipher.openFrame(
    frame.subarray(RegularFrame.IV, RegularFrame.CONTENT),
    aad.at(sequence),
    frame.subarray(RegularFrame.CONTENT, tagAt),
    frame.subarray(tagAt, tagAt + TAG_LENGTH),
  );
}

/**
 * Opens a complete final frame (its content length already checked against the frame
 * length) as frame `sequence`, after checking its sequence field.
 * @throws {MalformedMessageError} `ERR_FRAME_SEQUENCE`
 */
export function openFinalFrame<Opened>(
  cipher: FrameCipher<unknown, Opened>,
  messageId: Uint8Array,
  frame: Uint8Array,
  sequence: number,
): Opened {
  checkFrameSequence(frame, true, sequence);
  const length = frame.length - FINAL_FRAME_OVERHEAD;
  const aad = bodyAad(messageId, BodyKind.FINAL, sequence, length);
  const tagAt = FinalFrame.CONTENT + length;
  return cipher.openFrame(
    frame.subarray(FinalFrame.IV, FinalFrame.CONTENT_LENGTH),
    aad,
    frame.subarray(FinalFrame.CONTENT, tagAt),
    frame.subarray(tagAt),
  );
}

/** How many regular frames precede the final frame of a `plaintextLength`-byte message (final frame full when it can be). */
export function regularFrameCount(plaintextLength: number, frameLength: number): number {
  return plaintextLength === 0 ? 0 : Math.ceil(plaintextLength / frameLength) - 1;
}

/** Encoded size of a framed body for `plaintextLength` bytes, when the final frame is full or short. */
export function framedBodyLength(plaintextLength: number, frameLength: number): number {
  const regular = regularFrameCount(plaintextLength, frameLength);
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
