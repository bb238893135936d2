import { backoffDelayMs, classifyFailure, type FailureKind, type RetryPolicy } from './retry-policy.js';

/** Why a KMS call finally failed, once retries are spent or pointless. */
export type CallFailureKind = FailureKind | 'timeout' | 'aborted';

/**
 * The last failure of a KMS call, with what the retry loop learned. `cause` is the SDK
 * error (or the abort reason); `requestId` is KMS's `x-amzn-RequestId` when an answer
 * came back, kept for audit.
 */
export class KmsCallError extends Error {
  readonly kind: CallFailureKind;
  readonly attempts: number;
  readonly requestId: string | undefined;

  constructor(kind: CallFailureKind, attempts: number, cause: unknown) {
    super(`KMS call failed (${kind}) after ${attempts} attempt(s)`, { cause });
    this.kind = kind;
    this.attempts = attempts;
    this.requestId = requestIdOf(cause);
  }

  override get name(): string {
    return 'KmsCallError';
  }
}

/** One attempt of a call: must honour `signal` (the SDK's `abortSignal` send option). */
export type Attempt<T> = (signal: AbortSignal) => Promise<T>;

export interface KmsCallerOptions {
  readonly retry: RetryPolicy;
  /** Per-attempt deadline in milliseconds (0 = none). */
  readonly timeoutMs: number;
  /** Source of jitter in [0, 1); injectable so tests need no clock. */
  readonly random?: () => number;
}

/** A successful call: the output, its request ID and how many attempts it took. */
export interface CallResult<T> {
  readonly output: T;
  readonly requestId: string | undefined;
  readonly attempts: number;
}

/** The reason an attempt is aborted when its deadline passes. */
class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`KMS did not answer within ${ms} ms`);
  }

  override get name(): string {
    return 'TimeoutError';
  }
}

/**
 * Runs KMS calls with retries (exponential backoff, full jitter) for throttling, 5xx,
 * network errors and per-attempt timeouts, and honours the caller's AbortSignal at every
 * point: before the first attempt, during one, and while backing off.
 *
 * An attempt whose client ignores its abort signal is abandoned, not awaited: the call
 * moves on at the deadline either way, so a stuck connection can never hang a message.
 */
export class KmsCaller {
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #random: () => number;

  constructor(options: KmsCallerOptions) {
    this.#retry = options.retry;
    this.#timeoutMs = options.timeoutMs;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Calls `attempt` until it succeeds, fails for good, or the attempts run out.
   * @throws {KmsCallError} with the last failure's kind and cause.
   */
  async call<T>(attempt: Attempt<T>, signal?: AbortSignal): Promise<CallResult<T>> {
    for (let n = 1; ; n++) {
      if (signal?.aborted) throw new KmsCallError('aborted', n - 1, signal.reason);
      let kind: CallFailureKind;
      let cause: unknown;
      try {
        const output = await this.#attempt(attempt, signal);
        return { output, requestId: requestIdOf(output), attempts: n };
      } catch (error) {
        cause = error;
        if (signal?.aborted) throw new KmsCallError('aborted', n, signal.reason);
        kind = error instanceof AttemptTimeout ? 'timeout' : classifyFailure(error);
      }
      if (kind === 'fatal' || n >= this.#retry.maxAttempts) throw new KmsCallError(kind, n, cause);
      await sleep(backoffDelayMs(this.#retry, n, this.#random), signal);
      // A caller abort during the backoff is reported by the check at the top of the loop.
    }
  }

  async #attempt<T>(attempt: Attempt<T>, signal: AbortSignal | undefined): Promise<T> {
    const controller = new AbortController();
    const ms = this.#timeoutMs;
    let onAbort: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => {
        controller.abort(signal?.reason);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (ms > 0) {
        timer = setTimeout(() => {
          const reason = new AttemptTimeout(ms);
          controller.abort(reason);
          reject(reason);
        }, ms);
      }
    });
    try {
      const pending = attempt(controller.signal);
      // If we stop waiting (timeout, abort), a late rejection must not go unhandled.
      pending.catch(() => {});
      return await Promise.race([pending, stopped]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** Sleeps `ms`, or less when `signal` aborts (resolves either way; the caller checks). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The KMS request ID of an SDK output or error (`$metadata.requestId`), if any. */
export function requestIdOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const metadata = (value as { $metadata?: unknown }).$metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const id = (metadata as { requestId?: unknown }).requestId;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}
