import { serializeEncryptionContext } from '@sealflow/core';
import { InvalidKeyUsageException, ValidationException } from './exceptions.js';

const ASYMMETRIC_ALGORITHMS = new Set(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE']);

/** Largest serialized encryption context accepted (AWS KMS allows 8,192 characters). */
const MAX_CONTEXT_BYTES = 8192;

/**
 * Reads one request object the way KMS validates it: own properties only (a polluted
 * `Object.prototype` changes nothing), unknown fields refused, each field checked for
 * type and range with a message that names the operation and the field. An `undefined`
 * value counts as absent, as in the SDK.
 */
export class RequestReader {
  readonly #op: string;
  readonly #fields: Readonly<Record<string, unknown>>;

  /** @throws {ValidationException} when `input` is not an object or has a field `allowed` does not list. */
  constructor(op: string, input: unknown, allowed: readonly string[]) {
    this.#op = op;
    if (input === undefined) input = {};
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new ValidationException(`${op}: expected a request object, got ${kind(input)}`);
    }
    const fields = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(input)) {
      const value: unknown = (input as Record<string, unknown>)[key];
      if (value === undefined) continue;
      if (!allowed.includes(key)) throw new ValidationException(`${op}: unknown request field "${key}"`);
      fields[key] = value;
    }
    this.#fields = fields;
  }

  /** Whether the request sets `field`. */
  has(field: string): boolean {
    return Object.hasOwn(this.#fields, field);
  }

  #fail(field: string, expected: string, value: unknown): never {
    throw new ValidationException(`${this.#op}: ${field}: expected ${expected}, got ${kind(value)}`);
  }

  /** A string of `min..max` characters (default 1..2048), or `undefined` when absent and optional. */
  string(field: string, options: { required: true; min?: number; max?: number }): string;
  string(field: string, options?: { required?: false; min?: number; max?: number }): string | undefined;
  string(field: string, options: { required?: boolean; min?: number; max?: number } = {}): string | undefined {
    const value = this.#fields[field];
    const { min = 1, max = 2048 } = options;
    if (value === undefined) {
      if (options.required === true) this.#fail(field, 'a value (the field is required)', value);
      return undefined;
    }
    if (typeof value !== 'string' || value.length < min || value.length > max) {
      this.#fail(field, `a string of ${min} to ${max} characters`, value);
    }
    return value;
  }

  /** An integer in `min..max`, or `undefined` when absent. */
  integer(field: string, min: number, max: number): number | undefined {
    const value = this.#fields[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.#fail(field, `an integer from ${min} to ${max}`, value);
    }
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.#fields[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.#fail(field, 'a boolean', value);
    return value;
  }

  /** Bytes of `min..max` length (a `Uint8Array`, `Buffer` included); the caller's buffer, not a copy. */
  bytes(field: string, min: number, max: number): Uint8Array {
    const value = this.#fields[field];
    if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
      this.#fail(field, `a Uint8Array of ${min} to ${max} bytes`, value);
    }
    return value;
  }

  /**
   * An encryption context: a plain object of string pairs, copied into a prototype-free
   * record (so a `__proto__` key is an ordinary pair), at most {@link MAX_CONTEXT_BYTES}
   * serialized. Absent means empty.
   */
  context(field: string): Record<string, string> {
    const value = this.#fields[field];
    const out = Object.create(null) as Record<string, string>;
    if (value === undefined) return out;
    if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
      this.#fail(field, 'an object of string pairs', value);
    }
    for (const key of Object.keys(value)) {
      const pair: unknown = (value as Record<string, unknown>)[key];
      if (key.length === 0 || typeof pair !== 'string')
        this.#fail(`${field}["${key}"]`, 'a string value under a non-empty key', pair);
      out[key] = pair;
    }
    let size: number;
    try {
      size = serializeEncryptionContext(out).length;
    } catch {
      size = Number.POSITIVE_INFINITY;
    }
    if (size > MAX_CONTEXT_BYTES) {
      throw new ValidationException(`${this.#op}: ${field}: the serialized context is over ${MAX_CONTEXT_BYTES} bytes`);
    }
    return out;
  }

  /** `GrantTokens`: accepted and checked (at most 10 strings); grants are not modelled. */
  grantTokens(): void {
    const value = this.#fields['GrantTokens'];
    if (value === undefined) return;
    if (
      !Array.isArray(value) ||
      value.length > 10 ||
      !value.every((t: unknown) => typeof t === 'string' && t.length > 0 && t.length <= 8192)
    ) {
      this.#fail('GrantTokens', 'an array of at most 10 non-empty strings', value);
    }
  }

  /** An encryption algorithm field: only `SYMMETRIC_DEFAULT` exists for these keys. */
  symmetricAlgorithm(field: string): void {
    const value = this.string(field, { max: 64 });
    if (value === undefined || value === 'SYMMETRIC_DEFAULT') return;
    if (ASYMMETRIC_ALGORITHMS.has(value)) {
      throw new InvalidKeyUsageException(
        `${this.#op}: ${field} ${value} needs an asymmetric key; keys here are symmetric AES-256 (SYMMETRIC_DEFAULT)`,
      );
    }
    this.#fail(field, 'SYMMETRIC_DEFAULT', value);
  }

  /** Raw access for fields with their own checks (tags, policies). */
  raw(field: string): unknown {
    return this.#fields[field];
  }
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value;
}
