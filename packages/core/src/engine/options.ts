import type { CipherBackend } from '../crypto/backend.js';
import { autoBackendOr, backendByName, type BackendName } from '../crypto/backend-registry.js';
import { ErrorCodes, InvalidArgumentError } from '../errors.js';
import { DEFAULT_DECRYPT_LIMITS, DEFAULT_FRAME_LENGTH, FormatLimits, type DecryptLimits } from '../format/limits.js';
import {
  CommitmentPolicy,
  DEFAULT_SUITE,
  ENCRYPT_SUITES,
  getSuite,
  type AlgorithmSuite,
  type SuiteId,
} from '../format/suites.js';
import { assertContext, assertInteger, assertPlainObject, invalid, readOptions } from '../assert.js';

import type { EncryptionContext, KeyStore } from '../keys/key-store.js';
import type { BucketKeyOptions } from '../keys/bucket-key-cache.js';
import type { FrameOffload } from './frame-offload.js';
import type { PlaintextRange } from './range-reader.js';

const BACKEND_NAMES: readonly string[] = ['auto', 'native', 'node', 'noble'] satisfies BackendName[];

/** Options of `createEngine`. */
export interface EngineOptions {
  /** One store, or several: the first generates, every store wraps, decrypt fails over. */
  readonly keyStore: KeyStore | readonly KeyStore[];
  /** Suite for new messages: 0x0478 (default) or 0x0578 (ECDSA P-384 signed). */
  readonly suite?: SuiteId;
  /** Frame length for new messages, 1 to 2^32 - 1 bytes (default 64 KiB). */
  readonly frameLength?: number;
  /** Default REQUIRE_ENCRYPT_REQUIRE_DECRYPT: only committing suites are decrypted. */
  readonly commitmentPolicy?: CommitmentPolicy;
  /** Decrypt-side caps on untrusted input. */
  readonly limits?: Partial<DecryptLimits>;
  /**
   * Cipher backend: a CipherBackend object, or a name. `auto` (the default) is the native
   * backend when `@sealflow/native` is loaded, else node:crypto (the browser entry:
   * `webBackend`); `native` and `noble` need their module imported first
   * (`@sealflow/native`, `@sealflow/core/noble`); `node` is refused by the browser entry.
   */
  readonly backend?: CipherBackend | BackendName;
  /** Enables S3-style bucket keys (data-key caching); see docs. */
  readonly bucketKeys?: BucketKeyOptions;
  /**
   * Seals and opens frames of large messages elsewhere (e.g. `createFramePool()` from
   * `@sealflow/parallel`); output bytes are the same. The engine does not own it: close it
   * yourself after `engine.close()`.
   */
  readonly offload?: FrameOffload;
}

/** Per-call bucket-key option: `true` derives the bucket context from `aws:s3:arn`. */
export type BucketKeyOption = true | { readonly context: EncryptionContext };

/** Options of `encrypt`, `encryptStream` and friends. */
export interface EncryptOptions {
  readonly context?: EncryptionContext;
  /** Key ID for the primary store's generate call (store-specific: ARN, alias, ...). */
  readonly keyId?: string;
  readonly frameLength?: number;
  readonly suite?: SuiteId;
  /** Context keys authenticated but not stored in the header; decrypt must reproduce them. */
  readonly requiredContextKeys?: readonly string[];
  /** Streams only: the exact plaintext length, when known (enables a full final frame). */
  readonly plaintextLength?: number;
  /** Serve the data key from the bucket-key cache. */
  readonly bucketKey?: BucketKeyOption;
  readonly signal?: AbortSignal;
  /**
   * Streams only (the stream, web-stream and iterable APIs; one-shot calls refuse it): fail
   * with ERR_TIMEOUT when the source sends nothing for this many milliseconds (1 to
   * 2^31 - 1) while the stream waits for input. Time in a key-store call, or while the
   * output waits for a slow consumer, does not count. Default: no timeout.
   */
  readonly idleTimeoutMs?: number;
}

