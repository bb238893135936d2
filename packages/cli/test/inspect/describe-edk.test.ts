import { describe, expect, it } from 'vitest';
import { BUCKET_KEY_PROVIDER_ID, KMS_PROVIDER_ID } from '@sealflow/core';
import { encodeBucketKeyEdk } from '@sealflow/core/codecs';
import { XKS_PROVIDER_ID as PACKAGE_XKS_PROVIDER_ID } from '@sealflow/keystore-xks';
import { describeEdk, XKS_PROVIDER_ID } from '../../src/inspect/describe-edk.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

describe('describeEdk', () => {
  it('spells the XKS provider ID as @sealflow/keystore-xks does', () => {
    expect(XKS_PROVIDER_ID).toBe(PACKAGE_XKS_PROVIDER_ID);
  });

  it('reads the key ARN of an aws-kms EDK', () => {
    expect(
      describeEdk({ providerId: KMS_PROVIDER_ID, providerInfo: text(ARN), ciphertext: new Uint8Array(10) }),
    ).toMatchObject({ kind: 'aws-kms', key: ARN, ciphertextBytes: 10 });
  });

  it('unwraps a bucket-key EDK to the inner key and shows the bucket context', () => {
    const inner = { providerId: KMS_PROVIDER_ID, providerInfo: text(ARN), ciphertext: new Uint8Array(3) };
    const edk = encodeBucketKeyEdk(inner, { 'aws:s3:arn': 'arn:aws:s3:::bucket' });
    expect(edk.providerId).toBe(BUCKET_KEY_PROVIDER_ID);
    expect(describeEdk(edk)).toMatchObject({
      kind: 'bucket-key',
      key: `aws-kms ${ARN}`,
      bucketContext: { 'aws:s3:arn': 'arn:aws:s3:::bucket' },
      reader: 'sealflow',
    });
  });

  it('says which stock reader opens each EDK', () => {
    const inner = { providerId: KMS_PROVIDER_ID, providerInfo: text(ARN), ciphertext: new Uint8Array([1, 2, 3]) };
    const blob = describeEdk(encodeBucketKeyEdk(inner, { 'aws:s3:arn': 'arn:aws:s3:::bucket' }, 2));
    expect(blob).toMatchObject({
      reader: 'sealflow-or-esdk-keyring',
      bucketKey: { layout: 2, providerId: 'aws-kms', key: ARN, ciphertextBase64: 'AQID' },
    });
    const rawInfo = (name: string): Uint8Array =>
      Uint8Array.from([...text(name), 0, 0, 0, 128, 0, 0, 0, 12, ...new Uint8Array(12)]);
    const wrapped = describeEdk({
      providerId: 'sealflow-bucket-data-key',
      providerInfo: rawInfo('0123456789abcdef0123456789abcdef'),
      ciphertext: new Uint8Array(48),
    });
    expect(wrapped).toMatchObject({ kind: 'raw-aes', reader: 'esdk-raw-aes-keyring-bucket-key' });
    expect(describeEdk({ providerId: 'ns', providerInfo: rawInfo('k'), ciphertext: new Uint8Array(48) }).reader).toBe(
      'esdk-raw-aes-keyring',
    );
    expect(describeEdk(inner).reader).toBe('esdk-kms-keyring');
    const xks = Uint8Array.from([1, 5, ...text('key-1'), 12, ...new Uint8Array(12), 0]);
    expect(describeEdk({ providerId: XKS_PROVIDER_ID, providerInfo: xks, ciphertext: new Uint8Array(48) }).reader).toBe(
      'sealflow-or-esdk-keyring',
    );
    expect(describeEdk({ providerId: 'p', providerInfo: text('x'), ciphertext: new Uint8Array(1) }).reader).toBe(
      'unknown',
    );
  });

  it('reads the external key ID of an XKS EDK', () => {
    const info = Uint8Array.from([1, 5, ...text('key-1'), 12, ...new Uint8Array(12), 0]);
    expect(
      describeEdk({ providerId: XKS_PROVIDER_ID, providerInfo: info, ciphertext: new Uint8Array(48) }),
    ).toMatchObject({ kind: 'xks', key: 'key-1' });
  });

  it('reads the key name of a raw AES keyring EDK (name || 128 || 12 || IV)', () => {
    const info = Uint8Array.from([...text('my-key'), 0, 0, 0, 128, 0, 0, 0, 12, ...new Uint8Array(12).fill(0xee)]);
    expect(
      describeEdk({ providerId: 'my-namespace', providerInfo: info, ciphertext: new Uint8Array(48) }),
    ).toMatchObject({ kind: 'raw-aes', key: 'my-key' });
  });

  it('falls back to text, then hex, for providers it does not know', () => {
    expect(
      describeEdk({ providerId: 'p', providerInfo: text('some name'), ciphertext: new Uint8Array(1) }),
    ).toMatchObject({ kind: 'text', key: 'some name' });
    expect(
      describeEdk({ providerId: 'p', providerInfo: Uint8Array.from([0, 1, 0xff]), ciphertext: new Uint8Array(1) }),
    ).toMatchObject({ kind: 'binary', key: '0x0001ff' });
  });
});
