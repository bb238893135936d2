import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';

/**
 * Small boundary checks in the house style: every message names the field, what was
 * expected and what arrived. Options objects are read by own properties only, so a
 * polluted `Object.prototype` changes nothing, and unknown keys are rejected.
 */

export function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, message);
}

/** A short, printable description of a value for error messages (never its content). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * Checks `value` is a plain object whose own keys are all in `allowed`, and returns a
 * reader over its own properties.
 * @throws {InvalidArgumentError}
 */
export function readOptions(value: unknown, label: string, allowed: readonly string[]): OptionReader {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${label}: expected an object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw invalid(`${label}: unknown option "${key}" (allowed: ${allowed.join(', ')})`);
  }
  return new OptionReader(value as Record<string, unknown>, label);
}

/** Reads own properties of a checked options object; every getter names the field on error. */
export class OptionReader {
  readonly #object: Record<string, unknown>;
  readonly label: string;

  constructor(object: Record<string, unknown>, label: string) {
    this.#object = object;
    this.label = label;
  }

  /** The own property `key`, or undefined when absent (inherited values are ignored). */
  raw(key: string): unknown {
    return Object.hasOwn(this.#object, key) ? this.#object[key] : undefined;
  }

  has(key: string): boolean {
    return Object.hasOwn(this.#object, key) && this.#object[key] !== undefined;
  }

  field(key: string): string {
    return `${this.label}.${key}`;
  }

  string(key: string, fallback?: string): string {
    const value = this.raw(key);
    if (value === undefined && fallback !== undefined) return fallback;
    return assertString(value, this.field(key));
  }

  optionalString(key: string): string | undefined {
    const value = this.raw(key);
    return value === undefined ? undefined : assertString(value, this.field(key));
  }

  integer(key: string, min: number, max: number, fallback?: number): number {
    const value = this.raw(key);
    if (value === undefined && fallback !== undefined) return fallback;
    return assertInteger(value, this.field(key), min, max);
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw invalid(`${this.field(key)}: expected a boolean, got ${describe(value)}`);
    return value;
  }

  array(key: string): readonly unknown[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw invalid(`${this.field(key)}: expected an array, got ${describe(value)}`);
    return value;
  }
}

/** @throws {InvalidArgumentError} unless `value` is a non-empty string. */
export function assertString(value: unknown, label: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`${label}: expected a non-empty string, got ${describe(value)}`);
  }
  return value;
}

/** @throws {InvalidArgumentError} unless `value` is an integer in [min, max]. */
export function assertInteger(value: unknown, label: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${label}: expected an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** @throws {InvalidArgumentError} unless `value` is a Uint8Array (a Buffer is one). */
export function assertBytes(value: unknown, label: string): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(`${label}: expected a Uint8Array, got ${describe(value)}`);
  return value;
}

/** @throws {InvalidArgumentError} unless `value` is a function. */
export function assertFunction<T>(value: unknown, label: string): T {
  if (typeof value !== 'function') throw invalid(`${label}: expected a function, got ${describe(value)}`);
  return value as T;
}

/** @throws {InvalidArgumentError} unless `value` is a string matching `pattern`. */
export function assertPattern(value: unknown, label: string, pattern: RegExp, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw invalid(`${label}: expected ${expected}, got ${describe(value)}`);
  }
  return value;
}
