import { ErrorCodes, LimitExceededError, MalformedMessageError } from '../errors.js';
import { readUint16, utf8DecodeStrict, utf8Encode, writeUint16 } from '../format/bytes.js';
import { parseEncryptionContext, serializeEncryptionContext } from '../format/encryption-context.js';
import { FormatLimits } from '../format/limits.js';
import type { EncryptedDataKey, EncryptionContext } from './key-store.js';

/**
 * Provider ID of a bucket-key EDK. A stock ESDK has no keyring for it, so it fails
 * cleanly ("no keyring could decrypt") instead of asking KMS with the wrong context.
 */
export const BUCKET_KEY_PROVIDER_ID = 'sealflow-bucket-key';

/**
 * Bucket-key layouts (the provider info's first byte). 1: the message's data key is
 * derived from the bucket key (HKDF with the message ID); only sealflow reads it. 2: the
 * message's data key is random and travels wrapped under the bucket key in a raw-AES EDK
 * (namespace `sealflow-bucket-data-key`) that any ESDK's raw AES keyring opens.
 */
export type BucketKeyLayout = 1 | 2;

/** A bucket-key EDK, unpacked: the store's own EDK plus the context the store bound. */
export interface BucketKeyEdk {
  readonly layout: BucketKeyLayout;
  readonly inner: EncryptedDataKey;
  readonly bucketContext: Readonly<Record<string, string>>;
}

/**
 * Packs a store's EDK of a bucket key (see docs/bucket-keys.md "EDK layout"):
 * provider info = `layout || u16 len || inner provider ID || u16 len || inner provider info ||
 * u16 len || serialized bucket context`; ciphertext = the inner ciphertext.
 * @throws {LimitExceededError} when the provider info would not fit the header's u16
 * field (limit `bucketKeyProviderInfo`).
 */
export function encodeBucketKeyEdk(
  inner: EncryptedDataKey,
  bucketContext: EncryptionContext,
  layout: BucketKeyLayout = 1,
): EncryptedDataKey {
  const id = utf8Encode(inner.providerId);
  const context = serializeEncryptionContext(bucketContext);
  const length = 1 + 2 + id.length + 2 + inner.providerInfo.length + 2 + context.length;
  // Each inner field is shorter than the whole, so one check covers every u16 written here.
  assertBucketKeyInfoFits(length);
  const info = new Uint8Array(length);
  let offset = 0;
  info[offset++] = layout;
  for (const field of [id, inner.providerInfo, context]) {
    writeUint16(info, offset, field.length);
    info.set(field, offset + 2);
    offset += 2 + field.length;
  }
  return { providerId: BUCKET_KEY_PROVIDER_ID, providerInfo: info, ciphertext: inner.ciphertext };
}

/**
 * Checks a bucket-key provider-info length against the header's u16 field. Callers check
 * `bucketContextBytes.length + 7` (empty inner fields) before asking a store for a key.
 * @throws {LimitExceededError} limit `bucketKeyProviderInfo`.
 */
export function assertBucketKeyInfoFits(length: number): void {
  if (length > FormatLimits.uint16Max) {
    throw new LimitExceededError(
      'bucketKeyProviderInfo',
      FormatLimits.uint16Max,
      length,
      `the bucket-key EDK provider info would be ${length} bytes, over the format's ${FormatLimits.uint16Max}: use a smaller bucket context`,
    );
  }
}

/** Unpacks a bucket-key EDK. @throws {MalformedMessageError} */
export function decodeBucketKeyEdk(edk: EncryptedDataKey): BucketKeyEdk {
  const malformed = (): MalformedMessageError =>
    new MalformedMessageError(ErrorCodes.MALFORMED_MESSAGE, 'malformed bucket-key encrypted data key');
  const info = edk.providerInfo;
  const layout = info[0];
  if (edk.providerId !== BUCKET_KEY_PROVIDER_ID || (layout !== 1 && layout !== 2)) throw malformed();
  let offset = 1;
  const fields: Uint8Array[] = [];
  for (let i = 0; i < 3; i++) {
    if (offset + 2 > info.length) throw malformed();
    const length = readUint16(info, offset);
    if (offset + 2 + length > info.length) throw malformed();
    fields.push(info.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  if (offset !== info.length) throw malformed();
  const providerId = utf8DecodeStrict(fields[0] as Uint8Array);
  if (providerId === undefined || providerId === BUCKET_KEY_PROVIDER_ID) throw malformed();
  return {
    layout,
    inner: { providerId, providerInfo: fields[1] as Uint8Array, ciphertext: edk.ciphertext },
    bucketContext: parseEncryptionContext(fields[2] as Uint8Array),
  };
}
