import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';

/**
 * Boundary checks in the house style: every message names the field, what was expected
 * and what arrived (never the value of a secret). Options objects are read by own
 * properties only, so a polluted `Object.prototype` changes nothing, and unknown keys are
 * rejected.
 */

export function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, message);
}

/** A short description of a value for error messages (its type and size, not its content). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : `a string of ${value.length} characters`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * Checks `value` is a plain object whose own keys are all in `allowed`.
 * @throws {InvalidArgumentError} naming `label` otherwise.
 */
export function readOptions(value: unknown, label: string, allowed: readonly string[]): OptionReader {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${label}: expected an object, got ${describe(value)}`);
  }
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key !== 'string' || !allowed.includes(key)) {
      throw invalid(`${label}: unknown option "${String(key)}" (allowed: ${allowed.join(', ')})`);
    }
  }
  return new OptionReader(value as Record<string, unknown>, label);
}

/** Reads own properties of a checked options object; every getter names the field. */
export class OptionReader {
  readonly #object: Record<string, unknown>;
  readonly label: string;

  constructor(object: Record<string, unknown>, label: string) {
    this.#object = object;
    this.label = label;
  }

  /** The own property `key`, or undefined (inherited values are ignored). */
  raw(key: string): unknown {
    return Object.hasOwn(this.#object, key) ? this.#object[key] : undefined;
  }

  field(key: string): string {
    return `${this.label}.${key}`;
  }

  optionalString(key: string): string | undefined {
    const value = this.raw(key);
    return value === undefined ? undefined : assertString(value, this.field(key));
  }

  integer(key: string, min: number, max: number, fallback: number): number {
    const value = this.raw(key);
    return value === undefined ? fallback : assertInteger(value, this.field(key), min, max);
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw invalid(`${this.field(key)}: expected a boolean, got ${describe(value)}`);
    return value;
  }

  stringArray(key: string): readonly string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw invalid(`${this.field(key)}: expected an array of strings, got ${describe(value)}`);
    return value.map((item, i) => assertString(item, `${this.field(key)}[${i}]`));
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
