import type { CipherBackend } from '../crypto/backend.js';
import { Channels, publish, type BucketKeyEvent } from '../events.js';
import { toHex } from '../format/bytes.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import type { StatsCounter } from '../stats.js';
import { assertBucketKeyInfoFits, encodeBucketKeyEdk, type BucketKeyLayout } from './bucket-key-edk.js';
import { BucketKeyEntries, type BucketKeyEntry, type BucketKeyRemoval } from './bucket-key-entries.js';
import { abortedError, BucketKeyFlight } from './bucket-key-flight.js';
import { resolveBucketKeyOptions, type BucketKeyOptions } from './bucket-key-options.js';
import {
  closedError,
  countShared,
  deriveObjectKey,
  isForgotten,
  keyNames,
  type BucketKeyShared,
  type BucketKeySide,
} from './bucket-key-shared.js';
import { BucketKeyUnwrapper } from './bucket-key-unwrapper.js';
import { DataKey } from './data-key.js';
import { bucketKeyWrapper, type BucketKeyWrapper } from './bucket-key-wrap.js';
import type { EncryptedDataKey, EncryptionContext, GenerateRequest, KeyStore, KeyStoreRequest } from './key-store.js';
import type { KeyStoreSet, NewDataKey } from './key-store-set.js';

export { s3BucketContext } from './bucket-key-context.js';
export type { BucketKeyOptions } from './bucket-key-options.js';

/** What a caller asks of the cache for one new message. */
export interface BucketKeyDemand {
  /** The context the key store sees, e.g. `{ 'aws:s3:arn': 'arn:aws:s3:::bucket' }`. */
  readonly context: EncryptionContext;
  /** The message's plaintext length when known up front (one-shot encrypts, declared streams). */
  readonly plaintextLength?: number | undefined;
}