/** Options of `decrypt`, `decryptStream` and friends. */
export interface DecryptOptions {
  /** Pairs that must be present, with these values, in the authenticated context. */
  readonly expectContext?: EncryptionContext;
  /** Pairs authenticated but not stored in the header (required encryption context), supplied again. */
  readonly reproducedContext?: EncryptionContext;
  /** Refuse signing suites right after the header. */
  readonly unsignedOnly?: boolean;
  readonly signal?: AbortSignal;
  /**
   * Streams only (the stream, web-stream and iterable APIs; one-shot calls refuse it): fail
   * with ERR_TIMEOUT when the source sends nothing for this many milliseconds (1 to
   * 2^31 - 1) while the stream waits for input. Time in a key-store call, or while the
   * output waits for a slow consumer, does not count. Default: no timeout.
   */
  readonly idleTimeoutMs?: number;
}

export interface ResolvedEngineOptions {
  readonly stores: readonly KeyStore[];
  readonly suite: SuiteId;
  readonly frameLength: number;
  readonly commitmentPolicy: CommitmentPolicy;
  readonly limits: DecryptLimits;
  readonly backend: CipherBackend;
  readonly bucketKeys: BucketKeyOptions | undefined;
  readonly offload: FrameOffload | undefined;
}

const ENGINE_KEYS = [
  'keyStore',
  'suite',
  'frameLength',
  'commitmentPolicy',
  'limits',
  'backend',
  'bucketKeys',
  'offload',
] as const;
const LIMIT_KEYS = [
  'maxEncryptedDataKeys',
  'maxFrameLength',
  'maxContextBytes',
  'maxHeaderBytes',
  'maxNonFramedBytes',
] as const;
export const ENCRYPT_KEYS = [
  'context',
  'keyId',
  'frameLength',
  'suite',
  'requiredContextKeys',
  'plaintextLength',
  'bucketKey',
  'signal',
  'idleTimeoutMs',
] as const;
export const DECRYPT_KEYS = ['expectContext', 'reproducedContext', 'unsignedOnly', 'signal', 'idleTimeoutMs'] as const;

function isKeyStore(value: unknown): value is KeyStore {
  const v = value as Partial<KeyStore> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.id === 'string' &&
    typeof v.canUnwrap === 'function' &&
    typeof v.generateDataKey === 'function' &&
    typeof v.wrapDataKey === 'function' &&
    typeof v.unwrapDataKey === 'function'
  );
}

export function assertSuite(value: unknown, label: string): AlgorithmSuite {
  if (!ENCRYPT_SUITES.includes(value as SuiteId)) throw invalid(label, '0x0478 or 0x0578', value);
  return getSuite(value as number) as AlgorithmSuite;
}

/**
 * Validates `createEngine` options; `platformBackend` is the entry's default backend.
 * @throws {InvalidArgumentError}
 */
