import { ErrorCodes, InvalidArgumentError } from '../errors.js';

/** Argument checks shared by the public entry points. Messages name the field. */

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : value instanceof Uint8Array ? `${value.length} bytes` : typeof value;

export function invalid(label: string, expected: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, `${label}: expected ${expected}, got ${describe(value)}`);
}

export function assertBytes(value: unknown, label: string, lengths?: readonly number[]): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(label, 'a Uint8Array', value);
  if (lengths !== undefined && !lengths.includes(value.length)) throw invalid(label, `${lengths.join(' or ')} bytes`, value);
}

export function assertString(value: unknown, label: string, { nonEmpty = true } = {}): asserts value is string {
  if (typeof value !== 'string' || (nonEmpty && value.length === 0)) throw invalid(label, 'a non-empty string', value);
}

export function assertInteger(value: unknown, label: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(label, `an integer from ${min} to ${max}`, value);
  }
}

export function assertPlainObject(value: unknown, label: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw invalid(label, 'an options object', value);
  }
}

/**
 * Reads an options object by own properties only (a polluted prototype changes nothing)
 * and rejects keys it does not know.
 */
export function readOptions<K extends string>(value: unknown, label: string, known: readonly K[]): Partial<Record<K, unknown>> {
  // Prototype-free: reading an option the caller did not give must find nothing, even
  // when Object.prototype has been polluted with a property of that name.
  const out = Object.create(null) as Partial<Record<K, unknown>>;
  if (value === undefined) return out;
  assertPlainObject(value, label);
  for (const key of Object.keys(value)) {
    if (!(known as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, `${label}: unknown option "${key}" (known: ${known.join(', ')})`);
    }
    const v = value[key];
    if (v !== undefined) out[key as K] = v;
  }
  return out;
}

/** Validates a caller-supplied encryption context (string to string, own keys only). */
export function assertContext(value: unknown, label: string): asserts value is Readonly<Record<string, string>> {
  assertPlainObject(value, label);
  for (const key of Object.keys(value)) {
    if (typeof value[key] !== 'string') throw invalid(`${label}["${key}"]`, 'a string value', value[key]);
  }
}
