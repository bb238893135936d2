import { describe, expect, it } from 'vitest';
import { AuthenticationError, ErrorCodes, KeyStoreError } from '@sealflow/core';
import { memoryKeyStore, MemoryKms } from '@sealflow/keystore-memory';
import { mapKeyStoreError, S3Error } from '@sealflow/s3';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const READER = `arn:aws:iam::${ACCOUNT}:role/reader`;
const context = { 'aws:s3:arn': 'arn:aws:s3:::b/o' };

/** The S3 error a real in-process KMS failure maps to. */
async function mapped(promise: Promise<unknown>): Promise<S3Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the key-store call should have failed').toBeInstanceOf(KeyStoreError);
  return mapKeyStoreError(error);
}

describe('mapKeyStoreError (spec: s3-gateway.md "Keys and errors")', () => {
  it('a key that does not exist: 400 KMS.NotFoundException', async () => {
    const kms = new MemoryKms();
    const store = memoryKeyStore(kms, {
      keyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
    });
    const error = await mapped(store.generateDataKey({ context, length: 32 }));
    expect([error.s3Code, error.status]).toEqual(['KMS.NotFoundException', 400]);
  });

  it('a disabled key: 400 KMS.DisabledException; pending deletion: 400 KMS.KMSInvalidStateException', async () => {
    const kms = new MemoryKms();
    const disabled = (await kms.createKey()).KeyMetadata.Arn;
    await kms.disableKey({ KeyId: disabled });
    const error = await mapped(memoryKeyStore(kms, { keyId: disabled }).generateDataKey({ context, length: 32 }));
    expect([error.s3Code, error.status]).toEqual(['KMS.DisabledException', 400]);
    const pending = (await kms.createKey()).KeyMetadata.Arn;
    await kms.scheduleKeyDeletion({ KeyId: pending, PendingWindowInDays: 7 });
    const state = await mapped(memoryKeyStore(kms, { keyId: pending }).generateDataKey({ context, length: 32 }));
    expect([state.s3Code, state.status]).toEqual(['KMS.KMSInvalidStateException', 400]);
  });

  it('a caller without kms:GenerateDataKey: 403 AccessDenied', async () => {
    const kms = new MemoryKms();
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: READER }, Action: 'kms:GenerateDataKey', Resource: '*' },
      ],
    });
    const key = (await kms.createKey({ Policy: policy })).KeyMetadata.Arn;
    const error = await mapped(
      memoryKeyStore(kms, { keyId: key, principal: READER }).generateDataKey({ context, length: 32 }),
    );
    expect([error.s3Code, error.status]).toEqual(['AccessDenied', 403]);
  });

  // The in-process KMS makes symmetric keys only, so the key store's refusal is faked here.
  it('an asymmetric or HMAC key: 400 InvalidArgument (only symmetric encryption keys)', () => {
    const error = mapKeyStoreError(new KeyStoreError(ErrorCodes.UNSUPPORTED_KEY, 'asymmetric'));
    expect([error.s3Code, error.status]).toEqual(['InvalidArgument', 400]);
    expect(error.message).toMatch(/symmetric/);
  });

  // Unreachable or throttled KMS cannot be produced by the in-process KMS: error-path fakes.
  it('KMS unreachable: 503 ServiceUnavailable; throttled: 503 SlowDown; both with Retry-After', () => {
    const down = mapKeyStoreError(new KeyStoreError(ErrorCodes.KEY_STORE_UNAVAILABLE, 'down'));
    expect([down.s3Code, down.status, down.extra['retry-after']]).toEqual(['ServiceUnavailable', 503, '1']);
    const slow = mapKeyStoreError(new KeyStoreError(ErrorCodes.THROTTLED, 'slow'));
    expect([slow.s3Code, slow.status, slow.extra['retry-after']]).toEqual(['SlowDown', 503, '1']);
  });

  it('no decryptable key: judged by the first store failure that says why, else 500', () => {
    const denied = new KeyStoreError(ErrorCodes.NO_DECRYPTABLE_KEY, 'none', {
      failures: [
        { store: 'a', code: ErrorCodes.INVALID_KEY_CIPHERTEXT, message: 'x' },
        { store: 'b', code: ErrorCodes.ACCESS_DENIED, message: 'y' },
      ],
    });
    expect(mapKeyStoreError(denied).s3Code).toBe('AccessDenied');
    const opaque = new KeyStoreError(ErrorCodes.NO_DECRYPTABLE_KEY, 'none', {
      failures: [{ store: 'a', code: ErrorCodes.INVALID_KEY_CIPHERTEXT, message: 'x' }],
    });
    expect([mapKeyStoreError(opaque).s3Code, mapKeyStoreError(opaque).status]).toEqual(['InternalError', 500]);
  });

  it('returns an S3Error as is; anything else is 500 InternalError with a generic message and the cause kept', () => {
    const original = new S3Error('NoSuchKey');
    expect(mapKeyStoreError(original)).toBe(original);
    const secret = new AuthenticationError(ErrorCodes.AUTHENTICATION_FAILED, 'secret detail');
    const error = mapKeyStoreError(secret);
    expect([error.s3Code, error.status]).toEqual(['InternalError', 500]);
    expect(error.message).not.toContain('secret');
    expect(error.cause).toBe(secret);
    expect(mapKeyStoreError('a string').s3Code).toBe('InternalError');
    expect(mapKeyStoreError(undefined).s3Code).toBe('InternalError');
  });
});
