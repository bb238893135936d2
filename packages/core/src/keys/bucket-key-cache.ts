import type { CipherBackend } from '../crypto/backend.js';
import { ErrorCodes, InvalidArgumentError } from '../errors.js';
import { Channels, publish, type BucketKeyEvent } from '../events.js';
import { toHex, utf8DecodeStrict, utf8Encode } from '../format/bytes.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import type { StatsCounter } from '../stats.js';
import { assertInteger, readOptions } from './assert.js';
import { BUCKET_KEY_PROVIDER_ID, decodeBucketKeyEdk, encodeBucketKeyEdk } from './bucket-key-edk.js';
import { DataKey } from './data-key.js';
import type { EncryptedDataKey, EncryptionContext, GenerateRequest, KeyStore, KeyStoreRequest } from './key-store.js';
import type { KeyStoreSet } from './key-store-set.js';

/** Engine option `bucketKeys`. Every limit is capped by the format's hard limits. */
export interface BucketKeyOptions {
  /** How long a bucket key serves new messages (required), in milliseconds. */
  readonly maxAgeMs: number;
  /** Messages per bucket key (default and cap 2^32, the ESDK caching limit). */
  readonly maxMessages?: number;
  /** Plaintext bytes per bucket key (default and cap 2^53 - 1). */
  readonly maxBytes?: number;
  /** Most entries kept, for encrypt and for decrypt each (default 1000). */
  readonly capacity?: number;
  /** Clock, for tests (default Date.now). */
  readonly now?: () => number;
}

const MAX_MESSAGES = 2 ** 32;
const MAX_BYTES = Number.MAX_SAFE_INTEGER;
const OBJECT_KEY_INFO = utf8Encode('sealflow bucket-key object key v1');

interface EncryptEntry {
  readonly bucketKey: DataKey;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly created: number;
  readonly names: readonly string[];
  messages: number;
  bytes: number;
}

interface DecryptEntry {
  readonly bucketKey: DataKey;
  readonly created: number;
  readonly names: readonly string[];
}

/** A message's data key served from a bucket key. */
export interface BucketDataKey {
  /** Unique to the message: derived from the bucket key and the message ID. */
  readonly dataKey: DataKey;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  charge(bytes: number): void;
}

/**
 * S3 Bucket Keys in the core: a data key fetched once from the key stores (with the
 * bucket-level context) serves many messages for a bounded window. Each message still
 * gets its own data key, HKDF-SHA512(bucket key, salt = message ID), and with it its own
 * derived key and commitment. Entries are partitioned by key stores, key ID, bucket
 * context and principal; a cold entry is fetched once however many callers wait
 * (single flight); failures are not cached; evicted keys are wiped.
 */
export class BucketKeyCache {
  readonly #stores: KeyStoreSet;
  readonly #backend: CipherBackend;
  readonly #stats: StatsCounter;
  readonly #maxAge: number;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #encrypt = new Map<string, EncryptEntry>();
  readonly #pending = new Map<string, Promise<EncryptEntry>>();
  readonly #decrypt = new Map<string, DecryptEntry>();
  readonly #decryptPending = new Map<string, Promise<DataKey>>();

