import type { EncryptedDataKey } from '../format/encrypted-data-key.js';
import type { EncryptionContext } from '../format/encryption-context.js';
import type { DataKey } from './data-key.js';

// The two wire types live in format/ (the header carries them); key stores name them from here too.
export type { EncryptedDataKey, EncryptionContext };

/** What every key-store call receives. */
export interface KeyStoreRequest {
  /**
   * The full context to bind: the caller's pairs, `aws-crypto-public-key` for signing
   * suites and any reproduced pairs. Stores must bind it (KMS EncryptionContext, GCM
   * AAD); none may ignore it.
   */
  readonly context: EncryptionContext;
  /** Data key length in bytes (32 for the v2 suites). */
  readonly length: number;
  /** Cancels the call (engine deadline, caller abort). */
  readonly signal?: AbortSignal;
}

/** A request to make a new data key. */
export interface GenerateRequest extends KeyStoreRequest {
  /** Overrides the store's configured key for this call (key ID, ARN or alias). */
  readonly keyId?: string;
}

/** The result of `generateDataKey`. */
export interface GeneratedDataKey {
  /** The plaintext key; the engine destroys it once the message no longer needs it. */
  readonly dataKey: DataKey;
  readonly encryptedDataKey: EncryptedDataKey;
}

/**
 * A source of data keys: the seam between the engine and KMS-like services.
 *
 * Stores never see message plaintext. They throw `KeyStoreError`s with stable codes
 * (`ERR_KEY_NOT_FOUND`, `ERR_ACCESS_DENIED`, `ERR_KEY_STORE_UNAVAILABLE`, ...); the
 * engine collects them when it fails over between stores.
 */
export interface KeyStore {
  /**
   * Stable identity used in errors, stats and cache partitions, e.g.
   * `raw-aes:namespace/name` or `aws-kms:arn:aws:kms:...`. Never contains secrets.
   */
  readonly id: string;
  /** The caller this store acts as (bucket-key cache entries are partitioned by it). */
  readonly principal?: string;
  /**
   * True when the store publishes its own `sealflow:keystore:call` event for every call
   * (with the key ID and the remote request ID); the engine then does not publish a
   * second, poorer one.
   */
  readonly publishesCallEvents?: boolean;
  /** Whether this store wrote (and so may unwrap) `edk`; a cheap check, no I/O. */
  canUnwrap(edk: EncryptedDataKey): boolean;
  /** Makes a new data key and its encrypted form under this store's key. */
  generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey>;
  /** Encrypts an existing data key under this store's key (for multi-store messages). */
  wrapDataKey(dataKey: DataKey, request: KeyStoreRequest): Promise<EncryptedDataKey>;
  /** Decrypts `edk`, binding `request.context`; the caller destroys the result. */
  unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey>;
}
