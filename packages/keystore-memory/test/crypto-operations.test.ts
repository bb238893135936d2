import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@sealflow/core';
import { InvalidCiphertextException } from '@sealflow/keystore-memory';
import { ACCOUNT_A, ACCOUNT_B, DAY, failure, failureName, newKms, ROOT_B } from './support.js';

const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/object', tenant: 'a' };

describe('GenerateDataKey', () => {
  it('returns a plaintext key of NumberOfBytes, its sealed form, and the key ARN', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey({ Description: 'app' });
    const out = await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32, EncryptionContext: context });
    expect(out.KeyId).toBe(KeyMetadata.Arn);
    expect(out.Plaintext).toBeInstanceOf(Uint8Array);
    expect(out.Plaintext.length).toBe(32);
    expect(out.KeyMaterialId).toBe(KeyMetadata.CurrentKeyMaterialId);
    const back = await kms.decrypt({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: context });
    expect(back.Plaintext).toEqual(out.Plaintext);
    expect(back.KeyId).toBe(KeyMetadata.Arn);
  });

  it('accepts KeySpec AES_128 and AES_256 instead of NumberOfBytes', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    expect((await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, KeySpec: 'AES_128' })).Plaintext.length).toBe(16);
    expect((await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, KeySpec: 'AES_256' })).Plaintext.length).toBe(32);
  });

  it('refuses both or neither of NumberOfBytes and KeySpec, and out-of-range sizes', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const KeyId = KeyMetadata.KeyId;
    expect(await failureName(kms.generateDataKey({ KeyId }))).toBe('ValidationException');
    expect(await failureName(kms.generateDataKey({ KeyId, NumberOfBytes: 32, KeySpec: 'AES_256' }))).toBe(
      'ValidationException',
    );
    expect(await failureName(kms.generateDataKey({ KeyId, NumberOfBytes: 0 }))).toBe('ValidationException');
    expect(await failureName(kms.generateDataKey({ KeyId, NumberOfBytes: 1025 }))).toBe('ValidationException');
    expect(await failureName(kms.generateDataKey({ KeyId, KeySpec: 'AES_512' }))).toBe('ValidationException');
  });

  it('WithoutPlaintext returns only the sealed key, which decrypts', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const out = await kms.generateDataKeyWithoutPlaintext({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 });
    expect(Object.keys(out).sort()).toEqual(['$metadata', 'CiphertextBlob', 'KeyId', 'KeyMaterialId']);
    expect((await kms.decrypt({ CiphertextBlob: out.CiphertextBlob })).Plaintext.length).toBe(32);
  });

  it('refuses Recipient (enclave attestation) as unsupported', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const input = {
      KeyId: KeyMetadata.KeyId,
      NumberOfBytes: 32,
      Recipient: { AttestationDocument: new Uint8Array(1) },
    };
    expect(await failureName(kms.generateDataKey(input as never))).toBe('UnsupportedOperationException');
  });
});