/** A message's data key served from a bucket key. */
export interface BucketDataKey {
  /**
   * Unique to the message: random and wrapped under the bucket key (layout 2), or
   * derived from the bucket key and the message ID (layout 1).
   */
  readonly dataKey: DataKey;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** Charges the finished message's plaintext bytes (a reserved length is not charged twice). */
  charge(bytes: number): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

interface EncryptEntry extends BucketKeyEntry {
  /** The stores' EDKs of the bucket key, packed as bucket-key EDKs. */
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  /** Layout 2: the bucket key as a raw AES wrapping key for each message's data key. */
  readonly wrapper: BucketKeyWrapper | undefined;
  messages: number;
  bytes: number;
}

interface EncryptTicket {
  readonly messageId: Uint8Array;
  /** The message's full context: the AAD of its wrapped data key (layout 2). */
  readonly context: EncryptionContext;
  readonly keyLength: number;
  readonly length: number | undefined;
}

type GenerateFlight = BucketKeyFlight<EncryptTicket, BucketDataKey>;

/**
 * S3 Bucket Keys in the core. A data key fetched once from the key stores, with the
 * bucket-level context, serves many messages for a bounded window (age, messages, bytes);
 * each message still gets its own data key (layout 2: random, wrapped under the bucket
 * key as the ESDK raw AES keyring wraps; layout 1: HKDF-SHA512(bucket key, salt = message
 * ID)), and so its own derived key and commitment. Encrypt entries are partitioned by the
 * stores (ID and principal), key ID and bucket context; decrypt entries (see
 * BucketKeyUnwrapper) by store, principal and the stored EDK. A cold partition is fetched
 * once however many callers wait (single flight); failures are not cached; every key that
 * leaves is wiped. Layout and rules: docs/bucket-keys.md.
 */
export class BucketKeyCache {
  readonly #shared: BucketKeyShared;
  readonly #stores: KeyStoreSet;
  readonly #stats: StatsCounter;
  readonly #maxAge: number;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #layout: BucketKeyLayout;
  readonly #backend: CipherBackend;
  readonly #now: () => number;
  readonly #realClock: boolean;
  readonly #encrypt: BucketKeyEntries<EncryptEntry>;
  readonly #decrypt: BucketKeyUnwrapper;
  readonly #generating = new Map<string, GenerateFlight>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /** @throws {InvalidArgumentError} for bad options. */
  constructor(stores: KeyStoreSet, backend: CipherBackend, stats: StatsCounter, options: BucketKeyOptions) {
    const o = resolveBucketKeyOptions(options);
    this.#stores = stores;
    this.#stats = stats;
    this.#maxAge = o.maxAgeMs;
    this.#maxMessages = o.maxMessages;
    this.#maxBytes = o.maxBytes;
    this.#layout = o.layout;
    this.#backend = backend;
    this.#realClock = o.realClock;
    this.#now = o.now;
    this.#shared = {
      stores,
      stats,
      now: o.now,
      backend,
      derive: (bucketKey, messageId) => deriveObjectKey(backend, bucketKey, messageId),
      wipe: (entry, reason, side) => this.#wipe(entry, reason, side),
      event: (event) => publish(Channels.bucketKey, event),
      cached: () => this.#schedule(),
      isClosed: () => this.#closed,
    };
    this.#encrypt = new BucketKeyEntries(o.capacity, o.maxAgeMs, (entry, reason) =>
      this.#wipe(entry, reason, 'encrypt'),
    );
    this.#decrypt = new BucketKeyUnwrapper(this.#shared, o.capacity, o.maxAgeMs);
  }

  /** Live entries (encrypt + decrypt); expired ones are wiped first. */
  get size(): number {
    this.#sweep();
    return this.#encrypt.size + this.#decrypt.entries.size;
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
    const ticket: EncryptTicket = {
      messageId,
      context: request.context,
      keyLength: request.length,
      length: demand.plaintextLength,
    };
    const contextBytes = serializeEncryptionContext(demand.context);
    // Refused before any key-store call: the bucket context must fit the EDK's u16 field.
    assertBucketKeyInfoFits(contextBytes.length + 7);
    if (ticket.length !== undefined && ticket.length > this.#maxBytes)
      return this.#oneOff(request, ticket, demand.context);
    const partition = [
      this.#stores.stores.map((s) => `${s.id}\u0000${s.principal ?? ''}`).join('\u0000'),
      request.keyId ?? '',
      toHex(contextBytes),
    ].join('\u0001');
    const entry = this.#encrypt.use(partition, now);
    if (entry !== undefined) {
      if (this.#fits(entry, ticket.length)) {
        this.#stats.bucketHits++;
        this.#shared.event({ action: 'hit', side: 'encrypt', store: this.#stores.primary.id });
        return this.#serve(partition, entry, ticket);
      }
      this.#encrypt.remove(partition, entry.messages >= this.#maxMessages ? 'messages' : 'bytes');
    }
    const flight = this.#generating.get(partition) ?? this.#generate(partition, request, demand.context);
    return flight.join(ticket, request.signal);
  }

  /** Whether `store` may open `edk` (a bucket-key EDK when it can open the EDK inside). */
  accepts(store: KeyStore, edk: EncryptedDataKey): boolean {
    return this.#decrypt.accepts(store, edk);
  }

  /**
   * Unwraps `edk` with `store`; a bucket-key EDK through the decrypt-side cache (`edks`:
   * all of the message's EDKs, where a layout-2 message's wrapped data key is found).
   * @throws {KeyStoreError | MalformedMessageError} (rejects)
   */
  unwrap(
    store: KeyStore,
    edk: EncryptedDataKey,
    request: KeyStoreRequest,
    messageId: Uint8Array,
    edks: readonly EncryptedDataKey[] = [edk],
  ): Promise<DataKey> {
    return this.#decrypt.unwrap(store, edk, request, messageId, this.#sweep(), edks);
  }

  /**
   * Drops (and wipes) every entry whose store ID, key ID or key ARN equals `keyId`, all
   * entries without one. Calls in flight finish for their callers but are not cached.
   */
  forget(keyId?: string): number {
    for (const flight of this.#generating.values()) flight.forgotten.push(keyId);
    this.#decrypt.forget(keyId);
    const match = (entry: BucketKeyEntry): boolean => keyId === undefined || entry.names.includes(keyId);
    return this.#encrypt.removeAll('forget', match) + this.#decrypt.entries.removeAll('forget', match);
  }

  /** Wipes everything; callers still waiting for a key fail with ERR_ENGINE_CLOSED. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const flight of [...this.#generating.values()]) flight.cancel(closedError());
    this.#decrypt.cancelAll();
    this.#encrypt.removeAll('close');
    this.#decrypt.entries.removeAll('close');
  }

  #generate(partition: string, request: GenerateRequest, context: EncryptionContext): GenerateFlight {
    const flight: GenerateFlight = new BucketKeyFlight(() => this.#unpend(partition, flight));
    this.#generating.set(partition, flight);
    this.#stats.bucketMisses++;
    this.#shared.event({ action: 'miss', side: 'encrypt', store: this.#stores.primary.id });
    this.#stores.newDataKey(bucketRequest(request, context, flight.signal)).then(
      (key) => this.#land(partition, flight, request, context, key),
      (error: unknown) => {
        // Failures are not cached: the next caller tries the stores again.
        this.#unpend(partition, flight);
        for (const waiter of flight.drain()) waiter.reject(this.#closed ? closedError() : error);
      },
    );
    return flight;
  }

  /** A fetched bucket key: serve the waiters it can, cache it, send the rest to a new fetch. */
  #land(
    partition: string,
    flight: GenerateFlight,
    request: GenerateRequest,
    context: EncryptionContext,
    key: NewDataKey,
  ): void {
    this.#unpend(partition, flight);
    const waiters = flight.drain();
    let entry: EncryptEntry;
    try {
      if (this.#closed) throw closedError();
      entry = this.#newEntry(request, context, key);
    } catch (error) {
      key.dataKey.destroy();
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    const rest = waiters.filter((waiter) => {
      if (!this.#fits(entry, waiter.ticket.length)) return true;
      waiter.resolve(this.#serve(partition, entry, waiter.ticket));
      return false;
    });
    countShared(this.#shared, waiters.length - rest.length, 'encrypt', this.#stores.primary.id);
    const exhausted = this.#exhausted(entry);
    if (exhausted !== undefined || isForgotten(flight, entry)) this.#wipe(entry, exhausted ?? 'forget', 'encrypt');
    else {
      this.#encrypt.insert(partition, entry, 'bytes');
      this.#schedule();
    }
    if (rest.length > 0) {
      // A fresh key always fits one waiter (longer messages took #oneOff), so every round serves one.
      const next = this.#generating.get(partition) ?? this.#generate(partition, request, context);
      for (const waiter of rest) next.adopt(waiter);
    }
  }

  #unpend(partition: string, flight: GenerateFlight): void {
    if (this.#generating.get(partition) === flight) this.#generating.delete(partition);
  }

  /** A message too long for any bucket key's byte budget: a bucket key of its own, never cached. */
  async #oneOff(request: GenerateRequest, ticket: EncryptTicket, context: EncryptionContext): Promise<BucketDataKey> {
    this.#stats.bucketMisses++;
    this.#shared.event({ action: 'miss', side: 'encrypt', store: this.#stores.primary.id });
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
    const layout = this.#layout;
    return {
      bucketKey: key.dataKey,
      encryptedDataKeys: key.encryptedDataKeys.map((edk) => encodeBucketKeyEdk(edk, context, layout)),
      wrapper: layout === 2 ? bucketKeyWrapper(this.#backend, key.dataKey) : undefined,
      created: this.#now(),
      names: [
        ...this.#stores.stores.map((s) => s.id),
        ...(request.keyId === undefined ? [] : [request.keyId]),
        ...keyNames(key.encryptedDataKeys),
      ],
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
   * Reserves one message (and its known length) on `entry` and makes the message's key:
   * layout 2, a random key wrapped under the bucket key (its EDK goes first, the bucket
   * key's EDKs follow); layout 1, a key derived from the bucket key. Synchronous, so the
   * bucket key is used before anything can wipe it. An entry cached under `partition`
   * that is now used up is wiped at once.
   */
  #serve(partition: string | undefined, entry: EncryptEntry, ticket: EncryptTicket): BucketDataKey {
    const reserved = ticket.length ?? 0;
    entry.messages++;
    entry.bytes += reserved;
    let dataKey: DataKey;
    let encryptedDataKeys = entry.encryptedDataKeys;
    if (entry.wrapper === undefined) dataKey = this.#shared.derive(entry.bucketKey, ticket.messageId);
    else {
      dataKey = new DataKey(this.#backend.randomBytes(ticket.keyLength));
      encryptedDataKeys = [entry.wrapper.wrap(dataKey.reveal(), ticket.context), ...entry.encryptedDataKeys];
    }
    const retire = (): void => {
      const reason = this.#exhausted(entry);
      if (partition !== undefined && reason !== undefined && this.#encrypt.holds(partition, entry))
        this.#encrypt.remove(partition, reason);
    };
    retire();
    return {
      dataKey,
      encryptedDataKeys,
      charge: (bytes) => {
        // Unknown-length streams are charged when they end; a reserved length only for the difference.
        entry.bytes += Math.max(0, bytes - reserved);
        retire();
      },
    };
  }

  #wipe(entry: BucketKeyEntry, reason: BucketKeyRemoval, side: BucketKeySide): void {
    entry.bucketKey.destroy();
    this.#stats.bucketEvictions++;
    const usage =
      'messages' in entry ? { messages: (entry as EncryptEntry).messages, bytes: (entry as EncryptEntry).bytes } : {};
    const action: BucketKeyEvent['action'] = reason === 'close' || reason === 'forget' ? 'wipe' : 'evict';
    this.#shared.event({ action, side, store: entry.names[0] ?? '', reason, ...usage });
  }

  /** Wipes expired entries; returns the clock reading it used. */
  #sweep(): number {
    const now = this.#now();
    this.#encrypt.sweep(now);
    this.#decrypt.entries.sweep(now);
    return now;
  }

  /**
   * With the real clock, a timer (unref'd: it never keeps the process alive) wipes keys
   * that expire while nobody uses the cache. With an injected clock, the next use does.
   */
  #schedule(): void {
    if (!this.#realClock || this.#timer !== undefined || this.#closed) return;
    const oldest = [this.#encrypt.oldest, this.#decrypt.entries.oldest].filter((t): t is number => t !== undefined);
    if (oldest.length === 0) return;
    const delay = Math.min(Math.max(Math.min(...oldest) + this.#maxAge - this.#now(), 1), MAX_TIMER_MS);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sweep();
      this.#schedule();
    }, delay);
    this.#timer.unref?.();
  }
}

function bucketRequest(
  request: GenerateRequest,
  context: EncryptionContext,
  signal: AbortSignal | undefined,
): GenerateRequest {
  return {
    context,
    length: request.length,
    ...(request.keyId === undefined ? {} : { keyId: request.keyId }),
    ...(signal === undefined ? {} : { signal }),
  };
}
