import { ErrorCodes, KeyStoreError } from '../errors.js';
import { toHex } from '../format/bytes.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import { BUCKET_KEY_PROVIDER_ID, decodeBucketKeyEdk } from './bucket-key-edk.js';
import { BucketKeyEntries, type BucketKeyEntry } from './bucket-key-entries.js';
import { abortedError, BucketKeyFlight } from './bucket-key-flight.js';
import { closedError, countShared, isForgotten, keyNames, type BucketKeyShared } from './bucket-key-shared.js';
import { DataKey } from './data-key.js';
import { bucketKeyWrapper, type BucketKeyWrapper } from './bucket-key-wrap.js';
import type { EncryptedDataKey, KeyStore, KeyStoreRequest } from './key-store.js';

/** What a waiter does with the unwrapped bucket key: make its message's data key. */
type Opener = (entry: UnwrapEntry) => DataKey;
type UnwrapFlight = BucketKeyFlight<Opener, DataKey>;

interface UnwrapEntry extends BucketKeyEntry {
  /** The bucket key as the raw AES wrapping key of layout-2 data keys. */
  readonly wrapper: BucketKeyWrapper;
}

/**
 * The decrypt side of the bucket-key cache: bucket keys unwrapped from bucket-key EDKs,
 * kept (bounded, TTL) per store, principal and stored EDK, so reading many objects
 * written in one window costs one unwrap per principal. Unwraps of the same EDK in flight
 * at once share one store call.
 */
export class BucketKeyUnwrapper {
  readonly #shared: BucketKeyShared;
  readonly #pending = new Map<string, UnwrapFlight>();
  readonly entries: BucketKeyEntries<UnwrapEntry>;

  constructor(shared: BucketKeyShared, capacity: number, maxAgeMs: number) {
    this.#shared = shared;
    this.entries = new BucketKeyEntries(capacity, maxAgeMs, (entry, reason) => shared.wipe(entry, reason, 'decrypt'));
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
   * is opened with its bucket context (from the cache when warm), then the message's data
   * key is unwrapped from its raw-AES EDK among `edks` with the message context (layout 2)
   * or derived from the bucket key and `messageId` (layout 1).
   * @throws {KeyStoreError | MalformedMessageError} (rejects)
   */
  async unwrap(
    store: KeyStore,
    edk: EncryptedDataKey,
    request: KeyStoreRequest,
    messageId: Uint8Array,
    now: number,
    edks: readonly EncryptedDataKey[],
  ): Promise<DataKey> {
    const shared = this.#shared;
    if (edk.providerId !== BUCKET_KEY_PROVIDER_ID)
      return shared.stores.call(store, 'unwrap', () => store.unwrapDataKey(edk, request));
    if (shared.isClosed()) throw closedError();
    if (request.signal?.aborted === true) throw abortedError(request.signal);
    const { layout, inner, bucketContext } = decodeBucketKeyEdk(edk);
    const open: Opener =
      layout === 1
        ? (entry) => shared.derive(entry.bucketKey, messageId)
        : (entry) => {
            const key = entry.wrapper.unwrap(edks, request.context);
            if (key === undefined) {
              throw new KeyStoreError(
                ErrorCodes.INVALID_KEY_CIPHERTEXT,
                `${store.id}: no data key in the message opens under its bucket key and context`,
                { store: store.id },
              );
            }
            return new DataKey(key);
          };
    const partition = [
      store.id,
      store.principal ?? '',
      String(request.length),
      inner.providerId,
      toHex(inner.providerInfo),
      toHex(inner.ciphertext),
      toHex(serializeEncryptionContext(bucketContext)),
    ].join('\u0001');
    const entry = this.entries.use(partition, now);
    if (entry !== undefined) {
      shared.stats.bucketHits++;
      shared.event({ action: 'hit', side: 'decrypt', store: store.id });
      return open(entry);
    }
    let flight = this.#pending.get(partition);
    if (flight === undefined) {
      const started: UnwrapFlight = new BucketKeyFlight(() => this.#unpend(partition, started));
      flight = started;
      this.#pending.set(partition, started);
      shared.stats.bucketMisses++;
      shared.event({ action: 'miss', side: 'decrypt', store: store.id });
      const unwrapRequest: KeyStoreRequest = { context: bucketContext, length: request.length, signal: started.signal };
      shared.stores
        .call(store, 'unwrap', () => store.unwrapDataKey(inner, unwrapRequest))
        .then(
          (key) => this.#land(partition, started, key, request.length, [store.id, ...keyNames([inner])]),
          (error: unknown) => {
            // Failures are not cached: the next caller tries the store again.
            this.#unpend(partition, started);
            for (const waiter of started.drain()) waiter.reject(shared.isClosed() ? closedError() : error);
          },
        );
    }
    return flight.join(open, request.signal);
  }

  /** Marks calls in flight: their keys serve the callers waiting, and are not cached. */
  forget(keyId: string | undefined): void {
    for (const flight of this.#pending.values()) flight.forgotten.push(keyId);
  }

  /** Fails every waiter with ERR_ENGINE_CLOSED and aborts the calls. */
  cancelAll(): void {
    for (const flight of [...this.#pending.values()]) flight.cancel(closedError());
  }

  #land(partition: string, flight: UnwrapFlight, key: DataKey, length: number, names: readonly string[]): void {
    const shared = this.#shared;
    this.#unpend(partition, flight);
    const waiters = flight.drain();
    const store = names[0] ?? '';
    const failure = shared.isClosed()
      ? closedError()
      : key.length === length
        ? undefined
        : new KeyStoreError(
            ErrorCodes.INVALID_KEY_CIPHERTEXT,
            `key store ${store} returned a key of the wrong length`,
            { store },
          );
    if (failure !== undefined) {
      key.destroy();
      for (const waiter of waiters) waiter.reject(failure);
      return;
    }
    const entry: UnwrapEntry = {
      bucketKey: key,
      created: shared.now(),
      names,
      wrapper: bucketKeyWrapper(shared.backend, key),
    };
    // Each waiter opens its message now, before the key can be wiped (forget, below).
    for (const waiter of waiters) {
      let dataKey: DataKey;
      try {
        dataKey = waiter.ticket(entry);
      } catch (error) {
        waiter.reject(error);
        continue;
      }
      waiter.resolve(dataKey);
    }
    countShared(shared, waiters.length, 'decrypt', store);
    if (isForgotten(flight, entry)) shared.wipe(entry, 'forget', 'decrypt');
    else {
      this.entries.insert(partition, entry, 'age');
      shared.cached();
    }
  }

  #unpend(partition: string, flight: UnwrapFlight): void {
    if (this.#pending.get(partition) === flight) this.#pending.delete(partition);
  }
}
