import {
  type EncryptedDataKey as EsdkEncryptedDataKey,
  KeyringNode,
  KeyringTraceFlag,
  type NodeDecryptionMaterial,
  type NodeEncryptionMaterial,
} from '@aws-crypto/client-node';
import {
  BUCKET_KEY_PROVIDER_ID,
  decodeBucketKeyEdk,
  ErrorCodes,
  InvalidArgumentError,
  isSealflowError,
  KeyStoreError,
  type DataKey,
  type EncryptedDataKey,
  type KeyStore,
  type KeyStoreFailure,
} from '@sealflow/core';
import { BucketKeyMemo } from './bucket-key-memo.js';
import { resolveKeyringOptions, type SealflowKeyringOptions } from './keyring-options.js';

/**
 * A keyring for `@aws-crypto/client-node` 5.x that opens what stock keyrings cannot:
 *
 * - bucket-key messages of layout 2 (`sealflow-bucket-key` + `sealflow-bucket-data-key`):
 *   the bucket key is unwrapped by a configured sealflow key store (a KMS client, an XKS
 *   proxy, a raw AES key) with the bucket context from the EDK, kept for `maxAgeMs`
 *   (one unwrap per window), and opens the message's data key as the raw AES keyring would;
 * - XKS EDKs (`sealflow-xks`) and any other EDK a configured store accepts, unwrapped
 *   with the message's context.
 *
 * Decrypt only: `client.decrypt(keyring, bytes)` and `decryptStream(keyring)` just work;
 * encrypting through it throws. Layout-1 bucket-key messages (before layout 2) derive the
 * data key from the message ID, which no keyring sees: only sealflow reads those.
 */
export class SealflowKeyringNode extends KeyringNode {
  readonly #stores: readonly KeyStore[];
  readonly #memo: BucketKeyMemo;

  /** @throws {InvalidArgumentError} for bad options. */
  constructor(options: SealflowKeyringOptions) {
    super();
    const o = resolveKeyringOptions(options);
    this.#stores = o.keyStores;
    this.#memo = new BucketKeyMemo({ maxAgeMs: o.maxAgeMs, capacity: o.capacity, now: o.now });
  }

  /** Key-store calls made for bucket keys, reads served from the memo, and keys held. */
  stats(): { bucketKeyUnwraps: number; bucketKeyHits: number; bucketKeys: number } {
    return { bucketKeyUnwraps: this.#memo.unwraps, bucketKeyHits: this.#memo.hits, bucketKeys: this.#memo.size };
  }

  /** Zeroes and drops every unwrapped bucket key (call when done, or to apply a revocation at once). */
  close(): void {
    this.#memo.clear();
  }

  /** @throws {InvalidArgumentError} always: this keyring only decrypts. */
  async _onEncrypt(_material: NodeEncryptionMaterial): Promise<NodeEncryptionMaterial> {
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      'SealflowKeyringNode only decrypts: encrypt with sealflow, or with a stock keyring',
    );
  }

  /**
   * Opens the first EDK it can. Failures are collected; if EDKs were tried and none
   * opened, rejects with a KeyStoreError listing each (no key material, no plaintext).
   * @throws {KeyStoreError} (rejects) `ERR_NO_DECRYPTABLE_KEY` or `ERR_KEY_STORE_UNAVAILABLE`.
   */
  async _onDecrypt(
    material: NodeDecryptionMaterial,
    encryptedDataKeys: EsdkEncryptedDataKey[],
  ): Promise<NodeDecryptionMaterial> {
    const edks = encryptedDataKeys.map(toSealflowEdk);
    const context = material.encryptionContext;
    const length = material.suite.keyLengthBytes;
    const failures: KeyStoreFailure[] = [];
    for (const edk of edks) {
      for (const store of this.#stores) {
        let dataKey: DataKey | undefined;
        try {
          dataKey = await this.#open(store, edk, edks, context, length);
        } catch (error) {
          failures.push(failureOf(store, error));
        }
        if (dataKey === undefined) continue;
        try {
          // client-node keeps its own copy ("isolated buffer"); ours is zeroed at once.
          material.setUnencryptedDataKey(new Uint8Array(dataKey.reveal()), {
            keyNamespace: edk.providerId,
            keyName: store.id,
            flags: KeyringTraceFlag.WRAPPING_KEY_DECRYPTED_DATA_KEY,
          });
        } finally {
          dataKey.destroy();
        }
        return material;
      }
    }
    if (failures.length === 0) return material;
    const allUnavailable = failures.every((f) => f.code === ErrorCodes.KEY_STORE_UNAVAILABLE);
    throw new KeyStoreError(
      allUnavailable ? ErrorCodes.KEY_STORE_UNAVAILABLE : ErrorCodes.NO_DECRYPTABLE_KEY,
      `no encrypted data key could be decrypted: ${failures.map((f) => `${f.store}: ${f.code}`).join('; ')}`,
      { failures },
    );
  }

  /** The data key `edk` yields through `store`, or undefined when `store` does not own it. */
  async #open(
    store: KeyStore,
    edk: EncryptedDataKey,
    edks: readonly EncryptedDataKey[],
    context: Readonly<Record<string, string>>,
    length: number,
  ): Promise<DataKey | undefined> {
    if (edk.providerId !== BUCKET_KEY_PROVIDER_ID) {
      if (!store.canUnwrap(edk)) return undefined;
      return store.unwrapDataKey(edk, { context, length });
    }
    const blob = decodeBucketKeyEdk(edk);
    // Layout 1 needs the message ID, which keyrings never see; the data EDK of layout 2 is what opens.
    if (blob.layout !== 2 || !store.canUnwrap(blob.inner)) return undefined;
    const opener = await this.#memo.opener(store, blob, length);
    const wrapped = edks.find((candidate) => opener.canUnwrap(candidate));
    if (wrapped === undefined) {
      throw new KeyStoreError(
        ErrorCodes.INVALID_KEY_CIPHERTEXT,
        `${store.id}: no data key in the message is wrapped under its bucket key`,
        { store: store.id },
      );
    }
    return opener.unwrapDataKey(wrapped, { context, length });
  }
}

function toSealflowEdk(edk: EsdkEncryptedDataKey): EncryptedDataKey {
  // client-node keeps the provider info's bytes in rawInfo (raw-AES info is binary).
  const providerInfo = edk.rawInfo ?? new TextEncoder().encode(edk.providerInfo);
  return { providerId: edk.providerId, providerInfo, ciphertext: edk.encryptedDataKey };
}

function failureOf(store: KeyStore, error: unknown): KeyStoreFailure {
  if (isSealflowError(error)) return { store: store.id, code: error.code, message: error.message };
  return {
    store: store.id,
    code: ErrorCodes.KEY_STORE_FAILED,
    message: error instanceof Error ? error.message : String(error),
  };
}
