import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, KeyStoreError } from '@sealflow/core';

/**
 * The inter-process lock of one store file: `proper-lockfile`'s directory lock
 * (`<path>.lock`, created with `mkdir`, atomic on local and network file systems). Its
 * holder refreshes the directory's mtime every `staleMs / 2`; a lock whose mtime is older
 * than `staleMs` belongs to a process that died (or hung) and is taken over. A holder that
 * learns its lock was taken over ("compromised") refuses to rename its write into place.
 *
 * Several `MemoryKms` instances, in one process or many, share a store file through it:
 * each write happens under the lock, after re-reading the file (see `KmsState.sync`).
 */

export interface StoreLockOptions {
  /** Age after which a lock whose holder stopped refreshing it is taken over (ms, >= 2000). */
  readonly staleMs: number;
  /** How long to wait for the lock before the call fails (ms). */
  readonly timeoutMs: number;
}

export const DEFAULT_LOCK_OPTIONS: StoreLockOptions = { staleMs: 10_000, timeoutMs: 30_000 };

type Release = () => Promise<void>;
type LockFunction = (
  file: string,
  options: { stale: number; realpath: boolean; retries: number; onCompromised: (error: Error) => void },
) => Promise<Release>;

/**
 * proper-lockfile is loaded on first use: it hooks process exit (signal-exit) to remove
 * held locks, which an in-memory-only MemoryKms has no reason to pay for.
 */
let lockFunction: Promise<LockFunction> | undefined;
const loadLock = (): Promise<LockFunction> =>
  (lockFunction ??= import('proper-lockfile').then((module) => module.lock as LockFunction));

function unavailable(path: string, message: string, cause?: unknown): KeyStoreError {
  return new KeyStoreError(ErrorCodes.KEY_STORE_UNAVAILABLE, `key store file ${path}: ${message}`, {
    store: `memory-kms:${path}`,
    ...(cause === undefined ? {} : { cause }),
  });
}

export class StoreLock {
  readonly #path: string;
  readonly #options: StoreLockOptions;
  /** The current hold, if any: whether it was taken over meanwhile. */
  #hold: { compromised: Error | undefined } | undefined;

  constructor(path: string, options: StoreLockOptions) {
    this.#path = path;
    this.#options = options;
  }

  /**
   * Runs `task` while this process holds the store's lock; releases it after, whatever
   * happens. Holds of one `StoreLock` must not nest (callers serialize them).
   * @throws {KeyStoreError} `ERR_KEY_STORE_UNAVAILABLE` when the lock cannot be taken
   * (I/O error, or another live holder for longer than `timeoutMs`); else what `task` throws.
   */
  async hold<T>(task: () => Promise<T>): Promise<T> {
    const hold: { compromised: Error | undefined } = { compromised: undefined };
    const release = await this.#acquire(hold);
    this.#hold = hold;
    try {
      return await task();
    } finally {
      this.#hold = undefined;
      // A compromised lock is no longer ours to remove (proper-lockfile says ERELEASED).
      await release().catch(() => undefined);
    }
  }

  /**
   * Called just before a write is renamed into place.
   * @throws {KeyStoreError} `ERR_KEY_STORE_UNAVAILABLE` when this process does not hold the
   * lock, or another process took it over (this holder stalled past `staleMs`).
   */
  assertHeld(): void {
    if (this.#hold === undefined) throw unavailable(this.#path, 'written without holding its lock');
    if (this.#hold.compromised !== undefined) {
      throw unavailable(
        this.#path,
        `its lock was taken over while this process held it (stalled for over ${this.#options.staleMs} ms)`,
        this.#hold.compromised,
      );
    }
  }

  async #acquire(hold: { compromised: Error | undefined }): Promise<Release> {
    const lock = await loadLock();
    const deadline = Date.now() + this.#options.timeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await lock(this.#path, {
          stale: this.#options.staleMs,
          // The store file may not exist yet (first open): lock its path as given.
          realpath: false,
          retries: 0,
          // The default throws from a timer, which would crash the process.
          onCompromised: (error) => {
            hold.compromised = error;
          },
        });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ELOCKED')
          throw unavailable(
            this.#path,
            `cannot be locked (${code ?? 'error'}; its directory must exist and be writable)`,
            error,
          );
        if (Date.now() >= deadline)
          throw unavailable(this.#path, `another process held its lock for over ${this.#options.timeoutMs} ms`, error);
        // Jittered backoff, 2-100 ms: holders keep the lock for one write.
        await sleep(Math.min(100, 2 * 1.5 ** attempt) * (0.5 + Math.random()));
      }
    }
  }
}
