import type { DataKey } from './data-key.js';

/** Why an entry left the cache (reported on `sealflow:cache:bucket-key`). */
export type BucketKeyRemoval = 'age' | 'messages' | 'bytes' | 'capacity' | 'forget' | 'close';

/** What every cached bucket key carries. */
export interface BucketKeyEntry {
  /** The bucket key itself; destroyed when the entry leaves. */
  readonly bucketKey: DataKey;
  /** When it was fetched, on the cache's clock. */
  readonly created: number;
  /** Store IDs, key IDs and key ARNs the entry answers to in `forget`. */
  readonly names: readonly string[];
}

/**
 * The entries of one side (encrypt or decrypt) of the bucket-key cache: a bounded LRU map
 * with a fixed time to live. Two orders are kept because they differ: recency (a hit
 * moves an entry to the back; capacity evicts the front) and age (entries never move;
 * every entry has the same TTL, so the front of this order always expires first and a
 * sweep costs O(expired), not O(size)). Removal always goes through `onRemove`, which
 * wipes the key: nothing leaves this map without being destroyed.
 */
export class BucketKeyEntries<E extends BucketKeyEntry> {
  readonly #byUse = new Map<string, E>();
  readonly #byAge = new Map<string, E>();
  readonly #capacity: number;
  readonly #maxAge: number;
  readonly #onRemove: (entry: E, reason: BucketKeyRemoval) => void;

  constructor(capacity: number, maxAge: number, onRemove: (entry: E, reason: BucketKeyRemoval) => void) {
    this.#capacity = capacity;
    this.#maxAge = maxAge;
    this.#onRemove = onRemove;
  }

  get size(): number {
    return this.#byUse.size;
  }

  /** Creation time of the oldest entry (the next to expire), if any. */
  get oldest(): number | undefined {
    for (const entry of this.#byAge.values()) return entry.created;
    return undefined;
  }

  /**
   * Whether `entry` is past its TTL at `now`. A clock that went backwards (wall-clock
   * adjustment) also counts as expired: a key is never kept longer than asked for.
   */
  expired(entry: E, now: number): boolean {
    const age = now - entry.created;
    return age < 0 || age >= this.#maxAge;
  }

  /** The live entry of `partition`, moved to the back of the LRU order; expired ones are removed first. */
  use(partition: string, now: number): E | undefined {
    const entry = this.#byUse.get(partition);
    if (entry === undefined) return undefined;
    if (this.expired(entry, now)) {
      this.remove(partition, 'age');
      return undefined;
    }
    this.#byUse.delete(partition);
    this.#byUse.set(partition, entry);
    return entry;
  }

  /** Whether `entry` is the one cached under `partition` (it may have been removed since). */
  holds(partition: string, entry: E): boolean {
    return this.#byUse.get(partition) === entry;
  }

  /** Caches `entry`, removing any entry it replaces, then the least recently used over capacity. */
  insert(partition: string, entry: E, replacedReason: BucketKeyRemoval): void {
    if (this.#byUse.has(partition)) this.remove(partition, replacedReason);
    this.#byUse.set(partition, entry);
    this.#byAge.set(partition, entry);
    while (this.#byUse.size > this.#capacity) {
      const victim = this.#byUse.keys().next().value as string;
      this.remove(victim, 'capacity');
    }
  }

  /** Removes (and wipes, through `onRemove`) the entry of `partition`. */
  remove(partition: string, reason: BucketKeyRemoval): void {
    const entry = this.#byUse.get(partition);
    if (entry === undefined) return;
    this.#byUse.delete(partition);
    this.#byAge.delete(partition);
    this.#onRemove(entry, reason);
  }

  /** Removes every expired entry; returns how many. */
  sweep(now: number): number {
    let removed = 0;
    for (const [partition, entry] of this.#byAge) {
      // Age order is creation order, so the first live entry ends the sweep. (After a
      // clock jump backwards `use` still re-checks every entry it hands out.)
      if (!this.expired(entry, now)) break;
      this.remove(partition, 'age');
      removed++;
    }
    return removed;
  }

  /** Removes every entry `match` selects (all when omitted); returns how many. */
  removeAll(reason: BucketKeyRemoval, match: (entry: E) => boolean = () => true): number {
    let removed = 0;
    for (const [partition, entry] of [...this.#byUse]) {
      if (!match(entry)) continue;
      this.remove(partition, reason);
      removed++;
    }
    return removed;
  }
}
