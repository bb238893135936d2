import { describe, expect, it } from 'vitest';
import {
  resolveEncryption,
  type BucketEncryption,
  type EncryptingOperation,
  type EncryptionRequest,
  type RequestHeaders,
} from '@sealflow/s3';
import { b64, expectS3Error } from './support.js';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab';

function write(
  headers: RequestHeaders,
  bucketEncryption?: BucketEncryption,
  extra: Partial<EncryptionRequest> = {},
): EncryptionRequest {
  return {
    operation: 'PutObject',
    headers,
    bucket: 'b',
    key: 'k',
    region: 'us-east-1',
    accountId: '111122223333',
    bucketEncryption,
    ...extra,
  };
}

describe('resolveEncryption: algorithm header (spec: s3-gateway.md "Request headers")', () => {
  it.each(['AES256', 'aws:kms', 'aws:kms:dsse'] as const)('accepts %s', (algorithm) => {
    expect(resolveEncryption(write({ 'x-amz-server-side-encryption': algorithm })).algorithm).toBe(algorithm);
  });

  it.each(['aes256', 'AWS:KMS', 'aws:kms ', 'SSE-S3', '', 'aws:kms:dsse:x'])(
    'refuses %j with 400 InvalidArgument naming the header',
    (value) => {
      const error = expectS3Error(
        () => resolveEncryption(write({ 'x-amz-server-side-encryption': value })),
        'InvalidArgument',
        400,
      );
      expect(error.fields['ArgumentName']).toBe('x-amz-server-side-encryption');
    },
  );

  it.each(['PutObject', 'CreateMultipartUpload', 'CopyObject', 'PostObject'] as const)(
    'applies the same rules to %s',
    (operation: EncryptingOperation) => {
      expectS3Error(
        () => resolveEncryption(write({ 'x-amz-server-side-encryption': 'rot13' }, undefined, { operation })),
        'InvalidArgument',
      );
      expect(
        resolveEncryption(write({ 'x-amz-server-side-encryption': 'aws:kms' }, undefined, { operation })).algorithm,
      ).toBe('aws:kms');
    },
  );
});

