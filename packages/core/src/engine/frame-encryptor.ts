import type { CipherBackend, CipherKey, MessageSigner } from '../crypto/backend.js';
import { backendFrameCipher } from '../crypto/frame-cipher.js';
import { ErrorCodes, LimitExceededError, SealflowError } from '../errors.js';
import { writeUint16 } from '../format/bytes.js';
import {
  bodyAad,
  BodyKind,
  FinalFrame,
  FrameAad,
  REGULAR_FRAME_OVERHEAD,
  RegularFrame,
  sealRegularFrame,
  writeFinalFramePrefix,
  type FrameCipher,
} from '../format/frame.js';
import { FormatLimits } from '../format/limits.js';

export interface FrameEncryptorInit {
  readonly backend: CipherBackend;
  readonly key: CipherKey;
  readonly messageId: Uint8Array;
  readonly frameLength: number;
  /** Header body and tag, emitted first (and signed). */
  readonly header: readonly Uint8Array[];
  readonly signer: MessageSigner | undefined;
  /**
   * When the plaintext length is known, the last block becomes a full final frame (the
   * shape the spec prefers). Otherwise regular frames are sealed as soon as they fill, and
   * a plaintext that ends on a frame boundary gets an empty final frame (also valid).
   */
  readonly plaintextLength: number | undefined;
  /**
   * Sequence number of the first frame this encryptor seals (default 1). An offload that
   * sealed frames 1..n elsewhere finishes the body with one starting at n + 1.
   */
  readonly firstSequence?: number;
  /**
   * One-shot calls: memory for the whole message (header, frames, footer). Every piece is
   * then written there, in order from its start, and returned as a view of it: the
   * caller's join copies nothing, and each frame's temporary ciphertext dies young. (Not
   * an offload's `destination`, which starts after the header.)
   */
  readonly output?: Uint8Array | undefined;
}

/**
 * The encrypt state machine for a framed v2 body: bytes in, sealed frames out. No I/O,
 * no streams. Output chunks are views the caller may keep; input chunks are only read
 * during the call, except that a partial frame is copied into a frame buffer.
 */
export class FrameEncryptor {
  readonly #cipher: FrameCipher;
  /** The backend's batch seal (`sealRegularFrames`), bound to this message, when it has one. */
  readonly #batch: ((first: number, input: Uint8Array, output: Uint8Array) => void) | undefined;
  /** The backend's batch-output allocator (uninitialized memory), when it has one. */
  readonly #allocate: ((length: number) => Uint8Array) | undefined;
  readonly #frameLength: number;
  readonly #signer: MessageSigner | undefined;
  readonly #known: number | undefined;
  /** AAD for regular frames: only the sequence number changes between frames. */
  readonly #regularAad: FrameAad;
  readonly #messageId: Uint8Array;
  #header: readonly Uint8Array[] | undefined;
  #pending: Uint8Array | undefined;
  #pendingLength = 0;
  #sequence = 1;
  #consumed = 0;
  #ended = false;
  readonly #destination: Uint8Array | undefined;
  /** Bytes written to the destination so far. */
  #written = 0;

  constructor(init: FrameEncryptorInit) {
    this.#cipher = backendFrameCipher(init.backend, init.key);
    const { backend, key, messageId, frameLength } = init;
    const batch = backend.sealRegularFrames;
    this.#allocate = backend.allocateBatchOutput?.bind(backend);
    this.#batch =
      batch === undefined
        ? undefined
        : (first, input, output) => batch.call(backend, key, messageId, frameLength, first, input, output);
    this.#frameLength = init.frameLength;
    this.#signer = init.signer;
    this.#known = init.plaintextLength;
    this.#messageId = init.messageId;
    this.#header = init.header;
    this.#sequence = init.firstSequence ?? 1;
    this.#destination = init.output;
    this.#regularAad = new FrameAad(init.messageId, BodyKind.REGULAR, init.frameLength);
  }

  /** Plaintext bytes accepted so far. */
  get plaintextBytes(): number {
    return this.#consumed;
  }

  /** Frames written so far (including the final frame once `end()` ran), counted from frame 1. */
  get frames(): number {
    return this.#sequence - 1;
  }

