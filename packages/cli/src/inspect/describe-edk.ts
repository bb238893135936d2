import {
  BUCKET_DATA_KEY_NAMESPACE,
  BUCKET_KEY_PROVIDER_ID,
  decodeBucketKeyEdk,
  KMS_PROVIDER_ID,
  type EncryptedDataKey,
} from '@sealflow/core';
import type { EdkReader } from './edk-reader.js';

/**
 * `@sealflow/keystore-xks`'s provider ID (its README, "EDK layout"), spelled here so
 * `inspect` does not load the XKS package; a test pins the two equal.
 */
export const XKS_PROVIDER_ID = 'sealflow-xks';

/** One encrypted data key, as `inspect` shows it. */
export interface EdkDescription {
  readonly providerId: string;
  /** What the provider info names: a key ARN, an external key ID, a raw key name. */
  readonly key: string;
  /** How `key` was read from the provider info. */
  readonly kind: 'aws-kms' | 'bucket-key' | 'xks' | 'raw-aes' | 'text' | 'binary';
  /** For bucket-key EDKs: the bucket-level context KMS bound. */
  readonly bucketContext?: Readonly<Record<string, string>>;
  /**
   * For bucket-key EDKs: the layout (1 or 2) and the blob a reader unwraps with one
   * key-store call (KMS `Decrypt` with `CiphertextBlob` = the ciphertext, `KeyId` = the
   * key, `EncryptionContext` = `bucketContext`) to get the bucket key.
   */
  readonly bucketKey?: {
    readonly layout: number;
    readonly providerId: string;
    readonly key: string;
    readonly ciphertextBase64: string;
  };
  /** Which stock reader opens this EDK (see edk-reader.ts). */
  readonly reader: EdkReader;
  readonly providerInfoHex: string;
  readonly ciphertextBytes: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Printable UTF-8 (no control characters), or undefined. */
function printable(bytes: Uint8Array): string | undefined {
  try {
    const text = decoder.decode(bytes);
    return text.length > 0 && !/[\u0000-\u001f\u007f]/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');

/**
 * Reads what an EDK's provider info names, without any key: the ESDK KMS keyring's key
 * ARN, sealflow's bucket-key wrapper (recursively), the XKS layout's external key ID,
 * the ESDK raw AES keyring's key name (name || tag bits u32 = 128 || IV length u32 = 12
 * || IV), or printable text. None of it is authenticated.
 */
export function describeEdk(edk: EncryptedDataKey): EdkDescription {
  const base = {
    providerId: edk.providerId,
    providerInfoHex: hex(edk.providerInfo),
    ciphertextBytes: edk.ciphertext.length,
  };
  const make = (
    key: string,
    kind: EdkDescription['kind'],
    extra: Pick<EdkDescription, 'bucketContext' | 'bucketKey'> = {},
  ): EdkDescription => ({
    providerId: edk.providerId,
    kind,
    key,
    ...extra,
    reader: readerOf(edk.providerId, kind, extra.bucketKey?.layout),
    providerInfoHex: base.providerInfoHex,
    ciphertextBytes: base.ciphertextBytes,
  });
  const info = edk.providerInfo;
  if (edk.providerId === KMS_PROVIDER_ID) {
    const arn = printable(info);
    if (arn !== undefined) return make(arn, 'aws-kms');
  }
  if (edk.providerId === BUCKET_KEY_PROVIDER_ID) {
    try {
      const { inner, bucketContext, layout } = decodeBucketKeyEdk(edk);
      const described = describeEdk(inner);
      const bucketKey = {
        layout,
        providerId: described.providerId,
        key: described.key,
        ciphertextBase64: Buffer.from(inner.ciphertext).toString('base64'),
      };
      return make(`${described.providerId} ${described.key}`, 'bucket-key', { bucketContext, bucketKey });
    } catch {
      // Fall through: shown as binary.
    }
  }
  if (edk.providerId === XKS_PROVIDER_ID && info.length >= 3 && info[0] === 1) {
    const length = info[1] as number;
    const keyId = length > 0 && 2 + length <= info.length ? printable(info.subarray(2, 2 + length)) : undefined;
    if (keyId !== undefined) return make(keyId, 'xks');
  }
  if (info.length > 20) {
    const tail = info.subarray(info.length - 20);
    const tagBits = (tail[0]! << 24) | (tail[1]! << 16) | (tail[2]! << 8) | tail[3]!;
    const ivLength = (tail[4]! << 24) | (tail[5]! << 16) | (tail[6]! << 8) | tail[7]!;
    const name = printable(info.subarray(0, info.length - 20));
    if (tagBits === 128 && ivLength === 12 && name !== undefined) return make(name, 'raw-aes');
  }
  const text = printable(info);
  if (text !== undefined) return make(text, 'text');
  return make(`0x${base.providerInfoHex}`, 'binary');
}

function readerOf(providerId: string, kind: EdkDescription['kind'], layout: number | undefined): EdkReader {
  if (kind === 'aws-kms') return 'esdk-kms-keyring';
  if (kind === 'bucket-key') return layout === 1 ? 'sealflow' : 'sealflow-or-esdk-keyring';
  if (kind === 'xks') return 'sealflow-or-esdk-keyring';
  if (kind === 'raw-aes')
    return providerId === BUCKET_DATA_KEY_NAMESPACE ? 'esdk-raw-aes-keyring-bucket-key' : 'esdk-raw-aes-keyring';
  return 'unknown';
}
