import { assertFunction, assertInteger, invalidArgument, readOptions } from '../assert.js';
import type { BucketKeyLayout } from './bucket-key-edk.js';

/** Engine option `bucketKeys`. Every limit is capped by the format's hard limits. */
export interface BucketKeyOptions {
  /** How long a bucket key serves new messages, and an unwrapped one serves decrypts (required), in ms. */
  readonly maxAgeMs: number;
  /** Messages per bucket key (default and cap 2^32, the ESDK caching limit). */
  readonly maxMessages?: number;
  /** Plaintext bytes per bucket key (default and cap 2^53 - 1). */
  readonly maxBytes?: number;
  /** Most entries kept, for encrypt and for decrypt each (default 1000, at most 1,000,000). */
  readonly capacity?: number;
  /** Clock, for tests (default Date.now). With it, expired keys are wiped on the next cache use. */
  readonly now?: () => number;
  /**
   * Layout of new bucket-key messages: 2 (default) wraps each message's random data key
   * under the bucket key the way the ESDK raw AES keyring does, so any ESDK can read it;
   * 1 derives it with HKDF (sealflow-only, the layout before 2). Both are always read.
   */
  readonly layout?: BucketKeyLayout;
}

/** Validated `bucketKeys` options. */
export interface ResolvedBucketKeyOptions {
  readonly maxAgeMs: number;
  readonly maxMessages: number;
  readonly maxBytes: number;
  readonly capacity: number;
  readonly now: () => number;
  readonly layout: BucketKeyLayout;
  /** No clock was injected: a timer may wipe expired keys while the cache is idle. */
  readonly realClock: boolean;
}

/** spec: esdk caching CMM: a cached data key may encrypt at most 2^32 messages. */
export const MAX_BUCKET_KEY_MESSAGES: number = 2 ** 32;
/** Bytes are counted in a JS number: 2^53 - 1 is the largest exact count. */
export const MAX_BUCKET_KEY_BYTES: number = Number.MAX_SAFE_INTEGER;
const MAX_CAPACITY = 1_000_000;

/**
 * Reads `createEngine({ bucketKeys })` by own properties, rejecting unknown keys.
 * @throws {InvalidArgumentError} naming the field, when one is missing or out of range.
 */
export function resolveBucketKeyOptions(options: unknown): ResolvedBucketKeyOptions {
  const o = readOptions(options, 'createEngine bucketKeys', [
    'maxAgeMs',
    'maxMessages',
    'maxBytes',
    'capacity',
    'now',
    'layout',
  ]);
  if (!o.has('maxAgeMs')) throw invalidArgument('createEngine bucketKeys.maxAgeMs: required');
  const maxAgeMs = assertInteger(o.raw('maxAgeMs'), 'createEngine bucketKeys.maxAgeMs', 1, Number.MAX_SAFE_INTEGER);
  const maxMessages = assertInteger(
    o.raw('maxMessages') ?? MAX_BUCKET_KEY_MESSAGES,
    'createEngine bucketKeys.maxMessages',
    1,
    MAX_BUCKET_KEY_MESSAGES,
  );
  const maxBytes = assertInteger(
    o.raw('maxBytes') ?? MAX_BUCKET_KEY_BYTES,
    'createEngine bucketKeys.maxBytes',
    1,
    MAX_BUCKET_KEY_BYTES,
  );
  const capacity = assertInteger(o.raw('capacity') ?? 1000, 'createEngine bucketKeys.capacity', 1, MAX_CAPACITY);
  const now = o.has('now') ? assertFunction<() => number>(o.raw('now'), 'createEngine bucketKeys.now') : undefined;
  const layout = assertInteger(o.raw('layout') ?? 2, 'createEngine bucketKeys.layout', 1, 2) as BucketKeyLayout;
  return {
    maxAgeMs,
    maxMessages,
    maxBytes,
    capacity,
    layout,
    now: now ?? (() => Date.now()),
    realClock: now === undefined,
  };
}
