import {
  nodeBackend,
  RawAesKeyStore,
  BUCKET_DATA_KEY_NAMESPACE,
  bucketKeyName,
  serializeEncryptionContext,
  type BucketKeyEdk,
  type DataKey,
  type KeyStore,
} from '@sealflow/core';

/** An unwrapped bucket key, ready to open the data keys wrapped under it. */
interface MemoEntry {
  /** The bucket key; zeroed when the entry leaves. */
  readonly key: DataKey;
  /** The bucket key as the raw AES keyring sees it (namespace, name = fingerprint). */
  readonly opener: RawAesKeyStore;
  readonly created: number;
}

export interface BucketKeyMemoOptions {
  readonly maxAgeMs: number;
  readonly capacity: number;
  readonly now: () => number;
}

/**
 * Unwrapped bucket keys, kept for a window so reading many objects written under one
 * bucket key costs one key-store call (per store, principal and blob). Concurrent reads
 * of one blob share one call; failures are not kept; every key that leaves (age,
 * capacity, `clear`) is zeroed. Each entry wraps its key in a `RawAesKeyStore` under
 * namespace `sealflow-bucket-data-key`, the same code sealflow uses to write the layout.
 */
export class BucketKeyMemo {
  readonly #entries = new Map<string, MemoEntry>();
  readonly #pending = new Map<string, Promise<MemoEntry>>();
  readonly #options: BucketKeyMemoOptions;
  /** Key-store calls made, and reads served from the memo. */
  unwraps = 0;
  hits = 0;

  constructor(options: BucketKeyMemoOptions) {
    this.#options = options;
  }

  get size(): number {
    this.#sweep();
    return this.#entries.size;
  }

  /**
   * The bucket key of `blob`, unwrapped by `store` with the bucket context, as a raw AES
   * store that opens the message's wrapped data key.
   * @throws whatever the store throws (rejects); nothing is kept then.
   */
  async opener(store: KeyStore, blob: BucketKeyEdk, length: number): Promise<RawAesKeyStore> {
    const partition = [
      store.id,
      store.principal ?? '',
      String(length),
      blob.inner.providerId,
      hex(blob.inner.providerInfo),
      hex(blob.inner.ciphertext),
      hex(serializeEncryptionContext(blob.bucketContext)),
    ].join('\u0001');
    this.#sweep();
    const warm = this.#entries.get(partition);
    if (warm !== undefined) {
      this.hits++;
      this.#entries.delete(partition);
      this.#entries.set(partition, warm);
      return warm.opener;
    }
    let pending = this.#pending.get(partition);
    if (pending === undefined) {
      this.unwraps++;
      pending = this.#fetch(store, blob, length).finally(() => this.#pending.delete(partition));
      this.#pending.set(partition, pending);
      const entry = await pending;
      this.#insert(partition, entry);
      return entry.opener;
    }
    this.hits++;
    return (await pending).opener;
  }

  /** Zeroes and drops every key. */
  clear(): void {
    for (const entry of this.#entries.values()) entry.key.destroy();
    this.#entries.clear();
  }

  async #fetch(store: KeyStore, blob: BucketKeyEdk, length: number): Promise<MemoEntry> {
    const key = await store.unwrapDataKey(blob.inner, { context: blob.bucketContext, length });
    try {
      if (key.length !== length) throw new Error(`key store ${store.id} returned a bucket key of the wrong length`);
      const raw = key.reveal();
      // RawAesKeyStore imports its own copy of the key; `key` stays the one we wipe.
      const opener = new RawAesKeyStore({
        namespace: BUCKET_DATA_KEY_NAMESPACE,
        name: bucketKeyName(nodeBackend, raw),
        key: raw,
      });
      return { key, opener, created: this.#options.now() };
    } catch (error) {
      key.destroy();
      throw error;
    }
  }

  #insert(partition: string, entry: MemoEntry): void {
    this.#entries.get(partition)?.key.destroy();
    this.#entries.delete(partition);
    this.#entries.set(partition, entry);
    while (this.#entries.size > this.#options.capacity) {
      const [oldest, victim] = this.#entries.entries().next().value as [string, MemoEntry];
      victim.key.destroy();
      this.#entries.delete(oldest);
    }
  }

  /** Drops (and zeroes) entries past `maxAgeMs`; a clock that went backwards counts as expired. */
  #sweep(): void {
    const now = this.#options.now();
    for (const [partition, entry] of this.#entries) {
      const age = now - entry.created;
      if (age >= 0 && age < this.#options.maxAgeMs) continue;
      entry.key.destroy();
      this.#entries.delete(partition);
    }
  }
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');
}