describe('resolveEncryption: key ID header', () => {
  it('names the key as sent (ID, ARN, alias) with source "header"', () => {
    for (const keyId of [
      KEY_ARN,
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      'alias/mine',
      'arn:aws:kms:us-east-1:111122223333:alias/mine',
    ]) {
      const decision = resolveEncryption(
        write({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': keyId }),
      );
      expect([decision.keyId, decision.keyIdSource]).toEqual([keyId, 'header']);
    }
  });

  it('without aws:kms is 400 InvalidArgument: no algorithm header, AES256, even with an SSE-KMS bucket default', () => {
    const keyOnly = { 'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN };
    expectS3Error(() => resolveEncryption(write(keyOnly)), 'InvalidArgument', 400);
    expectS3Error(
      () => resolveEncryption(write({ ...keyOnly, 'x-amz-server-side-encryption': 'AES256' })),
      'InvalidArgument',
      400,
    );
    expectS3Error(
      () => resolveEncryption(write(keyOnly, { algorithm: 'aws:kms', bucketKeyEnabled: false })),
      'InvalidArgument',
      400,
    );
  });

  it('is accepted with aws:kms:dsse', () => {
    const decision = resolveEncryption(
      write({ 'x-amz-server-side-encryption': 'aws:kms:dsse', 'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN }),
    );
    expect([decision.algorithm, decision.keyId]).toEqual(['aws:kms:dsse', KEY_ARN]);
  });

  it('empty, over 2048 characters or with control characters: 400 InvalidArgument', () => {
    for (const keyId of ['', '   ', 'a'.repeat(2049), 'alias/a\u0000b']) {
      expectS3Error(
        () =>
          resolveEncryption(
            write({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': keyId }),
          ),
        'InvalidArgument',
      );
    }
  });
});

describe('resolveEncryption: defaults (spec: "Default encryption")', () => {
  it('no header and no bucket default: SSE-S3 (AES256), as every bucket since 2023', () => {
    expect(resolveEncryption(write({}))).toEqual({
      algorithm: 'AES256',
      algorithmSource: 'default',
      context: {},
      bucketKey: false,
    });
  });

  it('no header: the bucket default applies, with its key and bucket-key setting', () => {
    const decision = resolveEncryption(
      write({}, { algorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN, bucketKeyEnabled: true }),
    );
    expect(decision).toEqual({
      algorithm: 'aws:kms',
      algorithmSource: 'bucket-default',
      keyId: KEY_ARN,
      keyIdSource: 'bucket-default',
      context: {},
      bucketKey: true,
    });
  });

  it('aws:kms without a key: the bucket default key, else the AWS-managed alias/aws/s3', () => {
    const kms = { 'x-amz-server-side-encryption': 'aws:kms' };
    const withDefault = resolveEncryption(
      write(kms, { algorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN, bucketKeyEnabled: false }),
    );
    expect([withDefault.keyId, withDefault.keyIdSource, withDefault.algorithmSource]).toEqual([
      KEY_ARN,
      'bucket-default',
      'header',
    ]);
    const managed = resolveEncryption(write(kms));
    expect([managed.keyId, managed.keyIdSource]).toEqual(['alias/aws/s3', 'aws-managed']);
    const defaultWithoutKey = resolveEncryption(write(kms, { algorithm: 'aws:kms', bucketKeyEnabled: false }));
    expect(defaultWithoutKey.keyIdSource).toBe('aws-managed');
    const sseS3Default = resolveEncryption(write(kms, { algorithm: 'AES256', bucketKeyEnabled: false }));
    expect(sseS3Default.keyIdSource).toBe('aws-managed');
  });

  it('a request header overrides the bucket default for that object', () => {
    const kmsDefault: BucketEncryption = { algorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN, bucketKeyEnabled: true };
    const sseS3 = resolveEncryption(write({ 'x-amz-server-side-encryption': 'AES256' }, kmsDefault));
    expect(sseS3).toEqual({ algorithm: 'AES256', algorithmSource: 'header', context: {}, bucketKey: false });
    const otherKey = resolveEncryption(
      write(
        { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': OTHER_KEY },
        kmsDefault,
      ),
    );
    expect([otherKey.keyId, otherKey.keyIdSource, otherKey.bucketKey]).toEqual([OTHER_KEY, 'header', true]);
  });
});

describe('resolveEncryption: bucket-key header', () => {
  const kms = { 'x-amz-server-side-encryption': 'aws:kms' };

  it('true/false (any case) overrides the bucket default', () => {
    const on: BucketEncryption = { algorithm: 'aws:kms', bucketKeyEnabled: true };
    expect(
      resolveEncryption(write({ ...kms, 'x-amz-server-side-encryption-bucket-key-enabled': 'false' }, on)).bucketKey,
    ).toBe(false);
    expect(
      resolveEncryption(write({ ...kms, 'x-amz-server-side-encryption-bucket-key-enabled': 'TRUE' })).bucketKey,
    ).toBe(true);
    expect(resolveEncryption(write(kms, on)).bucketKey).toBe(true);
    expect(resolveEncryption(write(kms)).bucketKey).toBe(false);
  });

  it('any other value: 400 InvalidArgument', () => {
    for (const value of ['yes', '1', '', 'truee']) {
      expectS3Error(
        () => resolveEncryption(write({ ...kms, 'x-amz-server-side-encryption-bucket-key-enabled': value })),
        'InvalidArgument',
        400,
      );
    }
  });

  it('never applies to SSE-S3 or DSSE-KMS objects', () => {
    expect(
      resolveEncryption(
        write({ 'x-amz-server-side-encryption': 'AES256', 'x-amz-server-side-encryption-bucket-key-enabled': 'true' }),
      ).bucketKey,
    ).toBe(false);
    expect(
      resolveEncryption(
        write({
          'x-amz-server-side-encryption': 'aws:kms:dsse',
          'x-amz-server-side-encryption-bucket-key-enabled': 'true',
        }),
      ).bucketKey,
    ).toBe(false);
  });
});

describe('resolveEncryption: encryption context header', () => {
  const kms = { 'x-amz-server-side-encryption': 'aws:kms' };

  it('adds the header pairs to the decision (aws:s3:arn is added by the caller)', () => {
    const decision = resolveEncryption(
      write({ ...kms, 'x-amz-server-side-encryption-context': b64('{"team":"blue","n":"1"}') }),
    );
    expect(decision.context).toEqual({ team: 'blue', n: '1' });
    expect(resolveEncryption(write(kms)).context).toEqual({});
  });

  it('malformed: 400 InvalidArgument', () => {
    expectS3Error(
      () => resolveEncryption(write({ ...kms, 'x-amz-server-side-encryption-context': 'not base64!' })),
      'InvalidArgument',
      400,
    );
    expectS3Error(
      () => resolveEncryption(write({ ...kms, 'x-amz-server-side-encryption-context': b64('{"a":1}') })),
      'InvalidArgument',
      400,
    );
  });

  it('without aws:kms: 400 InvalidArgument', () => {
    const context = { 'x-amz-server-side-encryption-context': b64('{"a":"b"}') };
    expectS3Error(() => resolveEncryption(write(context)), 'InvalidArgument');
    expectS3Error(
      () => resolveEncryption(write({ ...context, 'x-amz-server-side-encryption': 'AES256' })),
      'InvalidArgument',
    );
  });
});

describe('resolveEncryption: SSE-C', () => {
  const sseC = {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key': b64('k'.repeat(32)),
    'x-amz-server-side-encryption-customer-key-md5': 'x',
  };

  it('mixed with SSE-S3 or SSE-KMS headers: 400 InvalidArgument (one method per request)', () => {
    expectS3Error(
      () => resolveEncryption(write({ ...sseC, 'x-amz-server-side-encryption': 'aws:kms' })),
      'InvalidArgument',
      400,
    );
    expectS3Error(
      () => resolveEncryption(write({ ...sseC, 'x-amz-server-side-encryption': 'AES256' })),
      'InvalidArgument',
      400,
    );
    expectS3Error(
      () =>
        resolveEncryption(
          write({
            'x-amz-server-side-encryption-customer-algorithm': 'AES256',
            'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
          }),
        ),
      'InvalidArgument',
      400,
    );
  });

  it('alone: AES256 with customerKey (the caller reads the key); over plain HTTP 400 InvalidRequest', () => {
    expect(resolveEncryption(write(sseC))).toMatchObject({ algorithm: 'AES256', customerKey: true, bucketKey: false });
    expect(resolveEncryption(write(sseC, { algorithm: 'aws:kms', bucketKeyEnabled: true })).customerKey).toBe(true);
    expectS3Error(() => resolveEncryption(write(sseC, undefined, { secureTransport: false })), 'InvalidRequest', 400);
    expectS3Error(
      () => resolveEncryption(write({ ...sseC, 'x-amz-server-side-encryption-bucket-key-enabled': 'true' })),
      'InvalidArgument',
      400,
    );
  });
});

describe('resolveEncryption: transport (SSE-KMS needs TLS and a signed request)', () => {
  const kms = { 'x-amz-server-side-encryption': 'aws:kms' };

  it('SSE-KMS over plain HTTP or anonymous: 400 InvalidArgument; SSE-S3 is fine', () => {
    expectS3Error(() => resolveEncryption(write(kms, undefined, { secureTransport: false })), 'InvalidArgument', 400);
    expectS3Error(
      () => resolveEncryption(write({}, { algorithm: 'aws:kms', bucketKeyEnabled: false }, { secureTransport: false })),
      'InvalidArgument',
    );
    expectS3Error(() => resolveEncryption(write(kms, undefined, { anonymous: true })), 'InvalidArgument', 400);
    expect(resolveEncryption(write({}, undefined, { secureTransport: false, anonymous: true })).algorithm).toBe(
      'AES256',
    );
    expect(resolveEncryption(write(kms, undefined, { secureTransport: true, anonymous: false })).algorithm).toBe(
      'aws:kms',
    );
  });
});

describe('resolveEncryption: GetObject and HeadObject', () => {
  const read = (operation: 'GetObject' | 'HeadObject', headers: RequestHeaders, extra: object = {}) =>
    resolveEncryption({
      operation,
      headers,
      bucket: 'b',
      key: 'k',
      region: 'us-east-1',
      accountId: '111122223333',
      ...extra,
    });

  it.each([
    ['x-amz-server-side-encryption', 'aws:kms'],
    ['x-amz-server-side-encryption', 'AES256'],
    ['x-amz-server-side-encryption-aws-kms-key-id', KEY_ARN],
    ['x-amz-server-side-encryption-context', b64('{}')],
    ['x-amz-server-side-encryption-bucket-key-enabled', 'true'],
  ])('refuses %s with 400 InvalidArgument', (name, value) => {
    expectS3Error(() => read('GetObject', { [name]: value }), 'InvalidArgument', 400);
    expectS3Error(() => read('HeadObject', { [name]: value }), 'InvalidArgument', 400);
  });

  it('answers undefined when no SSE header is sent; SSE-C headers on a non-SSE-C object: 400 InvalidRequest', () => {
    expect(read('GetObject', { range: 'bytes=0-1' })).toBeUndefined();
    expectS3Error(
      () => read('GetObject', { 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }),
      'InvalidRequest',
      400,
    );
  });

  it('a stored SSE-KMS object over plain HTTP or anonymously: 400 InvalidArgument', () => {
    expectS3Error(
      () => read('GetObject', {}, { storedAlgorithm: 'aws:kms', secureTransport: false }),
      'InvalidArgument',
    );
    expectS3Error(() => read('HeadObject', {}, { storedAlgorithm: 'aws:kms', anonymous: true }), 'InvalidArgument');
    expect(
      read('GetObject', {}, { storedAlgorithm: 'AES256', secureTransport: false, anonymous: true }),
    ).toBeUndefined();
  });
});

describe('resolveEncryption: hostile headers', () => {
  it('reads own properties only: a polluted prototype adds no header', () => {
    const proto = { 'x-amz-server-side-encryption': 'rot13' };
    const headers = Object.create(proto) as RequestHeaders;
    expect(resolveEncryption(write(headers)).algorithm).toBe('AES256');
  });

  it('a huge context header is refused before it is decoded', () => {
    const error = expectS3Error(
      () =>
        resolveEncryption(
          write({
            'x-amz-server-side-encryption': 'aws:kms',
            'x-amz-server-side-encryption-context': 'A'.repeat(1_000_000),
          }),
        ),
      'InvalidArgument',
    );
    expect(error.message).toMatch(/maximum length/);
  });
});

describe('resolveEncryption: input shapes', () => {
  it('reads a repeated header (a list, as node:http gives) joined, so two algorithms are refused', () => {
    expectS3Error(
      () => resolveEncryption(write({ 'x-amz-server-side-encryption': ['aws:kms', 'AES256'] })),
      'InvalidArgument',
    );
    expect(resolveEncryption(write({ 'x-amz-server-side-encryption': ['aws:kms'] })).algorithm).toBe('aws:kms');
  });

  it('refuses an unknown operation as a caller bug (ERR_INVALID_ARGUMENT), not an S3 error', () => {
    expect(() => resolveEncryption(write({}, undefined, { operation: 'DeleteObject' as EncryptingOperation }))).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});