  /** @throws {InvalidArgumentError} for bad options. */
  constructor(stores: KeyStoreSet, backend: CipherBackend, stats: StatsCounter, options: BucketKeyOptions) {
    const o = readOptions(options, 'createEngine bucketKeys', ['maxAgeMs', 'maxMessages', 'maxBytes', 'capacity', 'now']);
    if (o.maxAgeMs === undefined) throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'createEngine bucketKeys.maxAgeMs: required');
    assertInteger(o.maxAgeMs, 'createEngine bucketKeys.maxAgeMs', 1, Number.MAX_SAFE_INTEGER);
    const maxMessages = o.maxMessages ?? MAX_MESSAGES;
    assertInteger(maxMessages, 'createEngine bucketKeys.maxMessages', 1, MAX_MESSAGES);
    const maxBytes = o.maxBytes ?? MAX_BYTES;
    assertInteger(maxBytes, 'createEngine bucketKeys.maxBytes', 1, MAX_BYTES);
    const capacity = o.capacity ?? 1000;
    assertInteger(capacity, 'createEngine bucketKeys.capacity', 1, 1_000_000);
    if (o.now !== undefined && typeof o.now !== 'function') throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'createEngine bucketKeys.now: expected a function');
    this.#stores = stores;
    this.#backend = backend;
    this.#stats = stats;
    this.#maxAge = o.maxAgeMs;
    this.#maxMessages = maxMessages;
    this.#maxBytes = maxBytes;
    this.#capacity = capacity;
    this.#now = (o.now as (() => number) | undefined) ?? Date.now;
  }

  /** Entries held (encrypt + decrypt). */
  get size(): number {
    return this.#encrypt.size + this.#decrypt.size;
  }

  /** A data key for message `messageId`, from a warm bucket key or one fetched now. */
  async acquire(request: GenerateRequest, messageId: Uint8Array, bucketContext: EncryptionContext): Promise<BucketDataKey> {
    const primary = this.#stores.primary;
    const partition = [
      this.#stores.stores.map((s) => s.id).join('\u0000'),
      request.keyId ?? '',
      toHex(serializeEncryptionContext(bucketContext)),
      primary.principal ?? '',
    ].join('\u0001');
    let entry = this.#encrypt.get(partition);
    const reason = entry === undefined ? undefined : this.#retire(entry);
    if (entry !== undefined && reason !== undefined) {
      this.#evict(this.#encrypt, partition, entry, reason);
      entry = undefined;
    }
    if (entry !== undefined) {
      this.#stats.bucketHits++;
      this.#event({ action: 'hit', store: primary.id });
      // Refresh LRU position.
      this.#encrypt.delete(partition);
      this.#encrypt.set(partition, entry);
    } else {
      entry = await this.#fetch(partition, request, bucketContext);
    }
    entry.messages++;
    const target = entry;
    return {
      dataKey: this.#objectKey(entry.bucketKey, messageId),
      encryptedDataKeys: entry.encryptedDataKeys,
      charge: (bytes) => {
        target.bytes += bytes;
      },
    };
  }

  /** Whether an EDK is a bucket-key EDK this cache's stores can open. */
  accepts(store: KeyStore, edk: EncryptedDataKey): boolean {
    if (edk.providerId !== BUCKET_KEY_PROVIDER_ID) return store.canUnwrap(edk);
    try {
      return store.canUnwrap(decodeBucketKeyEdk(edk).inner);
    } catch {
      return false;
    }
  }

  /**
   * Unwraps `edk` with `store`: a plain EDK goes straight to the store; a bucket-key EDK
   * is opened with its bucket context (cached per principal, bounded, TTL) and the
   * message's data key derived from it.
   */
  async unwrap(store: KeyStore, edk: EncryptedDataKey, request: KeyStoreRequest, messageId: Uint8Array): Promise<DataKey> {
    if (edk.providerId !== BUCKET_KEY_PROVIDER_ID) return this.#stores.call(store, 'unwrap', () => store.unwrapDataKey(edk, request));
    const { inner, bucketContext } = decodeBucketKeyEdk(edk);
    const partition = [
      store.id,
      store.principal ?? '',
      inner.providerId,
      toHex(inner.providerInfo),
      toHex(inner.ciphertext),
      toHex(serializeEncryptionContext(bucketContext)),
    ].join('\u0001');
    const cached = this.#decrypt.get(partition);
    if (cached !== undefined && this.#now() - cached.created < this.#maxAge) {
      this.#stats.bucketHits++;
      this.#event({ action: 'hit', store: store.id });
      return this.#objectKey(cached.bucketKey, messageId);
    }
    if (cached !== undefined) this.#evict(this.#decrypt, partition, cached, 'age');
    let pending = this.#decryptPending.get(partition);
    if (pending === undefined) {
      this.#stats.bucketMisses++;
      this.#event({ action: 'miss', store: store.id });
      const unwrapRequest: KeyStoreRequest = { context: bucketContext, length: request.length, ...(request.signal ? { signal: request.signal } : {}) };
      pending = this.#stores.call(store, 'unwrap', () => store.unwrapDataKey(inner, unwrapRequest)).then((bucketKey) => {
        this.#insert(this.#decrypt, partition, { bucketKey, created: this.#now(), names: [store.id, ...keyNames([inner])] });
        return bucketKey;
      });
      this.#decryptPending.set(partition, pending);
      pending.then(
        () => this.#decryptPending.delete(partition),
        () => this.#decryptPending.delete(partition),
      );
    }
    return this.#objectKey(await pending, messageId);
  }

  /** Drops (and wipes) every entry whose store, key ID or key ARN matches `keyId`; all entries without one. */
  forget(keyId?: string): number {
    let dropped = 0;
    for (const map of [this.#encrypt, this.#decrypt] as Map<string, EncryptEntry | DecryptEntry>[]) {
      for (const [partition, entry] of map) {
        if (keyId === undefined || entry.names.includes(keyId)) {
          this.#evict(map, partition, entry, 'forget');
          dropped++;
        }
      }
    }
    return dropped;
  }

  /** Wipes everything. */
  close(): void {
    for (const map of [this.#encrypt, this.#decrypt] as Map<string, EncryptEntry | DecryptEntry>[]) {
      for (const [partition, entry] of map) this.#evict(map, partition, entry, 'close');
    }
  }

  #objectKey(bucketKey: DataKey, messageId: Uint8Array): DataKey {
    return new DataKey(this.#backend.hkdf('sha512', bucketKey.reveal(), messageId, OBJECT_KEY_INFO, bucketKey.length));
  }

  #retire(entry: EncryptEntry): 'age' | 'messages' | 'bytes' | undefined {
    if (this.#now() - entry.created >= this.#maxAge) return 'age';
    if (entry.messages >= this.#maxMessages) return 'messages';
    if (entry.bytes >= this.#maxBytes) return 'bytes';
    return undefined;
  }

  async #fetch(partition: string, request: GenerateRequest, bucketContext: EncryptionContext): Promise<EncryptEntry> {
    let pending = this.#pending.get(partition);
    if (pending === undefined) {
      this.#stats.bucketMisses++;
      this.#event({ action: 'miss', store: this.#stores.primary.id });
      const bucketRequest: GenerateRequest = {
        context: bucketContext,
        length: request.length,
        ...(request.keyId === undefined ? {} : { keyId: request.keyId }),
        ...(request.signal === undefined ? {} : { signal: request.signal }),
      };
      pending = this.#stores.newDataKey(bucketRequest).then(({ dataKey, encryptedDataKeys }) => {
        const entry: EncryptEntry = {
          bucketKey: dataKey,
          encryptedDataKeys: encryptedDataKeys.map((edk) => encodeBucketKeyEdk(edk, bucketContext)),
          created: this.#now(),
          names: [...this.#stores.stores.map((s) => s.id), ...(request.keyId === undefined ? [] : [request.keyId]), ...keyNames(encryptedDataKeys)],
          messages: 0,
          bytes: 0,
        };
        this.#insert(this.#encrypt, partition, entry);
        return entry;
      });
      // Failures are not cached: the next caller tries again.
      this.#pending.set(partition, pending);
      pending.then(
        () => this.#pending.delete(partition),
        () => this.#pending.delete(partition),
      );
    }
    return pending;
  }

  #insert<E extends EncryptEntry | DecryptEntry>(map: Map<string, E>, partition: string, entry: E): void {
    const previous = map.get(partition);
    if (previous !== undefined) this.#evict(map, partition, previous, 'age');
    map.set(partition, entry);
    while (map.size > this.#capacity) {
      const [oldest, victim] = map.entries().next().value as [string, E];
      this.#evict(map, oldest, victim, 'capacity');
    }
  }

  #evict<E extends EncryptEntry | DecryptEntry>(map: Map<string, E>, partition: string, entry: E, reason: NonNullable<BucketKeyEvent['reason']>): void {
    if (map.get(partition) === entry) map.delete(partition);
    entry.bucketKey.destroy();
    this.#stats.bucketEvictions++;
    this.#event({ action: reason === 'close' || reason === 'forget' ? 'wipe' : 'evict', store: entry.names[0] ?? '', reason });
  }

  #event(event: BucketKeyEvent): void {
    publish(Channels.bucketKey, event);
  }
}

/** Key names an EDK reveals: the provider info as text when it is text (a KMS key ARN). */
function keyNames(edks: readonly EncryptedDataKey[]): string[] {
  const names: string[] = [];
  for (const edk of edks) {
    const text = utf8DecodeStrict(edk.providerInfo);
    if (text !== undefined && text.length > 0) names.push(text);
  }
  return names;
}

/**
 * The S3 bucket-level context for `bucketKey: true`: `aws:s3:arn` of the object
 * (`arn:aws:s3:::bucket/key`) becomes the bucket ARN (`arn:aws:s3:::bucket`).
 * @throws {InvalidArgumentError} when the context has no object ARN.
 */
export function s3BucketContext(context: EncryptionContext): Record<string, string> {
  const arn = context['aws:s3:arn'];
  const match = arn === undefined ? null : /^(arn:[a-z-]+:s3:::[^/]+)\/.+$/.exec(arn);
  if (match === null) {
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      'bucketKey: true needs an "aws:s3:arn" context pair holding an object ARN (arn:aws:s3:::bucket/key)',
    );
  }
  return { 'aws:s3:arn': match[1] as string };
}
