import { readOptions } from '@sealflow/core/validate';

/**
 * When and how long to retry a KMS call. Throttling, 5xx answers, network failures and
 * per-attempt timeouts are retried with exponential backoff and full jitter
 * (delay = random(0, min(maxDelayMs, baseDelayMs * 2^(attempt - 1)))), which spreads
 * the retries of many clients over time instead of bunching them (the AWS architecture
 * blog's "Exponential Backoff And Jitter"). Anything else (not found, disabled, access
 * denied, invalid ciphertext, ...) fails at once: retrying cannot change the answer.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (1 = no retry). Default 3. */
  readonly maxAttempts: number;
  /** Backoff base in milliseconds. Default 100. */
  readonly baseDelayMs: number;
  /** Backoff cap in milliseconds. Default 5000. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5000 });

const RETRY_KEYS = ['maxAttempts', 'baseDelayMs', 'maxDelayMs'] as const;

/**
 * Validates a partial retry policy and fills in the defaults.
 * @throws {InvalidArgumentError} on unknown keys or values out of range.
 */
export function resolveRetryPolicy(value: unknown, label: string): RetryPolicy {
  if (value === undefined) return DEFAULT_RETRY_POLICY;
  const options = readOptions(value, label, RETRY_KEYS);
  const policy = {
    maxAttempts: options.integer('maxAttempts', 1, 20, DEFAULT_RETRY_POLICY.maxAttempts),
    baseDelayMs: options.integer('baseDelayMs', 0, 60_000, DEFAULT_RETRY_POLICY.baseDelayMs),
    maxDelayMs: options.integer('maxDelayMs', 0, 300_000, DEFAULT_RETRY_POLICY.maxDelayMs),
  };
  return Object.freeze(policy);
}

/** The delay before retry number `retry` (1 = the first retry), full jitter. */
export function backoffDelayMs(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

/** How a failed attempt is treated. */
export type FailureKind = 'throttled' | 'unavailable' | 'fatal';

// KMS's own retryable exceptions (HTTP 500/503): the service or the key's backing store
// had a transient problem. LimitExceededException is a resource quota, not a rate: fatal.
const UNAVAILABLE_NAMES = new Set([
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);
// Socket-level failures: the request may never have reached KMS.
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Classifies an error thrown by the SDK (or a KMS-shaped client) for one attempt. */
export function classifyFailure(error: unknown): FailureKind {
  if (typeof error !== 'object' || error === null) return 'fatal';
  const record = error as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $retryable?: { throttling?: unknown };
  };
  const name = typeof record.name === 'string' ? record.name : '';
  const status = typeof record.$metadata?.httpStatusCode === 'number' ? record.$metadata.httpStatusCode : undefined;
  if (THROTTLING_NAMES.has(name) || status === 429 || record.$retryable?.throttling === true) return 'throttled';
  if (UNAVAILABLE_NAMES.has(name) || (status !== undefined && status >= 500)) return 'unavailable';
  if (typeof record.code === 'string' && NETWORK_CODES.has(record.code)) return 'unavailable';
  if (record.$retryable !== undefined) return 'unavailable';
  return 'fatal';
}
