import { ErrorCodes, InvalidArgumentError } from './errors.js';

/**
 * Argument checks for every public entry point: the core's, and (through
 * `@sealflow/core/validate`) the sibling packages'. Messages read
 * `<field>: expected <what>, got <what arrived>`, where what arrived is told by type and
 * size only ({@link describe}), so a rejected secret is never echoed. Each `assertX`
 * returns the checked value, so it serves as a statement or inside an expression.
 */

/**
 * A short description of a value for error messages: its type and size, never its
 * content (a string may be a passphrase or a key).
 */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value instanceof Uint8Array) return `a Uint8Array of ${value.length} bytes`;
  if (typeof value === 'string')
    return value.length === 0 ? 'an empty string' : `a string of ${value.length} characters`;
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** An `ERR_INVALID_ARGUMENT` error with `message` as is. */
export function invalidArgument(message: string): InvalidArgumentError {
  return new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, message);
}

/** `<label>: expected <expected>, got <description of value>` as an `ERR_INVALID_ARGUMENT` error. */
export function invalid(label: string, expected: string, value: unknown): InvalidArgumentError {
  return invalidArgument(`${label}: expected ${expected}, got ${describe(value)}`);
}

/**
 * @throws {InvalidArgumentError} unless `value` is a Uint8Array (a Buffer is one), of one
 * of `lengths` when given.
 */
export function assertBytes(value: unknown, label: string, lengths?: readonly number[]): Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(label, 'a Uint8Array', value);
  if (lengths !== undefined && !lengths.includes(value.length))
    throw invalid(label, `${lengths.join(' or ')} bytes`, value);
  return value;
}

/** @throws {InvalidArgumentError} unless `value` is a non-empty string. */
export function assertString(value: unknown, label: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(label, 'a non-empty string', value);
  return value;
}

/** @throws {InvalidArgumentError} unless `value` is a string matching `pattern` (`expected` says what that means). */
export function assertPattern(value: unknown, label: string, pattern: RegExp, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw invalid(label, expected, value);
  return value;
}

/** @throws {InvalidArgumentError} unless `value` is a safe integer in [min, max]. */
export function assertInteger(value: unknown, label: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(label, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** @throws {InvalidArgumentError} unless `value` is a function; the caller names its type `T`. */
export function assertFunction<T extends (...args: never[]) => unknown>(value: unknown, label: string): T {
  if (typeof value !== 'function') throw invalid(label, 'a function', value);
  return value as T;
}

/** @throws {InvalidArgumentError} unless `value` is an object (not null, an array or bytes). */
export function assertPlainObject(
  value: unknown,
  label: string,
  expected = 'an object',
): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw invalid(label, expected, value);
  }
  return value as Readonly<Record<string, unknown>>;
}

/**
 * Validates a caller-supplied encryption context: string to string, own keys only.
 * @throws {InvalidArgumentError} naming the first key whose value is not a string.
 */
export function assertContext(value: unknown, label: string): Readonly<Record<string, string>> {
  const record = assertPlainObject(value, label);
  for (const key of Object.keys(record)) {
    if (typeof record[key] !== 'string') throw invalid(`${label}["${key}"]`, 'a string value', record[key]);
  }
  return record as Readonly<Record<string, string>>;
}

/**
 * Reads an options object: its own enumerable string keys only (a polluted
 * `Object.prototype` changes nothing), each of them one of `known` (an unknown key is
 * refused, naming the allowed ones). The values are copied once into a prototype-free
 * record, so what was checked is what is used. With `optional`, `undefined` reads as
 * no options at all.
 * @throws {InvalidArgumentError} for a value that is not an object, or an unknown key.
 */
export function readOptions<K extends string>(
  value: unknown,
  label: string,
  known: readonly K[],
  { optional = false }: { readonly optional?: boolean } = {},
): OptionReader<K> {
  const values = Object.create(null) as Partial<Record<K, unknown>>;
  if (value === undefined && optional) return new OptionReader(values, label);
  const record = assertPlainObject(value, label, 'an options object');
  for (const key of Object.keys(record)) {
    if (!(known as readonly string[]).includes(key)) {
      throw invalidArgument(`${label}: unknown option "${key}" (allowed: ${known.join(', ')})`);
    }
    const v = record[key];
    if (v !== undefined) values[key as K] = v;
  }
  return new OptionReader(values, label);
}

/**
 * The checked own options of one object (see {@link readOptions}). Getters that check a
 * value name the field `<label>.<key>`; callers with their own field names read
 * {@link OptionReader.raw} and check it themselves.
 */
export class OptionReader<K extends string> {
  readonly label: string;
  readonly #values: Partial<Record<K, unknown>>;

  /** @internal Built by {@link readOptions} from a prototype-free record. */
  constructor(values: Partial<Record<K, unknown>>, label: string) {
    this.#values = values;
    this.label = label;
  }

  /** The value given for `key`, or undefined (an own `undefined` reads as absent). */
  raw(key: K): unknown {
    return this.#values[key];
  }

  /** Whether a value other than `undefined` was given for `key`. */
  has(key: K): boolean {
    return this.#values[key] !== undefined;
  }

  /** The field name used in messages: `<label>.<key>`. */
  field(key: K): string {
    return `${this.label}.${key}`;
  }

  /** @throws {InvalidArgumentError} unless the value is a non-empty string, or absent with a `fallback`. */
  string(key: K, fallback?: string): string {
    const value = this.raw(key);
    if (value === undefined && fallback !== undefined) return fallback;
    return assertString(value, this.field(key));
  }

  /** @throws {InvalidArgumentError} unless the value is absent or a non-empty string. */
  optionalString(key: K): string | undefined {
    const value = this.raw(key);
    return value === undefined ? undefined : assertString(value, this.field(key));
  }

  /** @throws {InvalidArgumentError} unless the value is an integer in [min, max], or absent with a `fallback`. */
  integer(key: K, min: number, max: number, fallback?: number): number {
    const value = this.raw(key);
    if (value === undefined && fallback !== undefined) return fallback;
    return assertInteger(value, this.field(key), min, max);
  }

  /** @throws {InvalidArgumentError} unless the value is absent (`fallback`) or a boolean. */
  boolean(key: K, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') throw invalid(this.field(key), 'a boolean', value);
    return value;
  }

  /** @throws {InvalidArgumentError} unless the value is absent or an array. */
  array(key: K): readonly unknown[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw invalid(this.field(key), 'an array', value);
    return value;
  }

  /** @throws {InvalidArgumentError} unless the value is absent or an array of non-empty strings. */
  stringArray(key: K): readonly string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value)) throw invalid(this.field(key), 'an array of strings', value);
    return value.map((item: unknown, i) => assertString(item, `${this.field(key)}[${i}]`));
  }
}