  /** Encrypts what it can of `chunk`; returns the output pieces in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#ended) throw new SealflowError(ErrorCodes.INVALID_ARGUMENT, 'write after end');
    const out = this.#takeHeader();
    const fl = this.#frameLength;
    if (this.#known !== undefined && this.#consumed + chunk.length > this.#known) {
      throw new SealflowError(
        ErrorCodes.INVALID_ARGUMENT,
        `plaintext is longer than the declared plaintextLength ${this.#known}`,
      );
    }
    let offset = 0;
    if (this.#pendingLength > 0) {
      const take = Math.min(fl - this.#pendingLength, chunk.length);
      (this.#pending as Uint8Array).set(chunk.subarray(0, take), this.#pendingLength);
      this.#pendingLength += take;
      offset = take;
      if (this.#pendingLength === fl && !this.#isLastBlock(this.#consumed + take)) {
        this.#sealRegular((this.#pending as Uint8Array).subarray(0, fl), out);
        this.#pendingLength = 0;
      }
    }
    offset = this.#sealBatch(chunk, offset, out);
    // Whole frames straight from the caller's buffer: no copy.
    while (chunk.length - offset >= fl && !this.#isLastBlock(this.#consumed + offset + fl)) {
      this.#sealRegular(chunk.subarray(offset, offset + fl), out);
      offset += fl;
    }
    const rest = chunk.length - offset;
    if (rest > 0) {
      this.#pending ??= new Uint8Array(fl);
      // Copied: the tail must outlive the caller's buffer until its frame fills.
      this.#pending.set(chunk.subarray(offset), this.#pendingLength);
      this.#pendingLength += rest;
    }
    this.#consumed += chunk.length;
    return out;
  }

  /** Seals the final frame (and the footer for signing suites). */
  end(): Uint8Array[] {
    if (this.#ended) return [];
    if (this.#known !== undefined && this.#consumed !== this.#known) {
      throw new SealflowError(
        ErrorCodes.INVALID_ARGUMENT,
        `plaintext is ${this.#consumed} bytes, not the declared plaintextLength ${this.#known}`,
      );
    }
    this.#ended = true;
    const out = this.#takeHeader();
    const content = this.#pending === undefined ? new Uint8Array(0) : this.#pending.subarray(0, this.#pendingLength);
    this.#checkSequence();
    const sequence = this.#sequence++;
    const prefix = new Uint8Array(FinalFrame.CONTENT);
    writeFinalFramePrefix(prefix, 0, sequence, content.length);
    const iv = prefix.subarray(FinalFrame.IV, FinalFrame.CONTENT_LENGTH);
    const aad = bodyAad(this.#messageId, BodyKind.FINAL, sequence, content.length);
    const { ciphertext, tag } = this.#cipher.sealFrame(iv, aad, content);
    this.#emit(out, prefix, ciphertext, tag);
    this.#pending?.fill(0);
    if (this.#signer !== undefined) {
      const signature = this.#signer.sign();
      const footer = new Uint8Array(2 + signature.length);
      writeUint16(footer, 0, signature.length);
      footer.set(signature, 2);
      out.push(this.#place(footer));
    }
    return out;
  }

  /**
   * When the backend seals batches (`sealRegularFrames`): every whole regular frame of
   * `chunk` from `offset` in one call, written straight into the destination (or one
   * fresh buffer). Returns the new offset; the per-frame loop handles what is left.
   */
  #sealBatch(chunk: Uint8Array, offset: number, out: Uint8Array[]): number {
    const batch = this.#batch;
    const fl = this.#frameLength;
    if (batch === undefined) return offset;
    let count = Math.floor((chunk.length - offset) / fl);
    if (count > 0 && this.#isLastBlock(this.#consumed + offset + count * fl)) count--;
    if (count < 2 || this.#sequence + count - 1 > FormatLimits.maxFrameCount) return offset;
    const size = count * (REGULAR_FRAME_OVERHEAD + fl);
    const start = this.#written;
    // A fresh output needs no zero fill when the backend allocates it: the batch writes every byte.
    const target =
      this.#destination === undefined
        ? (this.#allocate?.(size) ?? new Uint8Array(size))
        : this.#destination.subarray(start, start + size);
    batch(this.#sequence, chunk.subarray(offset, offset + count * fl), target);
    this.#signer?.update(target);
    if (this.#destination !== undefined) this.#written += size;
    this.#sequence += count;
    out.push(target);
    return offset + count * fl;
  }

  #isLastBlock(endOffset: number): boolean {
    return this.#known !== undefined && endOffset === this.#known;
  }

  #takeHeader(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.#header !== undefined) {
      for (const part of this.#header) {
        this.#signer?.update(part);
        out.push(this.#place(part));
      }
      this.#header = undefined;
    }
    return out;
  }

  /**
   * One piece, or a frame's three (prefix, ciphertext, tag), as one piece: written to the
   * destination (a view of it back), or `first` as it is. No rest parameters: this runs per frame.
   */
  #place(first: Uint8Array, second?: Uint8Array, third?: Uint8Array): Uint8Array {
    const destination = this.#destination;
    if (destination === undefined) return first;
    const start = this.#written;
    destination.set(first, start);
    let at = start + first.length;
    if (second !== undefined) {
      destination.set(second, at);
      at += second.length;
    }
    if (third !== undefined) {
      destination.set(third, at);
      at += third.length;
    }
    this.#written = at;
    return destination.subarray(start, at);
  }

  #checkSequence(): void {
    if (this.#sequence > FormatLimits.maxFrameCount) {
      throw new LimitExceededError('maxFrameCount', FormatLimits.maxFrameCount, this.#sequence);
    }
  }

  #sealRegular(plaintext: Uint8Array, out: Uint8Array[]): void {
    this.#checkSequence();
    const sequence = this.#sequence++;
    const destination = this.#destination;
    if (destination === undefined) {
      const prefix = new Uint8Array(RegularFrame.CONTENT);
      const { ciphertext, tag } = sealRegularFrame(this.#cipher, this.#regularAad, prefix, 0, sequence, plaintext);
      this.#emit(out, prefix, ciphertext, tag);
      return;
    }
    // One-shot: the prefix (and so the IV the cipher reads) is written in place, then the
    // ciphertext and tag after it; no per-frame prefix buffer, no copy of it.
    const start = this.#written;
    const { ciphertext, tag } = sealRegularFrame(
      this.#cipher,
      this.#regularAad,
      destination,
      start,
      sequence,
      plaintext,
    );
    const tagAt = start + RegularFrame.CONTENT + ciphertext.length;
    destination.set(ciphertext, start + RegularFrame.CONTENT);
    destination.set(tag, tagAt);
    this.#written = tagAt + tag.length;
    const frame = destination.subarray(start, this.#written);
    this.#signer?.update(frame);
    out.push(frame);
  }

  #emit(out: Uint8Array[], prefix: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): void {
    if (this.#signer !== undefined) {
      this.#signer.update(prefix);
      this.#signer.update(ciphertext);
      this.#signer.update(tag);
    }
    if (this.#destination === undefined) out.push(prefix, ciphertext, tag);
    else out.push(this.#place(prefix, ciphertext, tag));
  }
}
