import type { CipherBackend } from '../crypto/backend.js';
import { toHex, utf8Encode } from '../format/bytes.js';
import type { DataKey } from './data-key.js';
import type { EncryptedDataKey, EncryptionContext } from './key-store.js';
import { rawAesUnwrap, rawAesWrap, type RawAesWrappingKey } from './raw-aes-wrap.js';

/**
 * Key namespace (EDK provider ID) of a message's data key wrapped under a bucket key in
 * the ESDK-readable layout (docs/bucket-keys.md "Layout 2"). Any ESDK's raw AES keyring
 * with this namespace, the bucket key's name and the bucket key opens it.
 */
export const BUCKET_DATA_KEY_NAMESPACE = 'sealflow-bucket-data-key';

const NAME_INFO = utf8Encode('sealflow bucket-key name v2');
const NAME_BYTES = 16;

/**
 * The bucket key's public name: the hex of HKDF-SHA512(IKM = bucket key, salt = empty,
 * info = "sealflow bucket-key name v2", L = 16), 32 lowercase hex characters. A PRF
 * output: it names the key without revealing it, and a reader that unwrapped a bucket
 * key can check it holds the one a message names.
 */
export function bucketKeyName(backend: CipherBackend, bucketKey: Uint8Array): string {
  return toHex(backend.hkdf('sha512', bucketKey, new Uint8Array(0), NAME_INFO, NAME_BYTES));
}

/** A bucket key as a raw AES wrapping key (namespace, name, imported key). */
export interface BucketKeyWrapper {
  /** {@link bucketKeyName} of the key. */
  readonly name: string;
  /** Wraps a message's data key exactly as the ESDK raw AES keyring does, AAD = `context`. */
  wrap(dataKey: Uint8Array, context: EncryptionContext): EncryptedDataKey;
  /** The data key from the first EDK this bucket key opens under `context`, if any. */
  unwrap(edks: readonly EncryptedDataKey[], context: EncryptionContext): Uint8Array | undefined;
}

/**
 * Makes the wrapper of a bucket key: the key is imported once per bucket key (an
 * AES-GCM key object, which JavaScript cannot wipe: it is freed with the entry; the
 * `DataKey` itself is zeroed as usual).
 */
export function bucketKeyWrapper(backend: CipherBackend, bucketKey: DataKey): BucketKeyWrapper {
  const raw = bucketKey.reveal();
  const name = bucketKeyName(backend, raw);
  const wrapping: RawAesWrappingKey = {
    namespace: BUCKET_DATA_KEY_NAMESPACE,
    name: utf8Encode(name),
    key: backend.importKey(raw),
    backend,
  };
  return {
    name,
    wrap: (dataKey, context) => rawAesWrap(wrapping, dataKey, context),
    unwrap: (edks, context) => {
      for (const edk of edks) {
        const key = rawAesUnwrap(wrapping, edk, context);
        if (key !== undefined) return key;
      }
      return undefined;
    },
  };
}
