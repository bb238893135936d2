import { ErrorCodes, InvalidArgumentError, type KeyStore } from '@sealflow/core';

/** Options of {@link SealflowKeyringNode}. */
export interface SealflowKeyringOptions {
  /**
   * sealflow key stores that may unwrap: a `KmsKeyStore`/`AwsKmsKeyStore` (a KMS client),
   * an `XksKeyStore` (an XKS proxy), a `RawAesKeyStore` (a raw key). At least one.
   */
  readonly keyStores: KeyStore | readonly KeyStore[];
  /** How long an unwrapped bucket key serves, in ms (default 60,000). */
  readonly maxAgeMs?: number;
  /** Most unwrapped bucket keys kept (default 100, at most 1,000,000). */
  readonly capacity?: number;
  /** Clock, for tests (default Date.now). */
  readonly now?: () => number;
}

export interface ResolvedKeyringOptions {
  readonly keyStores: readonly KeyStore[];
  readonly maxAgeMs: number;
  readonly capacity: number;
  readonly now: () => number;
}

const KNOWN = ['keyStores', 'maxAgeMs', 'capacity', 'now'];

const invalid = (field: string, expected: string): InvalidArgumentError =>
  new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, `SealflowKeyringNode ${field}: expected ${expected}`);

/**
 * Reads the options by own properties, rejecting unknown keys.
 * @throws {InvalidArgumentError} naming the field.
 */
export function resolveKeyringOptions(options: unknown): ResolvedKeyringOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw invalid('options', 'an options object');
  const own = (key: string): unknown =>
    Object.hasOwn(options, key) ? (options as Record<string, unknown>)[key] : undefined;
  for (const key of Object.keys(options))
    if (!KNOWN.includes(key)) throw invalid(key, `a known option (${KNOWN.join(', ')}), not unknown option "${key}"`);
  const raw = own('keyStores');
  const keyStores = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as unknown[];
  if (keyStores.length === 0 || !keyStores.every(isKeyStore))
    throw invalid('keyStores', 'one key store or a non-empty array of key stores');
  const integer = (key: string, fallback: number, max: number): number => {
    const value = own(key) ?? fallback;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > max)
      throw invalid(key, `an integer from 1 to ${max}`);
    return value;
  };
  const now = own('now') ?? Date.now;
  if (typeof now !== 'function') throw invalid('now', 'a function');
  return {
    keyStores: Object.freeze([...keyStores]),
    maxAgeMs: integer('maxAgeMs', 60_000, Number.MAX_SAFE_INTEGER),
    capacity: integer('capacity', 100, 1_000_000),
    now: now as () => number,
  };
}

function isKeyStore(value: unknown): value is KeyStore {
  if (typeof value !== 'object' || value === null) return false;
  const store = value as Partial<KeyStore>;
  return (
    typeof store.id === 'string' && typeof store.canUnwrap === 'function' && typeof store.unwrapDataKey === 'function'
  );
}