export function resolveEngineOptions(options: unknown, platformBackend: CipherBackend): ResolvedEngineOptions {
  const o = readOptions(options, 'createEngine options', ENGINE_KEYS, { optional: true });
  const keyStore = o.raw('keyStore');
  const stores = Array.isArray(keyStore) ? (keyStore as unknown[]) : keyStore === undefined ? [] : [keyStore];
  if (stores.length === 0)
    throw invalid('createEngine keyStore', 'a KeyStore or a non-empty array of KeyStores', keyStore);
  stores.forEach((store, i) => {
    if (!isKeyStore(store)) throw invalid(`createEngine keyStore[${i}]`, 'an object implementing KeyStore', store);
  });
  const suite = o.has('suite') ? assertSuite(o.raw('suite'), 'createEngine suite').id : DEFAULT_SUITE;
  const frameLength = assertInteger(
    o.raw('frameLength') ?? DEFAULT_FRAME_LENGTH,
    'createEngine frameLength',
    1,
    FormatLimits.maxFrameLength,
  );
  const policy = o.raw('commitmentPolicy') ?? CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT;
  if (!Object.values(CommitmentPolicy).includes(policy as CommitmentPolicy)) {
    throw invalid('createEngine commitmentPolicy', Object.values(CommitmentPolicy).join(' | '), policy);
  }
  const given = readOptions(o.raw('limits'), 'createEngine limits', LIMIT_KEYS, { optional: true });
  const limits = { ...DEFAULT_DECRYPT_LIMITS };
  const caps = {
    maxEncryptedDataKeys: FormatLimits.uint16Max,
    maxFrameLength: FormatLimits.maxFrameLength,
    maxContextBytes: FormatLimits.uint16Max,
    maxHeaderBytes: 64 * 1024 * 1024,
    maxNonFramedBytes: FormatLimits.maxNonFramedLength,
  };
  for (const key of LIMIT_KEYS) {
    if (given.has(key)) limits[key] = assertInteger(given.raw(key), `createEngine limits.${key}`, 1, caps[key]);
  }
  const givenBackend = o.raw('backend') as CipherBackend | BackendName | undefined;
  let backend: CipherBackend;
  if (typeof givenBackend === 'string') {
    if (!BACKEND_NAMES.includes(givenBackend))
      throw invalid('createEngine backend', `${BACKEND_NAMES.join(' | ')} or a CipherBackend`, givenBackend);
    backend = backendByName(givenBackend, platformBackend);
  } else if (
    givenBackend !== undefined &&
    (typeof givenBackend !== 'object' || givenBackend === null || typeof givenBackend.seal !== 'function')
  ) {
    throw invalid('createEngine backend', `${BACKEND_NAMES.join(' | ')} or a CipherBackend`, givenBackend);
  } else {
    backend = givenBackend ?? autoBackendOr(platformBackend);
  }
  const offload = o.raw('offload') as FrameOffload | undefined;
  if (
    offload !== undefined &&
    (typeof offload !== 'object' ||
      offload === null ||
      typeof offload.encryptBody !== 'function' ||
      typeof offload.decryptBody !== 'function')
  ) {
    throw invalid('createEngine offload', 'a FrameOffload (e.g. createFramePool() from @sealflow/parallel)', offload);
  }
  // The cache validates its own fields; here only the shape, so null is not read as "off".
  const bucketKeys = o.raw('bucketKeys');
  if (bucketKeys !== undefined)
    assertPlainObject(bucketKeys, 'createEngine bucketKeys', 'a bucket-key options object { maxAgeMs, ... }');
  return {
    stores: stores as KeyStore[],
    suite,
    frameLength,
    commitmentPolicy: policy as CommitmentPolicy,
    limits: Object.freeze(limits),
    backend,
    bucketKeys: bucketKeys as BucketKeyOptions | undefined,
    offload,
  };
}

export function assertOptionalContext(value: unknown, label: string): EncryptionContext | undefined {
  return value === undefined ? undefined : assertContext(value, label);
}

export function assertSignal(value: unknown, label: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw invalid(label, 'an AbortSignal', value);
  return value;
}

/** The longest delay `setTimeout` keeps (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 0x7fff_ffff;

export function assertIdleTimeout(value: unknown, label: string): number | undefined {
  return value === undefined ? undefined : assertInteger(value, label, 1, MAX_TIMEOUT_MS);
}

/**
 * `plan`, for a one-shot call: the stream-only `idleTimeoutMs` is refused (the input is
 * already whole; a range source's reads are the caller's to bound).
 * @throws {InvalidArgumentError}
 */
export function oneShot<P extends { readonly idleTimeoutMs: number | undefined }>(plan: P, call: string): P {
  if (plan.idleTimeoutMs !== undefined)
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      `${call} idleTimeoutMs: streams only (the stream, web-stream and iterable APIs)`,
    );
  return plan;
}

export function assertStringList(value: unknown, label: string): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw invalid(label, 'an array of strings', value);
  return value as string[];
}

/** `start` and `end` (end exclusive), or `suffixLength` alone. */
export function assertRange(start: unknown, end: unknown, suffixLength: unknown): PlaintextRange {
  if (suffixLength !== undefined) {
    if (start !== undefined || end !== undefined)
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        'decryptRange options: either start and end, or suffixLength alone',
      );
    if (typeof suffixLength !== 'number' || !Number.isSafeInteger(suffixLength) || suffixLength < 1)
      throw invalid('decryptRange suffixLength', 'a positive integer', suffixLength);
    return { suffixLength };
  }
  if (typeof start !== 'number' || !Number.isSafeInteger(start) || start < 0)
    throw invalid('decryptRange start', 'a non-negative integer', start);
  if (typeof end !== 'number' || !Number.isSafeInteger(end) || end < start)
    throw invalid('decryptRange end', `an integer >= start (${String(start)})`, end);
  return { start, end };
}
