import { authenticationFailed, ErrorCodes, LimitExceededError, SealflowError, WorkerError } from '../errors.js';
import { concatBytes, readUint32 } from '../format/bytes.js';
import {
  BodyKind,
  FINAL_FRAME_MARKER,
  FrameAad,
  openRegularFrame,
  REGULAR_FRAME_OVERHEAD,
  RegularFrame,
  sealRegularFrame,
  type FrameCipher,
} from '../format/frame.js';
import { ContentType } from '../format/header.js';
import { FormatLimits } from '../format/limits.js';
import { TAG_LENGTH } from '../format/suites.js';
import { BodyDecryptor } from '../engine/body-decryptor.js';
import { FrameEncryptor } from '../engine/frame-encryptor.js';
import type { FrameOffload, OffloadDecryptInit, OffloadedBody, OffloadEncryptInit } from '../engine/frame-offload.js';

/** WebCrypto's CryptoKey (named through `crypto.subtle`: this package compiles without the DOM lib). */
type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const gcm = (iv: Uint8Array, additionalData: Uint8Array) =>
  ({ name: 'AES-GCM', iv, additionalData, tagLength: TAG_LENGTH * 8 }) as const;

/**
 * WebCrypto's frame cipher. WebCrypto copies its inputs when called (so the reused AAD and
 * the IV written in place may change for the next frame), answers ciphertext || tag as one
 * buffer, and rejects on a tag mismatch (opened: undefined, never unverified bytes).
 */
function subtleCipher(key: WebCryptoKey): FrameCipher<Promise<ArrayBuffer>, Promise<Uint8Array | undefined>> {
  return {
    sealFrame: (iv, aad, content) => crypto.subtle.encrypt(gcm(iv, aad), key, content),
    openFrame: (iv, aad, ciphertext, tag) =>
      crypto.subtle
        .decrypt(
          gcm(iv, aad),
          key,
          new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length + tag.length),
        )
        .then(
          (buffer) => new Uint8Array(buffer),
          () => undefined,
        ),
  };
}

/** Imports the message key non-extractable, then zeroes the caller's copy. */
function importMessageKey(keyBytes: Uint8Array): Promise<WebCryptoKey> {
  const key = crypto.subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  // WebCrypto copied the bytes when called; the copy here is wiped whatever the outcome.
  keyBytes.fill(0);
  return key.catch((error: unknown) => {
    throw new WorkerError(ErrorCodes.WORKER_FAILED, 'crypto.subtle could not import the message key', { cause: error });
  });
}

const checkFrameCount = (sequence: number): void => {
  if (sequence > FormatLimits.maxFrameCount)
    throw new LimitExceededError('maxFrameCount', FormatLimits.maxFrameCount, sequence);
};

class SubtleEncryptBody implements OffloadedBody {
  readonly #init: OffloadEncryptInit;
  readonly #key: Promise<WebCryptoKey>;
  readonly #aad: FrameAad;
  #header: readonly Uint8Array[] | undefined;
  #pending: Uint8Array = new Uint8Array(0);
  #sequence = 1;
  #consumed = 0;
  #aborted = false;

  constructor(init: OffloadEncryptInit) {
    this.#init = init;
    this.#header = init.header;
    this.#key = importMessageKey(init.keyBytes);
    this.#aad = new FrameAad(init.messageId, BodyKind.REGULAR, init.frameLength);
  }

  get plaintextBytes(): number {
    return this.#consumed;
  }

  get frames(): number {
    return this.#sequence - 1;
  }

