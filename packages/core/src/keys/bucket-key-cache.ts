import type { CipherBackend } from '../crypto/backend.js';
import { ErrorCodes, InvalidArgumentError, KeyStoreError, SealflowError } from '../errors.js';
import { Channels, publish, type BucketKeyEvent } from '../events.js';
import { toHex, utf8DecodeStrict, utf8Encode } from '../format/bytes.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import type { StatsCounter } from '../stats.js';
import { assertInteger, readOptions } from './assert.js';
import { BUCKET_KEY_PROVIDER_ID, decodeBucketKeyEdk, encodeBucketKeyEdk } from './bucket-key-edk.js';
import { BucketKeyEntries, type BucketKeyEntry, type BucketKeyRemoval } from './bucket-key-entries.js';
import { abortedError, BucketKeyFlight } from './bucket-key-flight.js';
import { DataKey } from './data-key.js';
import type { EncryptedDataKey, EncryptionContext, GenerateRequest, KeyStore, KeyStoreRequest } from './key-store.js';
import type { KeyStoreSet, NewDataKey } from './key-store-set.js';

export { s3BucketContext } from './bucket-key-context.js';

/** Engine option `bucketKeys`. Every limit is capped by the format's hard limits. */
export interface BucketKeyOptions {
  /** How long a bucket key serves new messages, and an unwrapped one serves decrypts (required), in ms. */
  readonly maxAgeMs: number;
  /** Messages per bucket key (default and cap 2^32, the ESDK caching limit). */
  readonly maxMessages?: number;
  /** Plaintext bytes per bucket key (default and cap 2^53 - 1). */
  readonly maxBytes?: number;
  /** Most entries kept, for encrypt and for decrypt each (default 1000). */
  readonly capacity?: number;
  /** Clock, for tests (default Date.now). With it, expired keys are wiped on the next cache use. */
  readonly now?: () => number;
}

/** What a caller asks of the cache for one new message. */
export interface BucketKeyDemand {
  /** The context the key store sees, e.g. `{ 'aws:s3:arn': 'arn:aws:s3:::bucket' }`. */
  readonly context: EncryptionContext;
  /** The message's plaintext length when known up front (one-shot encrypts, declared streams). */
  readonly plaintextLength?: number | undefined;
}

/** A message's data key served from a bucket key. */
export interface BucketDataKey {
  /** Unique to the message: derived from the bucket key and the message ID. */
  readonly dataKey: DataKey;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** Charges the finished message's plaintext bytes (a reserved length is not charged twice). */
  charge(bytes: number): void;
}

const MAX_MESSAGES = 2 ** 32;
const MAX_BYTES = Number.MAX_SAFE_INTEGER;
const MAX_TIMER_MS = 2 ** 31 - 1;
const OBJECT_KEY_INFO = utf8Encode('sealflow bucket-key object key v1');

interface EncryptEntry extends BucketKeyEntry {
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  messages: number;
  bytes: number;
}

interface EncryptTicket {
  readonly messageId: Uint8Array;
  readonly length: number | undefined;
}

type GenerateFlight = BucketKeyFlight<EncryptTicket, BucketDataKey>;
type UnwrapFlight = BucketKeyFlight<Uint8Array, DataKey>;

const closedError = (): SealflowError => new SealflowError(ErrorCodes.ENGINE_CLOSED, 'the engine was closed');

/**
 * S3 Bucket Keys in the core. A data key fetched once from the key stores, with the
 * bucket-level context, serves many messages for a bounded window (age, messages, bytes);
 * each message still gets its own data key, HKDF-SHA512(bucket key, salt = message ID),
 * and so its own derived key and commitment. Encrypt entries are partitioned by the
 * stores (ID and principal), key ID and bucket context; decrypt entries by store,
 * principal and the stored EDK. A cold partition is fetched once however many callers
 * wait (single flight); failures are not cached; every key that leaves is wiped.
 * Layout and rules: docs/bucket-keys.md.
 */
