import { ErrorCodes, isSealflowError, KeyStoreError, type ErrorCode, type KeyStoreFailure } from '../errors.js';
import type { KeyStoreOperation } from '../events.js';
import type { StatsCounter } from '../stats.js';
import type { DataKey } from './data-key.js';
import { timeKeyStoreCall } from './key-store-call.js';
import type { EncryptedDataKey, GenerateRequest, GeneratedDataKey, KeyStore, KeyStoreRequest } from './key-store.js';

/** What the engine gets back from the stores for a new message. */
export interface NewDataKey {
  readonly dataKey: DataKey;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
}

function failureOf(store: KeyStore, error: unknown): KeyStoreFailure {
  if (isSealflowError(error)) return { store: store.id, code: error.code, message: error.message };
  return {
    store: store.id,
    code: ErrorCodes.KEY_STORE_FAILED,
    message: error instanceof Error ? error.message : String(error),
  };
}

/** Normalizes anything a store threw into a KeyStoreError that names the store. */
function asKeyStoreError(store: KeyStore, error: unknown, operation: KeyStoreOperation): KeyStoreError {
  if (error instanceof KeyStoreError) return error;
  const failure = failureOf(store, error);
  return new KeyStoreError(
    failure.code,
    `key store ${store.id} failed to ${operation} a data key: ${failure.message}`,
    {
      store: store.id,
      cause: error,
    },
  );
}

/**
 * The stores configured on an engine: the first generates, all others wrap; decrypt
 * offers each EDK to the stores that can unwrap it, in order, and fails over on errors.
 * Every call is counted and published on `sealflow:keystore:call` (unless the store
 * publishes its own, richer event).
 */
export class KeyStoreSet {
  readonly stores: readonly KeyStore[];
  readonly #stats: StatsCounter;

  constructor(stores: readonly KeyStore[], stats: StatsCounter) {
    this.stores = stores;
    this.#stats = stats;
  }

  get primary(): KeyStore {
    return this.stores[0] as KeyStore;
  }

  /** Generates with the primary store (or uses `generated`), then wraps with every other store. */
  async newDataKey(request: GenerateRequest, generated?: GeneratedDataKey): Promise<NewDataKey> {
    const first = generated ?? (await this.call(this.primary, 'generate', () => this.primary.generateDataKey(request)));
    const encryptedDataKeys: EncryptedDataKey[] = [first.encryptedDataKey];
    try {
      for (const store of this.stores.slice(1)) {
        const wrapRequest: KeyStoreRequest = {
          context: request.context,
          length: request.length,
          ...(request.signal ? { signal: request.signal } : {}),
        };
        encryptedDataKeys.push(await this.call(store, 'wrap', () => store.wrapDataKey(first.dataKey, wrapRequest)));
      }
    } catch (error) {
      if (generated === undefined) first.dataKey.destroy();
      throw error;
    }
    return { dataKey: first.dataKey, encryptedDataKeys };
  }

  /**
   * Unwraps the first EDK any store can open. Failures are collected; if all fail the
   * error lists each, with code `ERR_KEY_STORE_UNAVAILABLE` when every failure was an
   * outage (so callers can retry) and `ERR_NO_DECRYPTABLE_KEY` otherwise.
   */
  async unwrap(
    edks: readonly EncryptedDataKey[],
    request: KeyStoreRequest,
    unwrapOne: (store: KeyStore, edk: EncryptedDataKey) => Promise<DataKey> = (store, edk) =>
      this.call(store, 'unwrap', () => store.unwrapDataKey(edk, request)),
    accepts: (store: KeyStore, edk: EncryptedDataKey) => boolean = (store, edk) => store.canUnwrap(edk),
  ): Promise<DataKey> {
    const failures: KeyStoreFailure[] = [];
    for (const edk of edks) {
      for (const store of this.stores) {
        if (!accepts(store, edk)) continue;
        try {
          const dataKey = await unwrapOne(store, edk);
          if (dataKey.length !== request.length) {
            dataKey.destroy();
            throw new KeyStoreError(
              ErrorCodes.INVALID_KEY_CIPHERTEXT,
              `key store ${store.id} returned a key of the wrong length`,
              { store: store.id },
            );
          }
          return dataKey;
        } catch (error) {
          failures.push(failureOf(store, error));
        }
      }
    }
    const allUnavailable = failures.length > 0 && failures.every((f) => f.code === ErrorCodes.KEY_STORE_UNAVAILABLE);
    const code: ErrorCode = allUnavailable ? ErrorCodes.KEY_STORE_UNAVAILABLE : ErrorCodes.NO_DECRYPTABLE_KEY;
    const detail =
      failures.length === 0
        ? `none of the ${edks.length} encrypted data key(s) belongs to a configured key store`
        : failures.map((f) => `${f.store}: ${f.code} (${f.message})`).join('; ');
    throw new KeyStoreError(code, `no encrypted data key could be decrypted: ${detail}`, { failures });
  }

  /** Runs one store call with counting, timing and an event (unless the store publishes its own). */
  async call<T>(store: KeyStore, operation: KeyStoreOperation, fn: () => Promise<T>): Promise<T> {
    this.#stats[operation]++;
    const run = async (): Promise<T> => {
      try {
        return await fn();
      } catch (error) {
        this.#stats.keyStoreFailures++;
        throw asKeyStoreError(store, error, operation);
      }
    };
    return store.publishesCallEvents === true ? run() : timeKeyStoreCall({ store: store.id, operation }, run);
  }
}
