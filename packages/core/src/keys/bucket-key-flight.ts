import { ErrorCodes, KeyStoreError } from '../errors.js';

/** One caller waiting for a shared key-store call. */
export interface FlightWaiter<T, R> {
  /** What the caller needs once the key is there (message ID, bytes to reserve). */
  readonly ticket: T;
  resolve(value: R): void;
  reject(error: unknown): void;
}

interface Waiting<T, R> extends FlightWaiter<T, R> {
  /** The flight the waiter currently waits on: waiters move when a key runs out. */
  flight: BucketKeyFlight<T, R>;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** The error a waiter gets when its own signal aborts (KMS clients map AbortError the same way). */
export function abortedError(signal: AbortSignal): KeyStoreError {
  return new KeyStoreError(ErrorCodes.KEY_STORE_UNAVAILABLE, 'the key-store call was aborted by the caller', {
    cause: signal.reason,
  });
}

/**
 * One key-store call shared by every caller that needs the same cache partition (single
 * flight). Each waiter may abort its own wait; the call itself is aborted only when the
 * last waiter has gone, so one caller's abort never fails the others. Abandoned flights
 * leave the pending map at once, so a later caller starts a fresh call instead of joining
 * a cancelled one.
 */
export class BucketKeyFlight<T, R> {
  readonly #controller = new AbortController();
  readonly #waiters = new Set<Waiting<T, R>>();
  readonly #onAbandon: () => void;
  /**
   * Key IDs passed to `forget` while the call ran (`undefined` = forget all): a result
   * that answers to one of them serves the callers already waiting but is not cached.
   */
  readonly forgotten: (string | undefined)[] = [];

  constructor(onAbandon: () => void) {
    this.#onAbandon = onAbandon;
  }

  /** Passed to the key store: aborts once every waiter has aborted (or on close). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Waits for this flight's result. @throws {KeyStoreError} (rejects) when `signal` aborts. */
  join(ticket: T, signal: AbortSignal | undefined): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const waiter: Waiting<T, R> = {
        ticket,
        flight: this,
        signal,
        onAbort: () => waiter.flight.#leave(waiter),
        resolve: (value) => {
          signal?.removeEventListener('abort', waiter.onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', waiter.onAbort);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
      if (signal?.aborted === true) waiter.onAbort();
      else signal?.addEventListener('abort', waiter.onAbort, { once: true });
    });
  }

  /** Moves a waiter taken from another flight (its key ran out) onto this one. */
  adopt(waiter: FlightWaiter<T, R>): void {
    const moved = waiter as Waiting<T, R>;
    moved.flight = this;
    this.#waiters.add(moved);
    if (moved.signal?.aborted === true) this.#leave(moved);
  }

  /** Takes every waiter, for the caller to resolve or reject (the call settled). */
  drain(): FlightWaiter<T, R>[] {
    const all = [...this.#waiters];
    this.#waiters.clear();
    return all;
  }

  /** Rejects every waiter with `error` and aborts the call (engine closed). */
  cancel(error: unknown): void {
    for (const waiter of this.drain()) waiter.reject(error);
    this.#abandon();
  }

  #leave(waiter: Waiting<T, R>): void {
    if (!this.#waiters.delete(waiter)) return;
    waiter.reject(abortedError(waiter.signal as AbortSignal));
    if (this.#waiters.size === 0) this.#abandon();
  }

  #abandon(): void {
    if (this.#controller.signal.aborted) return;
    this.#controller.abort();
    this.#onAbandon();
  }
}
