import { describe, expect, it } from 'vitest';
import { ErrorCodes, KeyStoreError, isKmsKeyArn, kmsExceptionCode, mapKmsError, parseKmsKeyArn } from '@sealflow/core';

const sdkError = (name: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(`${name} message`), { name, ...extra });

describe('mapKmsError', () => {
  it.each([
    ['NotFoundException', ErrorCodes.KEY_NOT_FOUND],
    ['DisabledException', ErrorCodes.KEY_DISABLED],
    ['KMSInvalidStateException', ErrorCodes.KEY_INVALID_STATE],
    ['AccessDeniedException', ErrorCodes.ACCESS_DENIED],
    ['InvalidCiphertextException', ErrorCodes.INVALID_KEY_CIPHERTEXT],
    ['IncorrectKeyException', ErrorCodes.INVALID_KEY_CIPHERTEXT],
    ['InvalidKeyUsageException', ErrorCodes.UNSUPPORTED_KEY],
    ['UnsupportedOperationException', ErrorCodes.UNSUPPORTED_KEY],
    ['ThrottlingException', ErrorCodes.THROTTLED],
    ['LimitExceededException', ErrorCodes.THROTTLED],
    ['KMSInternalException', ErrorCodes.KEY_STORE_UNAVAILABLE],
    ['DependencyTimeoutException', ErrorCodes.KEY_STORE_UNAVAILABLE],
    ['KeyUnavailableException', ErrorCodes.KEY_STORE_UNAVAILABLE],
    ['CustomKeyStoreInvalidStateException', ErrorCodes.KEY_STORE_UNAVAILABLE],
    ['XksProxyUriUnreachableException', ErrorCodes.KEY_STORE_UNAVAILABLE],
    ['TimeoutError', ErrorCodes.KEY_STORE_UNAVAILABLE],
    ['ValidationException', ErrorCodes.KEY_STORE_FAILED],
    ['AlreadyExistsException', ErrorCodes.KEY_STORE_FAILED],
  ])('maps %s to %s', (name, code) => {
    const error = mapKmsError(sdkError(name));
    expect(error).toBeInstanceOf(KeyStoreError);
    expect(error.code).toBe(code);
    expect(kmsExceptionCode(name) ?? ErrorCodes.KEY_STORE_FAILED).toBe(code);
  });

  it('treats an unknown server fault or HTTP 5xx as unavailable and HTTP 429 as throttling', () => {
    expect(mapKmsError(sdkError('Weird', { $fault: 'server' })).code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    expect(mapKmsError(sdkError('Weird', { $metadata: { httpStatusCode: 503 } })).code).toBe(
      ErrorCodes.KEY_STORE_UNAVAILABLE,
    );
    expect(mapKmsError(sdkError('Weird', { $metadata: { httpStatusCode: 429 } })).code).toBe(ErrorCodes.THROTTLED);
    expect(mapKmsError(sdkError('Weird', { $metadata: { httpStatusCode: 400 } })).code).toBe(
      ErrorCodes.KEY_STORE_FAILED,
    );
  });

  it('treats Node network errors as unavailable', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND']) {
      expect(mapKmsError(Object.assign(new Error('socket'), { code })).code).toBe(ErrorCodes.KEY_STORE_UNAVAILABLE);
    }
  });

  it('maps anything else, even a non-error, to ERR_KEY_STORE_FAILED', () => {
    expect(mapKmsError(new TypeError('boom')).code).toBe(ErrorCodes.KEY_STORE_FAILED);
    expect(mapKmsError('a string').code).toBe(ErrorCodes.KEY_STORE_FAILED);
    expect(mapKmsError(undefined).code).toBe(ErrorCodes.KEY_STORE_FAILED);
  });

  it('keeps the original as cause, the request ID, and the store and key it is given', () => {
    const original = sdkError('NotFoundException', { $metadata: { requestId: 'abc-123', httpStatusCode: 400 } });
    const error = mapKmsError(original, { store: 'aws-kms:alias/x', keyId: 'alias/x' });
    expect(error.cause).toBe(original);
    expect(error.requestId).toBe('abc-123');
    expect(error.store).toBe('aws-kms:alias/x');
    expect(error.keyId).toBe('alias/x');
    expect(error.message).toContain('NotFoundException');
  });

  it('does not take a name from the prototype chain of a plain object', () => {
    expect(kmsExceptionCode('toString')).toBeUndefined();
    expect(kmsExceptionCode('__proto__')).toBeUndefined();
  });
});

describe('parseKmsKeyArn', () => {
  it('splits a key ARN and refuses aliases, key IDs and other services', () => {
    expect(parseKmsKeyArn('arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      accountId: '111122223333',
      keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    });
    expect(isKmsKeyArn('arn:aws:kms:eu-west-1:111122223333:alias/app')).toBe(false);
    expect(isKmsKeyArn('1234abcd-12ab-34cd-56ef-1234567890ab')).toBe(false);
    expect(isKmsKeyArn('arn:aws:s3:eu-west-1:111122223333:key/x')).toBe(false);
    expect(isKmsKeyArn('arn:aws:kms:eu-west-1:1111:key/x')).toBe(false);
  });
});
