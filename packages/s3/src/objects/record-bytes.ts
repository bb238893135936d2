import { createHash } from 'node:crypto';
import { ErrorCodes, LimitExceededError, MalformedMessageError } from '@sealflow/core';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Grows a byte buffer field by field (big-endian, like the ESDK format). */
export class ByteWriter {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  u8(value: number): this {
    this.#room(1);
    this.#view.setUint8(this.#len, value);
    this.#len += 1;
    return this;
  }

  u16(value: number): this {
    this.#room(2);
    this.#view.setUint16(this.#len, value);
    this.#len += 2;
    return this;
  }

  u32(value: number): this {
    this.#room(4);
    this.#view.setUint32(this.#len, value);
    this.#len += 4;
    return this;
  }

  u64(value: number): this {
    this.#room(8);
    this.#view.setBigUint64(this.#len, BigInt(value));
    this.#len += 8;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.#room(value.length);
    this.#buf.set(value, this.#len);
    this.#len += value.length;
    return this;
  }

  /** A UTF-8 string with a u16 length; refuses one longer than `max` bytes. */
  str16(value: string, max: number, label: string): this {
    const bytes = encoder.encode(value);
    if (bytes.length > max) throw new LimitExceededError(label, max, bytes.length);
    return this.u16(bytes.length).bytes(bytes);
  }

  /** Pairs sorted by key (code-unit order), with a u16 count; each string capped at `max` bytes. */
  map16(value: Readonly<Record<string, string>>, maxPairs: number, max: number, label: string): this {
    const keys = Object.keys(value).sort();
    if (keys.length > maxPairs) throw new LimitExceededError(`${label} pairs`, maxPairs, keys.length);
    this.u16(keys.length);
    for (const key of keys) this.str16(key, max, label).str16(value[key] as string, max, label);
    return this;
  }

  /** The bytes written so far, followed by their SHA-256 digest. */
  sealed(): Uint8Array {
    const body = this.#buf.subarray(0, this.#len);
    const digest = createHash('sha256').update(body).digest();
    const out = new Uint8Array(body.length + digest.length);
    out.set(body);
    out.set(digest, body.length);
    return out;
  }
}

export const corrupt = (what: string): MalformedMessageError =>
  new MalformedMessageError(ErrorCodes.MALFORMED_MESSAGE, `stored ${what} is corrupt`);
const truncated = (what: string): MalformedMessageError =>
  new MalformedMessageError(ErrorCodes.TRUNCATED, `stored ${what} is truncated`);

export const DIGEST_LENGTH = 32;

/**
 * Reads a record field by field. Every read checks the bytes left first (a short record is
 * `ERR_TRUNCATED`), every length against its cap (`ERR_LIMIT_EXCEEDED`) before anything is
 * allocated; strings must be valid UTF-8.
 */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #what: string;
  #at = 0;

  /** Checks the trailing SHA-256 digest first: a record that fails it is `ERR_MALFORMED_MESSAGE`, whatever else it holds. */
  constructor(bytes: Uint8Array, what: string, maxLength: number) {
    if (bytes.length > maxLength) throw new LimitExceededError(`stored ${what}`, maxLength, bytes.length);
    if (bytes.length < DIGEST_LENGTH) throw truncated(what);
    const body = bytes.subarray(0, bytes.length - DIGEST_LENGTH);
    const digest = createHash('sha256').update(body).digest();
    if (!digest.equals(bytes.subarray(body.length))) throw corrupt(what);
    this.#bytes = body;
    this.#view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    this.#what = what;
  }

  #need(n: number): number {
    if (this.#at + n > this.#bytes.length) throw truncated(this.#what);
    const at = this.#at;
    this.#at += n;
    return at;
  }

  u8(): number {
    return this.#view.getUint8(this.#need(1));
  }

  u16(): number {
    return this.#view.getUint16(this.#need(2));
  }

  u32(): number {
    return this.#view.getUint32(this.#need(4));
  }

  u64(): number {
    const value = this.#view.getBigUint64(this.#need(8));
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw corrupt(this.#what);
    return Number(value);
  }

  /** `length` bytes (a view into the record), after checking `length <= max`. */
  bytes(length: number, max: number, label: string): Uint8Array {
    if (length > max) throw new LimitExceededError(`stored ${this.#what}: ${label}`, max, length);
    const at = this.#need(length);
    return this.#bytes.subarray(at, at + length);
  }

  str16(max: number, label: string): string {
    const bytes = this.bytes(this.u16(), max, label);
    try {
      return decoder.decode(bytes);
    } catch {
      throw corrupt(this.#what);
    }
  }

  map16(maxPairs: number, max: number, label: string): Record<string, string> {
    const count = this.u16();
    if (count > maxPairs) throw new LimitExceededError(`stored ${this.#what}: ${label} pairs`, maxPairs, count);
    const out: Record<string, string> = Object.create(null) as Record<string, string>;
    let previous: string | undefined;
    for (let i = 0; i < count; i++) {
      const key = this.str16(max, label);
      // Sorted and unique, so one map has exactly one encoding.
      if (previous !== undefined && !(key > previous)) throw corrupt(this.#what);
      previous = key;
      out[key] = this.str16(max, label);
    }
    return { ...out };
  }

  /** Fails unless every byte was read (no trailing bytes before the digest). */
  end(): void {
    if (this.#at !== this.#bytes.length) throw corrupt(this.#what);
  }
}