describe('Encrypt and Decrypt', () => {
  it('round-trips up to 4096 bytes and refuses 0 or 4097', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const plaintext = new Uint8Array(4096).map((_, i) => i & 0xff);
    const sealed = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: plaintext, EncryptionContext: context });
    expect(sealed.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(
      (await kms.decrypt({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: context })).Plaintext,
    ).toEqual(plaintext);
    expect(await failureName(kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(0) }))).toBe(
      'ValidationException',
    );
    expect(await failureName(kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(4097) }))).toBe(
      'ValidationException',
    );
  });

  it('decrypts with the key ID, key ARN, alias name or alias ARN, and without any', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: KeyMetadata.KeyId });
    const { CiphertextBlob } = await kms.encrypt({ KeyId: 'alias/app', Plaintext: new Uint8Array([1, 2, 3]) });
    const aliasArn = `arn:aws:kms:us-east-1:${ACCOUNT_A}:alias/app`;
    for (const KeyId of [undefined, KeyMetadata.KeyId, KeyMetadata.Arn, 'alias/app', aliasArn]) {
      const out = await kms.decrypt({ CiphertextBlob, ...(KeyId === undefined ? {} : { KeyId }) });
      expect([...out.Plaintext]).toEqual([1, 2, 3]);
    }
  });

  it('fails with IncorrectKeyException when KeyId names another key than the blob', async () => {
    const { kms } = newKms();
    const one = await kms.createKey();
    const two = await kms.createKey();
    const { CiphertextBlob } = await kms.encrypt({ KeyId: one.KeyMetadata.KeyId, Plaintext: new Uint8Array([1]) });
    expect(await failureName(kms.decrypt({ CiphertextBlob, KeyId: two.KeyMetadata.KeyId }))).toBe(
      'IncorrectKeyException',
    );
  });

  it('fails with InvalidCiphertextException for a blob altered in any single byte', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const { CiphertextBlob } = await kms.encrypt({
      KeyId: KeyMetadata.KeyId,
      Plaintext: new Uint8Array([7, 7, 7]),
      EncryptionContext: context,
    });
    for (let i = 0; i < CiphertextBlob.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const altered = CiphertextBlob.slice();
        altered[i] = (altered[i] as number) ^ flip;
        const error = await failure(kms.decrypt({ CiphertextBlob: altered, EncryptionContext: context }));
        expect(error, `byte ${i} flip ${flip}`).toBeInstanceOf(InvalidCiphertextException);
        expect(error.code).toBe(ErrorCodes.INVALID_KEY_CIPHERTEXT);
      }
    }
  });

  it('fails with InvalidCiphertextException for a truncated, extended or foreign blob', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const { CiphertextBlob } = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array([7]) });
    for (const blob of [
      CiphertextBlob.subarray(0, CiphertextBlob.length - 1),
      Uint8Array.of(...CiphertextBlob, 0),
      new Uint8Array(60),
      new Uint8Array(1),
    ]) {
      expect(await failureName(kms.decrypt({ CiphertextBlob: blob }))).toBe('InvalidCiphertextException');
    }
    const other = newKms().kms;
    expect(await failureName(other.decrypt({ CiphertextBlob }))).toBe('InvalidCiphertextException');
  });

  it('fails with InvalidCiphertextException under another context: a changed value, an extra pair, a missing pair', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const { CiphertextBlob } = await kms.generateDataKey({
      KeyId: KeyMetadata.KeyId,
      NumberOfBytes: 32,
      EncryptionContext: context,
    });
    for (const other of [
      { ...context, tenant: 'b' },
      { ...context, extra: 'x' },
      { tenant: 'a' },
      {},
      { ...context, tenant: 'A' },
    ]) {
      expect(await failureName(kms.decrypt({ CiphertextBlob, EncryptionContext: other }))).toBe(
        'InvalidCiphertextException',
      );
    }
    expect(
      (await kms.decrypt({ CiphertextBlob, EncryptionContext: { tenant: 'a', 'aws:s3:arn': context['aws:s3:arn'] } }))
        .Plaintext.length,
    ).toBe(32);
  });

  it('refuses a non-symmetric EncryptionAlgorithm with InvalidKeyUsageException', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const input = { KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(1), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' };
    expect(await failureName(kms.encrypt(input))).toBe('InvalidKeyUsageException');
  });
});

describe('ReEncrypt', () => {
  it('moves a blob to another key and context without exposing the plaintext', async () => {
    const { kms } = newKms();
    const source = await kms.createKey();
    const destination = await kms.createKey();
    const { CiphertextBlob, Plaintext } = await kms.generateDataKey({
      KeyId: source.KeyMetadata.KeyId,
      NumberOfBytes: 32,
      EncryptionContext: context,
    });
    const moved = await kms.reEncrypt({
      CiphertextBlob,
      SourceEncryptionContext: context,
      DestinationKeyId: destination.KeyMetadata.Arn,
      DestinationEncryptionContext: { purpose: 'moved' },
    });
    expect(moved.SourceKeyId).toBe(source.KeyMetadata.Arn);
    expect(moved.KeyId).toBe(destination.KeyMetadata.Arn);
    expect(Object.keys(moved)).not.toContain('Plaintext');
    const back = await kms.decrypt({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { purpose: 'moved' } });
    expect(back.Plaintext).toEqual(Plaintext);
    expect(back.KeyId).toBe(destination.KeyMetadata.Arn);
    expect(await failureName(kms.decrypt({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: context }))).toBe(
      'InvalidCiphertextException',
    );
  });

  it('checks the source context and SourceKeyId', async () => {
    const { kms } = newKms();
    const source = await kms.createKey();
    const other = await kms.createKey();
    const { CiphertextBlob } = await kms.encrypt({
      KeyId: source.KeyMetadata.KeyId,
      Plaintext: new Uint8Array(1),
      EncryptionContext: context,
    });
    const DestinationKeyId = other.KeyMetadata.KeyId;
    expect(await failureName(kms.reEncrypt({ CiphertextBlob, DestinationKeyId }))).toBe('InvalidCiphertextException');
    expect(
      await failureName(
        kms.reEncrypt({
          CiphertextBlob,
          SourceEncryptionContext: context,
          SourceKeyId: other.KeyMetadata.KeyId,
          DestinationKeyId,
        }),
      ),
    ).toBe('IncorrectKeyException');
  });
});

