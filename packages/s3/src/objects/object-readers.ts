import { WriteTracker } from '../store/write-tracker.js';

/**
 * The readers of each object that this process serves now, so that an overwrite or a
 * delete never removes a body blob under one of them.
 *
 * A read takes the object's record, then reads the body blobs it names, for as long as the
 * response streams (a range read reads its frames window by window). Were a commit that
 * replaced the record meanwhile to delete the old bodies at once, the GET would fail with
 * 500 (before its first byte) or end early (after it). So a reader holds a lease on the
 * object name from *before* it reads the record, and a commit removes the bodies it
 * replaced only once every lease that was open at the commit has ended. A reader that
 * leases later can only see the new record, so it never needs the old bodies.
 *
 * Within one process this is exact. Readers in other processes over a shared backend are
 * not seen; a GET that loses such a race before its first byte reads the record again
 * (`getObject`), and the orphan sweeper takes any body whose removal a crash cut short.
 */
export class ObjectReaders {
  readonly #open = new Map<string, Set<ReadLease>>();
  /** Blobs whose removal waits for readers, each held by its removal (the counting a WriteTracker does). */
  readonly #waiting = new WriteTracker();
  #deferred = 0;

  /** A lease on object `name` (a record blob name), held until `end()`. */
  lease(name: string): ReadLease {
    let leases = this.#open.get(name);
    if (leases === undefined) {
      leases = new Set();
      this.#open.set(name, leases);
    }
    const lease = new ReadLease(() => {
      leases.delete(lease);
      if (leases.size === 0 && this.#open.get(name) === leases) this.#open.delete(name);
    });
    leases.add(lease);
    return lease;
  }

  /** Runs `read` holding a lease on object `name`, ended when `read` settles (or earlier by `read`). */
  async reading<T>(name: string, read: (lease: ReadLease) => Promise<T>): Promise<T> {
    const lease = this.lease(name);
    try {
      return await read(lease);
    } finally {
      lease.end();
    }
  }

  /**
   * Runs `remove(blobs)` once no lease on `name` that is open now remains: at once (and
   * awaited) when there is none, else in the background when the last of them ends (a
   * rejection there is dropped: the orphan sweeper collects what a failed removal leaves).
   * Until then `isWaiting` names each of `blobs`.
   */
  async removeAfterReaders(
    name: string,
    blobs: readonly string[],
    remove: (blobs: readonly string[]) => Promise<unknown>,
  ): Promise<void> {
    const open = [...(this.#open.get(name) ?? [])];
    if (open.length === 0) {
      await remove(blobs);
      return;
    }
    const removal = {};
    for (const blob of blobs) this.#waiting.hold(removal, blob);
    this.#deferred++;
    void Promise.all(open.map((lease) => lease.ended)).then(async () => {
      try {
        await remove(blobs).catch(() => undefined);
      } finally {
        this.#deferred--;
        this.#waiting.release(removal);
      }
    });
  }

  /**
   * Whether `blob` is a replaced body whose removal waits for readers: unreferenced, but
   * still read. The orphan sweeper leaves it to that removal, however long the read lasts.
   */
  isWaiting(blob: string): boolean {
    return this.#waiting.isHeld(blob);
  }

  /** Object names with an open lease, and removals waiting for leases to end (for tests). */
  get size(): { readonly names: number; readonly deferred: number } {
    return { names: this.#open.size, deferred: this.#deferred };
  }
}

/** One reader's hold on an object name. `end()` is idempotent. */
export class ReadLease {
  readonly #onEnd: () => void;
  #ended = false;
  #resolve!: () => void;
  /** Settles once the lease has ended. */
  readonly ended: Promise<void> = new Promise((resolve) => {
    this.#resolve = resolve;
  });

  constructor(onEnd: () => void) {
    this.#onEnd = onEnd;
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#onEnd();
    this.#resolve();
  }
}

// A response body dropped without being read to its end or returned (a caller that gives up
// on the stream) would otherwise hold its lease, and defer removals, for the process's life.
const unreadBodies = new FinalizationRegistry<ReadLease>((lease) => lease.end());

/**
 * `body`, ending `lease` when it is read to its end, fails, is returned early or aborted by
 * `signal`, or is garbage-collected unread.
 */
export function leasedBody(
  body: AsyncIterable<Uint8Array>,
  lease: ReadLease,
  signal?: AbortSignal,
): AsyncIterable<Uint8Array> {
  if (signal !== undefined) endOnAbort(lease, signal);
  let iterator: AsyncIterator<Uint8Array> | undefined;
  const wrapped: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]: () => wrapped,
    async next() {
      iterator ??= body[Symbol.asyncIterator]();
      try {
        const result = await iterator.next();
        if (result.done === true) lease.end();
        return result;
      } catch (error) {
        lease.end();
        throw error;
      }
    },
    async return(value?: unknown) {
      // Returned before its first read too: the body may hold a source open already.
      iterator ??= body[Symbol.asyncIterator]();
      try {
        await iterator.return?.(value);
      } finally {
        lease.end();
      }
      return { done: true, value: undefined };
    },
  };
  endWhenCollected(wrapped, lease);
  return wrapped;
}

// These two live outside leasedBody on purpose: a callback created there would share its
// scope, and so keep `wrapped` reachable from the lease (the registry holds the lease).
function endOnAbort(lease: ReadLease, signal: AbortSignal): void {
  const onAbort = (): void => lease.end();
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) lease.end();
  void lease.ended.then(() => signal.removeEventListener('abort', onAbort));
}

function endWhenCollected(target: object, lease: ReadLease): void {
  unreadBodies.register(target, lease, lease);
  void lease.ended.then(() => unreadBodies.unregister(lease));
}
