import { describe, expect, it } from 'vitest';
import {
  BUCKET_KEY_PROVIDER_ID,
  ErrorCodes,
  LimitExceededError,
  MalformedMessageError,
  serializeEncryptionContext,
  type EncryptedDataKey,
} from '@sealflow/core';
import { decodeBucketKeyEdk, encodeBucketKeyEdk } from '@sealflow/core/codecs';

const inner: EncryptedDataKey = {
  providerId: 'aws-kms',
  providerInfo: new TextEncoder().encode('arn:aws:kms:us-east-1:111122223333:key/k'),
  ciphertext: new Uint8Array([1, 2, 3, 4, 5]),
};
const bucketContext = { 'aws:s3:arn': 'arn:aws:s3:::bucket' };

const u16 = (n: number): number[] => [n >> 8, n & 0xff];

describe('bucket-key EDK codec', () => {
  it('writes provider ID sealflow-bucket-key and the documented provider-info layout byte by byte', () => {
    const edk = encodeBucketKeyEdk(inner, bucketContext);
    const id = [...new TextEncoder().encode('aws-kms')];
    const context = [...serializeEncryptionContext(bucketContext)];
    expect(edk.providerId).toBe(BUCKET_KEY_PROVIDER_ID);
    expect(BUCKET_KEY_PROVIDER_ID).toBe('sealflow-bucket-key');
    expect([...edk.providerInfo]).toEqual([
      0x01,
      ...u16(id.length),
      ...id,
      ...u16(inner.providerInfo.length),
      ...inner.providerInfo,
      ...u16(context.length),
      ...context,
    ]);
    expect(edk.ciphertext).toEqual(inner.ciphertext);
  });

  it('writes the layout as the first provider-info byte (2 for the ESDK-readable layout) and reads it back', () => {
    for (const layout of [1, 2] as const) {
      const edk = encodeBucketKeyEdk(inner, bucketContext, layout);
      expect(edk.providerInfo[0]).toBe(layout);
      const decoded = decodeBucketKeyEdk(edk);
      expect(decoded.layout).toBe(layout);
      expect(encodeBucketKeyEdk(decoded.inner, decoded.bucketContext, decoded.layout).providerInfo).toEqual(
        edk.providerInfo,
      );
    }
  });

  it('decodes what it encodes, and re-encodes the decoded EDK to the same bytes', () => {
    for (const context of [bucketContext, {}, { b: '2', a: '1', ü: 'x' }]) {
      const edk = encodeBucketKeyEdk(inner, context);
      const decoded = decodeBucketKeyEdk(edk);
      expect(decoded.inner.providerId).toBe(inner.providerId);
      expect(decoded.inner.providerInfo).toEqual(inner.providerInfo);
      expect(decoded.inner.ciphertext).toEqual(inner.ciphertext);
      expect(decoded.bucketContext).toEqual(context);
      expect(encodeBucketKeyEdk(decoded.inner, decoded.bucketContext).providerInfo).toEqual(edk.providerInfo);
    }
  });

  it('rejects every malformed provider info with ERR_MALFORMED_MESSAGE, never a crash', () => {
    const good = encodeBucketKeyEdk(inner, bucketContext);
    const info = good.providerInfo;
    const variants: Uint8Array[] = [
      new Uint8Array(0),
      Uint8Array.of(0x00, ...info.subarray(1)), // unknown version
      Uint8Array.of(0x03, ...info.subarray(1)), // unknown version
      info.subarray(0, info.length - 1), // truncated context
      Uint8Array.of(...info, 0), // trailing byte
      info.subarray(0, 2), // truncated first length
      Uint8Array.of(0x01, 0xff, 0xff), // length past the end
    ];
    for (let cut = 1; cut < info.length; cut += 7) variants.push(info.subarray(0, cut));
    for (const providerInfo of variants) {
      const attempt = (): unknown =>
        decodeBucketKeyEdk({ providerId: BUCKET_KEY_PROVIDER_ID, providerInfo, ciphertext: good.ciphertext });
      expect(attempt).toThrow(MalformedMessageError);
    }
  });

  it('rejects a nested bucket-key EDK, an invalid UTF-8 provider ID and a foreign provider ID', () => {
    const nested = encodeBucketKeyEdk({ ...inner, providerId: BUCKET_KEY_PROVIDER_ID }, bucketContext);
    expect(() => decodeBucketKeyEdk(nested)).toThrow(MalformedMessageError);
    const badUtf8 = Uint8Array.of(0x01, 0x00, 0x01, 0xff, 0x00, 0x00, 0x00, 0x00);
    expect(() =>
      decodeBucketKeyEdk({ providerId: BUCKET_KEY_PROVIDER_ID, providerInfo: badUtf8, ciphertext: inner.ciphertext }),
    ).toThrow(MalformedMessageError);
    expect(() => decodeBucketKeyEdk(inner)).toThrow(
      expect.objectContaining({ code: ErrorCodes.MALFORMED_MESSAGE }) as Error,
    );
  });

  it('refuses a bucket context whose EDK would not fit the u16 provider-info field', () => {
    const huge = { big: 'x'.repeat(70_000 - 20) };
    expect(() => encodeBucketKeyEdk(inner, { big: 'x'.repeat(65_500) })).toThrow(LimitExceededError);
    expect(() => encodeBucketKeyEdk(inner, huge)).toThrow(LimitExceededError);
    expect(() => encodeBucketKeyEdk(inner, { big: 'x'.repeat(60_000) })).not.toThrow();
  });
});