describe('key states on cryptographic operations', () => {
  it('a disabled key fails every cryptographic operation with DisabledException, and works again once enabled', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const KeyId = KeyMetadata.KeyId;
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) });
    await kms.disableKey({ KeyId });
    const calls = [
      () => kms.generateDataKey({ KeyId, NumberOfBytes: 32 }),
      () => kms.generateDataKeyWithoutPlaintext({ KeyId, NumberOfBytes: 32 }),
      () => kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) }),
      () => kms.decrypt({ CiphertextBlob }),
      () => kms.reEncrypt({ CiphertextBlob, DestinationKeyId: KeyId }),
    ];
    for (const call of calls) {
      const error = await failure(call());
      expect(error.name).toBe('DisabledException');
      expect(error.code).toBe(ErrorCodes.KEY_DISABLED);
    }
    await kms.enableKey({ KeyId });
    expect([...(await kms.decrypt({ CiphertextBlob })).Plaintext]).toEqual([1]);
  });

  it('a key pending deletion fails every cryptographic operation with KMSInvalidStateException', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const KeyId = KeyMetadata.KeyId;
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) });
    await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 });
    const calls = [
      () => kms.generateDataKey({ KeyId, NumberOfBytes: 32 }),
      () => kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) }),
      () => kms.decrypt({ CiphertextBlob }),
    ];
    for (const call of calls) {
      const error = await failure(call());
      expect(error.name).toBe('KMSInvalidStateException');
      expect(error.code).toBe(ErrorCodes.KEY_INVALID_STATE);
    }
  });
});

describe('regions, accounts and DryRun', () => {
  it('refuses a key ARN of another region with NotFoundException before any cryptography', async () => {
    const { kms } = newKms({ region: 'eu-west-1' });
    const { KeyMetadata } = await kms.createKey();
    const elsewhere = KeyMetadata.Arn.replace(':eu-west-1:', ':us-east-1:');
    const error = await failure(kms.generateDataKey({ KeyId: elsewhere, NumberOfBytes: 32 }));
    expect(error.name).toBe('NotFoundException');
    expect(error.message).toContain('us-east-1');
    const audit = kms.auditLog().at(-1);
    expect(audit?.resources).toEqual([]);
  });

  it('resolves a bare key ID only in the caller account', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const b = kms.as(ROOT_B);
    expect(await failureName(b.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(1) }))).toBe(
      'NotFoundException',
    );
    // The full ARN finds the key; A's default policy then refuses B.
    expect(await failureName(b.encrypt({ KeyId: KeyMetadata.Arn, Plaintext: new Uint8Array(1) }))).toBe(
      'AccessDeniedException',
    );
    expect(KeyMetadata.AWSAccountId).toBe(ACCOUNT_A);
    expect((await b.createKey()).KeyMetadata.AWSAccountId).toBe(ACCOUNT_B);
  });

  it('DryRun checks everything and fails with DryRunOperationException instead of doing the work', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    expect(await failureName(kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32, DryRun: true }))).toBe(
      'DryRunOperationException',
    );
    await kms.disableKey({ KeyId: KeyMetadata.KeyId });
    expect(await failureName(kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32, DryRun: true }))).toBe(
      'DisabledException',
    );
  });

  it('automatic rotation that came due is applied before sealing: new data uses the new material', async () => {
    const { kms, clock } = newKms();
    const { KeyMetadata } = await kms.createKey();
    await kms.enableKeyRotation({ KeyId: KeyMetadata.KeyId, RotationPeriodInDays: 90 });
    const before = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array([1]) });
    clock.advance(90 * DAY);
    const after = await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 });
    expect(after.KeyMaterialId).not.toBe(KeyMetadata.CurrentKeyMaterialId);
    expect((await kms.decrypt({ CiphertextBlob: before.CiphertextBlob })).KeyMaterialId).toBe(
      KeyMetadata.CurrentKeyMaterialId,
    );
    expect((await kms.decrypt({ CiphertextBlob: after.CiphertextBlob })).KeyMaterialId).toBe(after.KeyMaterialId);
  });
});