export class BucketKeyCache {
  readonly #stores: KeyStoreSet;
  readonly #backend: CipherBackend;
  readonly #stats: StatsCounter;
  readonly #maxAge: number;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  readonly #realClock: boolean;
  readonly #encrypt: BucketKeyEntries<EncryptEntry>;
  readonly #decrypt: BucketKeyEntries<BucketKeyEntry>;
  readonly #generating = new Map<string, GenerateFlight>();
  readonly #unwrapping = new Map<string, UnwrapFlight>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

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
    this.#realClock = o.now === undefined;
    this.#now = (o.now as (() => number) | undefined) ?? (() => Date.now());
    this.#encrypt = new BucketKeyEntries(capacity, o.maxAgeMs, (entry, reason) => this.#wipe(entry, reason, 'encrypt'));
    this.#decrypt = new BucketKeyEntries(capacity, o.maxAgeMs, (entry, reason) => this.#wipe(entry, reason, 'decrypt'));
  }

  /** Live entries (encrypt + decrypt); expired ones are wiped first. */
  get size(): number {
    this.#sweep();
    return this.#encrypt.size + this.#decrypt.size;
  }

  /**
   * A data key for message `messageId`, from a warm bucket key or one fetched now. A
   * message of known length is admitted only if it fits the bytes left; one longer than
   * `maxBytes` gets a bucket key of its own that is never cached.
   * @throws {KeyStoreError} (rejects) when the stores fail; {SealflowError} ERR_ENGINE_CLOSED.
   */
  async acquire(request: GenerateRequest, messageId: Uint8Array, demand: BucketKeyDemand): Promise<BucketDataKey> {
    if (this.#closed) throw closedError();
    if (request.signal?.aborted === true) throw abortedError(request.signal);
    const now = this.#sweep();
    const ticket: EncryptTicket = { messageId, length: demand.plaintextLength };
    if (ticket.length !== undefined && ticket.length > this.#maxBytes) return this.#oneOff(request, ticket, demand.context);
    const partition = [
      this.#stores.stores.map((s) => `${s.id}\u0000${s.principal ?? ''}`).join('\u0000'),
      request.keyId ?? '',
      toHex(serializeEncryptionContext(demand.context)),
    ].join('\u0001');
    const entry = this.#encrypt.use(partition, now);
    if (entry !== undefined) {
      if (this.#fits(entry, ticket.length)) {
        this.#stats.bucketHits++;
        this.#event({ action: 'hit', side: 'encrypt', store: this.#stores.primary.id });
        return this.#serve(partition, entry, ticket);
      }
      this.#encrypt.remove(partition, entry.messages >= this.#maxMessages ? 'messages' : 'bytes');
    }
    const flight = this.#generating.get(partition) ?? this.#generate(partition, request, demand.context);
    return flight.join(ticket, request.signal);
  }

  /** Whether `store` may open `edk` (a bucket-key EDK when it can open the EDK inside). */
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
   * is opened with its bucket context (cached per store and principal, bounded, TTL) and
   * the message's data key derived from it.
   * @throws {KeyStoreError | MalformedMessageError} (rejects)
   */
  async unwrap(store: KeyStore, edk: EncryptedDataKey, request: KeyStoreRequest, messageId: Uint8Array): Promise<DataKey> {
    if (edk.providerId !== BUCKET_KEY_PROVIDER_ID) return this.#stores.call(store, 'unwrap', () => store.unwrapDataKey(edk, request));
    if (this.#closed) throw closedError();
    if (request.signal?.aborted === true) throw abortedError(request.signal);
    const { inner, bucketContext } = decodeBucketKeyEdk(edk);
    const now = this.#sweep();
    const partition = [
      store.id,
      store.principal ?? '',
      String(request.length),
      inner.providerId,
      toHex(inner.providerInfo),
      toHex(inner.ciphertext),
      toHex(serializeEncryptionContext(bucketContext)),
    ].join('\u0001');
    const entry = this.#decrypt.use(partition, now);
    if (entry !== undefined) {
      this.#stats.bucketHits++;
      this.#event({ action: 'hit', side: 'decrypt', store: store.id });
      return this.#objectKey(entry.bucketKey, messageId);
    }
    let flight = this.#unwrapping.get(partition);
    if (flight === undefined) {
      const started: UnwrapFlight = new BucketKeyFlight(() => this.#unpend(this.#unwrapping, partition, started));
      flight = started;
      this.#unwrapping.set(partition, started);
      this.#stats.bucketMisses++;
      this.#event({ action: 'miss', side: 'decrypt', store: store.id });
      const unwrapRequest: KeyStoreRequest = { context: bucketContext, length: request.length, signal: started.signal };
      this.#stores.call(store, 'unwrap', () => store.unwrapDataKey(inner, unwrapRequest)).then(
        (key) => this.#landUnwrap(partition, started, key, request.length, [store.id, ...keyNames([inner])]),
        (error: unknown) => this.#crash(this.#unwrapping, partition, started, error),
      );
    }
    return flight.join(messageId, request.signal);
  }

  /**
   * Drops (and wipes) every entry whose store ID, key ID or key ARN equals `keyId`, all
   * entries without one. Calls in flight finish for their callers but are not cached.
   */
  forget(keyId?: string): number {
    for (const flight of [...this.#generating.values(), ...this.#unwrapping.values()]) flight.forgotten.push(keyId);
    const match = (entry: BucketKeyEntry): boolean => keyId === undefined || entry.names.includes(keyId);
    return this.#encrypt.removeAll('forget', match) + this.#decrypt.removeAll('forget', match);
  }

  /** Wipes everything; callers still waiting for a key fail with ERR_ENGINE_CLOSED. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const flight of [...this.#generating.values(), ...this.#unwrapping.values()]) flight.cancel(closedError());
    this.#encrypt.removeAll('close');
    this.#decrypt.removeAll('close');
  }

  #generate(partition: string, request: GenerateRequest, context: EncryptionContext): GenerateFlight {
    const flight: GenerateFlight = new BucketKeyFlight(() => this.#unpend(this.#generating, partition, flight));
    this.#generating.set(partition, flight);
    this.#stats.bucketMisses++;
    this.#event({ action: 'miss', side: 'encrypt', store: this.#stores.primary.id });
    this.#stores.newDataKey(bucketRequest(request, context, flight.signal)).then(
      (key) => this.#landGenerate(partition, flight, request, context, key),
      (error: unknown) => this.#crash(this.#generating, partition, flight, error),
    );
    return flight;
  }

  /** A fetched bucket key: serve the waiters it can, cache it, send the rest to a new fetch. */
  #landGenerate(partition: string, flight: GenerateFlight, request: GenerateRequest, context: EncryptionContext, key: NewDataKey): void {
    this.#unpend(this.#generating, partition, flight);
    const waiters = flight.drain();
    let entry: EncryptEntry;
    try {
      entry = this.#newEntry(request, context, key);
    } catch (error) {
      key.dataKey.destroy();
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    if (this.#closed) {
      entry.bucketKey.destroy();
      for (const waiter of waiters) waiter.reject(closedError());
      return;
    }
    const rest = waiters.filter((waiter) => {
      if (!this.#fits(entry, waiter.ticket.length)) return true;
      waiter.resolve(this.#serve(partition, entry, waiter.ticket));
      return false;
    });
    this.#countShared(waiters.length - rest.length, 'encrypt', this.#stores.primary.id);
    const exhausted = this.#exhausted(entry);
    if (exhausted === undefined && !isForgotten(flight, entry)) this.#encrypt.insert(partition, entry, 'bytes');
    else this.#wipe(entry, exhausted ?? 'forget', 'encrypt');
    this.#schedule();
    if (rest.length > 0) {
      // spec: a fresh key always fits one waiter, so every round serves at least one.
      const next = this.#generating.get(partition) ?? this.#generate(partition, request, context);
      for (const waiter of rest) next.adopt(waiter);
    }
  }

  #landUnwrap(partition: string, flight: UnwrapFlight, key: DataKey, length: number, names: readonly string[]): void {
    this.#unpend(this.#unwrapping, partition, flight);
    const waiters = flight.drain();
    const failure = this.#closed
      ? closedError()
      : key.length === length
        ? undefined
        : new KeyStoreError(ErrorCodes.INVALID_KEY_CIPHERTEXT, `key store ${names[0] ?? ''} returned a key of the wrong length`, { store: names[0] ?? '' });
    if (failure !== undefined) {
      key.destroy();
      for (const waiter of waiters) waiter.reject(failure);
      return;
    }
    const entry: BucketKeyEntry = { bucketKey: key, created: this.#now(), names };
    for (const waiter of waiters) waiter.resolve(this.#objectKey(key, waiter.ticket));
    this.#countShared(waiters.length, 'decrypt', names[0] ?? '');
    if (isForgotten(flight, entry)) this.#wipe(entry, 'forget', 'decrypt');
    else this.#decrypt.insert(partition, entry, 'age');
    this.#schedule();
  }

  /** A failed fetch: every waiter gets the error; nothing is cached, the next caller retries. */
  #crash<T, R>(pending: Map<string, BucketKeyFlight<T, R>>, partition: string, flight: BucketKeyFlight<T, R>, error: unknown): void {
    this.#unpend(pending, partition, flight);
    for (const waiter of flight.drain()) waiter.reject(this.#closed ? closedError() : error);
  }

  #unpend<T, R>(pending: Map<string, BucketKeyFlight<T, R>>, partition: string, flight: BucketKeyFlight<T, R>): void {
    if (pending.get(partition) === flight) pending.delete(partition);
  }

  /** A message too long for any bucket key's byte budget: a bucket key of its own, never cached. */
  async #oneOff(request: GenerateRequest, ticket: EncryptTicket, context: EncryptionContext): Promise<BucketDataKey> {
    this.#stats.bucketMisses++;
    this.#event({ action: 'miss', side: 'encrypt', store: this.#stores.primary.id });
    const key = await this.#stores.newDataKey(bucketRequest(request, context, request.signal));
    let entry: EncryptEntry;
    try {
      entry = this.#newEntry(request, context, key);
    } catch (error) {
      key.dataKey.destroy();
      throw error;
    }
    const served = this.#serve(undefined, entry, ticket);
    this.#wipe(entry, 'bytes', 'encrypt');
    return served;
  }

  #newEntry(request: GenerateRequest, context: EncryptionContext, key: NewDataKey): EncryptEntry {
    return {
      bucketKey: key.dataKey,
      encryptedDataKeys: key.encryptedDataKeys.map((edk) => encodeBucketKeyEdk(edk, context)),
      created: this.#now(),
      names: [...this.#stores.stores.map((s) => s.id), ...(request.keyId === undefined ? [] : [request.keyId]), ...keyNames(key.encryptedDataKeys)],
      messages: 0,
      bytes: 0,
    };
  }

  #fits(entry: EncryptEntry, length: number | undefined): boolean {
    if (entry.messages >= this.#maxMessages) return false;
    return length === undefined ? entry.bytes < this.#maxBytes : entry.bytes + length <= this.#maxBytes;
  }

  #exhausted(entry: EncryptEntry): 'messages' | 'bytes' | undefined {
    if (entry.messages >= this.#maxMessages) return 'messages';
    if (entry.bytes >= this.#maxBytes) return 'bytes';
    return undefined;
  }

  /**
   * Reserves one message (and its known length) on `entry` and derives the message's key.
   * An entry cached under `partition` that is now used up is wiped at once.
   */
  #serve(partition: string | undefined, entry: EncryptEntry, ticket: EncryptTicket): BucketDataKey {
    const reserved = ticket.length ?? 0;
    entry.messages++;
    entry.bytes += reserved;
    const dataKey = this.#objectKey(entry.bucketKey, ticket.messageId);
    if (partition !== undefined) this.#retireIfExhausted(partition, entry);
    return {
      dataKey,
      encryptedDataKeys: entry.encryptedDataKeys,
      charge: (bytes) => {
        // Unknown-length streams are charged when they end; a reserved length only for the difference.
        entry.bytes += Math.max(0, bytes - reserved);
        if (partition !== undefined) this.#retireIfExhausted(partition, entry);
      },
    };
  }

  #retireIfExhausted(partition: string, entry: EncryptEntry): void {
    const reason = this.#exhausted(entry);
    if (reason !== undefined && this.#encrypt.holds(partition, entry)) this.#encrypt.remove(partition, reason);
  }

  #objectKey(bucketKey: DataKey, messageId: Uint8Array): DataKey {
    return new DataKey(this.#backend.hkdf('sha512', bucketKey.reveal(), messageId, OBJECT_KEY_INFO, bucketKey.length));
  }

  /** Waiters served by one fetch: the first needed the call, the others avoided one. */
  #countShared(served: number, side: 'encrypt' | 'decrypt', store: string): void {
    for (let i = 1; i < served; i++) {
      this.#stats.bucketHits++;
      this.#event({ action: 'hit', side, store });
    }
  }

  #wipe(entry: BucketKeyEntry, reason: BucketKeyRemoval, side: 'encrypt' | 'decrypt'): void {
    entry.bucketKey.destroy();
    this.#stats.bucketEvictions++;
    const usage = 'messages' in entry ? { messages: (entry as EncryptEntry).messages, bytes: (entry as EncryptEntry).bytes } : {};
    this.#event({ action: reason === 'close' || reason === 'forget' ? 'wipe' : 'evict', side, store: entry.names[0] ?? '', reason, ...usage });
  }

  /** Wipes expired entries; returns the clock reading it used. */
  #sweep(): number {
    const now = this.#now();
    this.#encrypt.sweep(now);
    this.#decrypt.sweep(now);
    return now;
  }

  /**
   * With the real clock, a timer (unref'd: it never keeps the process alive) wipes keys
   * that expire while nobody uses the cache. With an injected clock, the next use does.
   */
  #schedule(): void {
    if (!this.#realClock || this.#timer !== undefined || this.#closed) return;
    const oldest = [this.#encrypt.oldest, this.#decrypt.oldest].filter((t): t is number => t !== undefined);
    if (oldest.length === 0) return;
    const delay = Math.min(Math.max(Math.min(...oldest) + this.#maxAge - this.#now(), 1), MAX_TIMER_MS);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sweep();
      this.#schedule();
    }, delay);
    this.#timer.unref?.();
  }

  #event(event: BucketKeyEvent): void {
    publish(Channels.bucketKey, event);
  }
}

function bucketRequest(request: GenerateRequest, context: EncryptionContext, signal: AbortSignal | undefined): GenerateRequest {
  return {
    context,
    length: request.length,
    ...(request.keyId === undefined ? {} : { keyId: request.keyId }),
    ...(signal === undefined ? {} : { signal }),
  };
}

function isForgotten(flight: BucketKeyFlight<unknown, unknown>, entry: BucketKeyEntry): boolean {
  return flight.forgotten.some((keyId) => keyId === undefined || entry.names.includes(keyId));
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
