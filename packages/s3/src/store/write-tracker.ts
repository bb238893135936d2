import type {
  BlobGetOptions,
  BlobInfo,
  BlobListing,
  BlobListOptions,
  BlobPutCondition,
  BlobPutOptions,
  BlobStore,
} from './blob-store.js';

/**
 * Which blobs this process is writing right now, for the orphan sweeper: a name is held from
 * the moment its `put` starts until the S3 call that wrote it returns (so across the gap
 * between a body `put` and the record commit that references it). Holders are the calls'
 * scope objects; a name two calls wrote stays held until both end.
 */
export class WriteTracker {
  readonly #held = new Map<string, number>();
  readonly #byScope = new WeakMap<object, string[]>();

  /** Holds `name` for `scope` (no-op without a scope: writes outside an S3 call are not tracked). */
  hold(scope: object | undefined, name: string): void {
    if (scope === undefined) return;
    let names = this.#byScope.get(scope);
    if (names === undefined) {
      names = [];
      this.#byScope.set(scope, names);
    }
    names.push(name);
    this.#held.set(name, (this.#held.get(name) ?? 0) + 1);
  }

  /** Releases every name `scope` holds. */
  release(scope: object): void {
    const names = this.#byScope.get(scope);
    if (names === undefined) return;
    this.#byScope.delete(scope);
    for (const name of names) {
      const left = (this.#held.get(name) ?? 1) - 1;
      if (left <= 0) this.#held.delete(name);
      else this.#held.set(name, left);
    }
  }

  /** Whether a call of this process is writing `name`. */
  isHeld(name: string): boolean {
    return this.#held.has(name);
  }

  /** How many names are held (for tests and stats). */
  get size(): number {
    return this.#held.size;
  }
}

/**
 * A `BlobStore` that holds every name it `put`s (or `putConditionally`s) in `tracker` for the
 * scope `scope()` names. It offers `putConditionally` exactly when `inner` does, so the
 * conditional-write capability of the backend shows through.
 */
export function trackingStore(inner: BlobStore, tracker: WriteTracker, scope: () => object | undefined): BlobStore {
  const store: BlobStore = {
    put(name: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options?: BlobPutOptions) {
      tracker.hold(scope(), name);
      return inner.put(name, source, options);
    },
    get: (name: string, options?: BlobGetOptions) => inner.get(name, options),
    read: (name: string, position: number, length: number) => inner.read(name, position, length),
    stat: (name: string): Promise<BlobInfo | undefined> => inner.stat(name),
    delete: (name: string) => inner.delete(name),
    list: (prefix: string, options?: BlobListOptions): Promise<BlobListing> => inner.list(prefix, options),
  };
  const conditional = inner.putConditionally?.bind(inner);
  if (conditional === undefined) return store;
  return {
    ...store,
    putConditionally(
      name: string,
      source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
      condition: BlobPutCondition,
      options?: BlobPutOptions,
    ) {
      tracker.hold(scope(), name);
      return conditional(name, source, condition, options);
    },
  };
}