  async push(chunk: Uint8Array): Promise<Uint8Array[]> {
    const { frameLength: fl, plaintextLength: known, signer } = this.#init;
    if (known !== undefined && this.#consumed + chunk.length > known) {
      throw new SealflowError(
        ErrorCodes.INVALID_ARGUMENT,
        `plaintext is longer than the declared plaintextLength ${known}`,
      );
    }
    const out = this.#takeHeader();
    // The block that ends exactly at a declared length stays for the final frame (FrameEncryptor's rule).
    const data = this.#pending.length === 0 ? chunk : concatBytes([this.#pending, chunk]);
    let whole = Math.floor(data.length / fl);
    if (whole > 0 && known !== undefined && this.#consumed + chunk.length === known && data.length % fl === 0) whole--;
    const key = await this.#key;
    const jobs: Promise<Uint8Array>[] = [];
    for (let i = 0; i < whole; i++) {
      checkFrameCount(this.#sequence);
      const frame = new Uint8Array(REGULAR_FRAME_OVERHEAD + fl);
      const sealed = sealRegularFrame(
        subtleCipher(key),
        this.#aad,
        frame,
        0,
        this.#sequence++,
        data.subarray(i * fl, (i + 1) * fl),
      );
      jobs.push(
        sealed.then((buffer) => {
          frame.set(new Uint8Array(buffer), RegularFrame.CONTENT);
          return frame;
        }),
      );
    }
    // Copied: the tail must outlive the caller's buffer until its frame fills.
    const rest = data.subarray(whole * fl);
    this.#pending = rest.length === 0 ? new Uint8Array(0) : rest.slice();
    if (data !== chunk) data.fill(0);
    this.#consumed += chunk.length;
    const frames = await Promise.all(jobs);
    if (this.#aborted) throw new WorkerError(ErrorCodes.WORKER_FAILED, 'the message was aborted');
    for (const frame of frames) {
      signer?.update(frame);
      out.push(frame);
    }
    return out;
  }

  async end(): Promise<Uint8Array[]> {
    const { backend, key, messageId, frameLength, signer, plaintextLength } = this.#init;
    if (plaintextLength !== undefined && this.#consumed !== plaintextLength) {
      throw new SealflowError(
        ErrorCodes.INVALID_ARGUMENT,
        `plaintext is ${this.#consumed} bytes, not the declared plaintextLength ${plaintextLength}`,
      );
    }
    const out = this.#takeHeader();
    // The final frame (and the footer) through the engine's own encryptor, numbered on from here.
    const tail = new FrameEncryptor({
      backend,
      key,
      messageId,
      frameLength,
      header: [],
      signer,
      plaintextLength: plaintextLength === undefined ? undefined : this.#pending.length,
      firstSequence: this.#sequence,
    });
    out.push(...tail.push(this.#pending), ...tail.end());
    this.#sequence += tail.frames;
    this.#pending.fill(0);
    return out;
  }

  abort(): void {
    this.#aborted = true;
    this.#pending.fill(0);
  }

  #takeHeader(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.#header !== undefined) {
      for (const part of this.#header) {
        this.#init.signer?.update(part);
        out.push(part);
      }
      this.#header = undefined;
    }
    return out;
  }
}

class SubtleDecryptBody implements OffloadedBody {
  readonly #init: OffloadDecryptInit;
  readonly #key: Promise<WebCryptoKey>;
  readonly #aad: FrameAad;
  readonly #unit: number;
  #pending: Uint8Array = new Uint8Array(0);
  /** From the final frame on: the engine's own body decryptor, numbered on from here. */
  #tail: BodyDecryptor | undefined;
  #sequence = 1;
  #plaintextBytes = 0;
  #aborted = false;

  constructor(init: OffloadDecryptInit) {
    this.#init = init;
    this.#key = importMessageKey(init.keyBytes);
    const fl = init.header.frameLength;
    this.#aad = new FrameAad(init.header.messageId, BodyKind.REGULAR, fl);
    this.#unit = REGULAR_FRAME_OVERHEAD + fl;
  }

  get plaintextBytes(): number {
    return this.#plaintextBytes + (this.#tail?.plaintextBytes ?? 0);
  }

  get frames(): number {
    return this.#tail?.frames ?? this.#sequence - 1;
  }

  async push(chunk: Uint8Array): Promise<Uint8Array[]> {
    if (this.#tail !== undefined) return this.#tail.push(chunk);
    const data = this.#pending.length === 0 ? chunk : concatBytes([this.#pending, chunk]);
    const key = await this.#key;
    const jobs: Promise<Uint8Array | undefined>[] = [];
    let at = 0;
    for (;;) {
      if (data.length - at >= 4 && readUint32(data, at) === FINAL_FRAME_MARKER) {
        this.#tail = this.#tailDecryptor();
        break;
      }
      if (data.length - at < this.#unit) break;
      checkFrameCount(this.#sequence);
      const frame = data.subarray(at, at + this.#unit);
      // Throws ERR_FRAME_SEQUENCE for a frame out of place, before anything of it is released.
      jobs.push(openRegularFrame(subtleCipher(key), this.#aad, frame, this.#sequence, this.#init.header.frameLength));
      this.#sequence++;
      this.#init.verifier?.update(frame);
      at += this.#unit;
    }
    const rest = data.subarray(at);
    const opened = await Promise.all(jobs);
    if (this.#aborted || opened.some((plaintext) => plaintext === undefined)) {
      for (const plaintext of opened) plaintext?.fill(0);
      throw this.#aborted
        ? new WorkerError(ErrorCodes.WORKER_FAILED, 'the message was aborted')
        : authenticationFailed();
    }
    const out = opened as Uint8Array[];
    for (const plaintext of out) this.#plaintextBytes += plaintext.length;
    if (this.#tail !== undefined) {
      this.#pending = new Uint8Array(0);
      out.push(...this.#tail.push(rest));
    } else {
      // Copied: the partial frame must outlive the caller's buffer.
      this.#pending = rest.slice();
    }
    return out;
  }

  async end(): Promise<Uint8Array[]> {
    // No final frame yet: the body decryptor reports what is missing (a truncated message).
    const tail = (this.#tail ??= this.#tailDecryptor());
    const out = this.#pending.length === 0 ? [] : tail.push(this.#pending);
    this.#pending = new Uint8Array(0);
    out.push(...tail.end());
    return out;
  }

  abort(): void {
    this.#aborted = true;
    this.#pending = new Uint8Array(0);
  }

  #tailDecryptor(): BodyDecryptor {
    const { backend, key, header, verifier, limits } = this.#init;
    return new BodyDecryptor({ backend, key, header, verifier, limits, firstSequence: this.#sequence });
  }
}

/**
 * A {@link FrameOffload} that seals and opens regular frames with WebCrypto
 * (`crypto.subtle` AES-GCM, the browser's native code, several frames in flight per
 * chunk) instead of the engine's synchronous backend; the final frame and the footer go
 * through the engine's own `FrameEncryptor`/`BodyDecryptor`, numbered on from there, so
 * the bytes are exactly the engine's. The browser entry's `createEngine` uses it when
 * `crypto.subtle` exists and no `offload` is given. Declines non-framed messages and
 * messages of at most one frame (nothing to gain).
 */
export function subtleOffload(): FrameOffload {
  return {
    name: 'subtle',
    encryptBody(init) {
      if (init.plaintextLength !== undefined && init.plaintextLength <= init.frameLength) return undefined;
      return new SubtleEncryptBody(init);
    },
    decryptBody(init) {
      const { header, messageLength } = init;
      if (header.contentType !== ContentType.FRAMED) return undefined;
      if (messageLength !== undefined && messageLength < 2 * (REGULAR_FRAME_OVERHEAD + header.frameLength))
        return undefined;
      return new SubtleDecryptBody(init);
    },
  };
}
