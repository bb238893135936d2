import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import {
  bodyAad,
  BodyKind,
  FINAL_FRAME_MARKER,
  FINAL_FRAME_OVERHEAD,
  readUint32,
  REGULAR_FRAME_OVERHEAD,
  writeUint32,
} from '@sealflow/core/frames';

/**
 * The practical limit: raw node:crypto AES-256-GCM sealing exactly the frames sealflow
 * writes (same IVs, AADs and layout), with nothing else: no key store, no header work, no
 * engine. It is given the derived key and the header of a sealflow message made with fixed
 * materials, so its messages are complete and every contestant can open them; it opens only
 * messages under that key.
 */
export class RawNodeFrames {
  readonly #key: KeyObject;
  readonly #messageId: Uint8Array;
  readonly #frameLength: number;
  readonly #header: Uint8Array;
  readonly #regularAad: Uint8Array;
  readonly #seqOffset: number;

  constructor(derivedKey: Uint8Array, messageId: Uint8Array, frameLength: number, header: Uint8Array) {
    this.#key = createSecretKey(derivedKey);
    this.#messageId = messageId;
    this.#frameLength = frameLength;
    this.#header = header;
    this.#regularAad = bodyAad(messageId, BodyKind.REGULAR, 0, frameLength);
    this.#seqOffset = messageId.length + BodyKind.REGULAR.length;
  }

  get headerLength(): number {
    return this.#header.length;
  }

  /** The header every message under these materials starts with. */
  get header(): Uint8Array {
    return this.#header;
  }

  /** Header and frames in one buffer: the last block is the final frame, as sealflow writes a known length. */
  seal(plaintext: Uint8Array): Uint8Array {
    const fl = this.#frameLength;
    const regular = plaintext.length === 0 ? 0 : Math.ceil(plaintext.length / fl) - 1;
    const last = plaintext.length - regular * fl;
    const out = Buffer.allocUnsafe(
      this.#header.length + regular * (REGULAR_FRAME_OVERHEAD + fl) + FINAL_FRAME_OVERHEAD + last,
    );
    out.set(this.#header);
    let at = this.#header.length;
    for (let i = 0; i < regular; i++) at = this.#sealRegular(plaintext.subarray(i * fl, (i + 1) * fl), i + 1, out, at);
    this.#sealFinal(plaintext.subarray(regular * fl), regular + 1, out, at);
    return out;
  }

  /** Frames as pieces, for streams: `chunk` must be exactly one frame (the bench's stream chunks are). */
  sealFrame(chunk: Uint8Array, sequence: number): Uint8Array[] {
    const prefix = Buffer.allocUnsafe(REGULAR_FRAME_OVERHEAD - 16);
    writeUint32(prefix, 0, sequence);
    prefix.fill(0, 4, 12);
    writeUint32(prefix, 12, sequence);
    writeUint32(this.#regularAad, this.#seqOffset, sequence);
    const cipher = createCipheriv('aes-256-gcm', this.#key, prefix.subarray(4), { authTagLength: 16 });
    cipher.setAAD(this.#regularAad);
    const ciphertext = cipher.update(chunk);
    cipher.final();
    return [prefix, ciphertext, cipher.getAuthTag()];
  }

  /** The final frame and nothing else, for streams. */
  sealFinalFrame(content: Uint8Array, sequence: number): Uint8Array {
    const out = Buffer.allocUnsafe(FINAL_FRAME_OVERHEAD + content.length);
    this.#sealFinal(content, sequence, out, 0);
    return out;
  }

  /** Opens a whole message made under this key (header skipped), into one buffer. */
  open(message: Uint8Array): Uint8Array {
    const fl = this.#frameLength;
    const unit = REGULAR_FRAME_OVERHEAD + fl;
    let at = this.#header.length;
    const rest = message.length - at - FINAL_FRAME_OVERHEAD;
    const regular = Math.floor(rest / unit);
    const out = Buffer.allocUnsafe(regular * fl + (rest - regular * unit));
    let written = 0;
    for (let sequence = 1; ; sequence++) {
      const final = readUint32(message, at) === FINAL_FRAME_MARKER;
      if (final) {
        const length = readUint32(message, at + 20);
        const iv = message.subarray(at + 8, at + 20);
        const body = message.subarray(at + 24, at + 24 + length);
        const tag = message.subarray(at + 24 + length, at + 40 + length);
        written += this.#open(iv, bodyAad(this.#messageId, BodyKind.FINAL, sequence, length), body, tag, out, written);
        return out.subarray(0, written);
      }
      writeUint32(this.#regularAad, this.#seqOffset, sequence);
      written += this.#open(
        message.subarray(at + 4, at + 16),
        this.#regularAad,
        message.subarray(at + 16, at + 16 + fl),
        message.subarray(at + 16 + fl, at + unit),
        out,
        written,
      );
      at += unit;
    }
  }

  /** Opens one regular frame (a stream unit). */
  openFrame(frame: Uint8Array, sequence: number): Uint8Array {
    const fl = this.#frameLength;
    writeUint32(this.#regularAad, this.#seqOffset, sequence);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, frame.subarray(4, 16), { authTagLength: 16 });
    decipher.setAAD(this.#regularAad);
    decipher.setAuthTag(frame.subarray(16 + fl));
    const plaintext = decipher.update(frame.subarray(16, 16 + fl));
    decipher.final();
    return plaintext;
  }

  #sealRegular(plaintext: Uint8Array, sequence: number, out: Buffer, at: number): number {
    writeUint32(out, at, sequence);
    out.fill(0, at + 4, at + 12);
    writeUint32(out, at + 12, sequence);
    writeUint32(this.#regularAad, this.#seqOffset, sequence);
    const cipher = createCipheriv('aes-256-gcm', this.#key, out.subarray(at + 4, at + 16), { authTagLength: 16 });
    cipher.setAAD(this.#regularAad);
    out.set(cipher.update(plaintext), at + 16);
    cipher.final();
    out.set(cipher.getAuthTag(), at + 16 + plaintext.length);
    return at + 32 + plaintext.length;
  }

  #sealFinal(content: Uint8Array, sequence: number, out: Buffer, at: number): void {
    writeUint32(out, at, FINAL_FRAME_MARKER);
    writeUint32(out, at + 4, sequence);
    out.fill(0, at + 8, at + 16);
    writeUint32(out, at + 16, sequence);
    writeUint32(out, at + 20, content.length);
    const cipher = createCipheriv('aes-256-gcm', this.#key, out.subarray(at + 8, at + 20), { authTagLength: 16 });
    cipher.setAAD(bodyAad(this.#messageId, BodyKind.FINAL, sequence, content.length));
    if (content.length > 0) out.set(cipher.update(content), at + 24);
    cipher.final();
    out.set(cipher.getAuthTag(), at + 24 + content.length);
  }

  #open(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array, out: Buffer, at: number): number {
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: 16 });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    if (ciphertext.length > 0) out.set(decipher.update(ciphertext), at);
    decipher.final();
    return ciphertext.length;
  }
}
