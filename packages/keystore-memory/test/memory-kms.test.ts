import { describe, expect, it } from 'vitest';
import { ErrorCodes, KeyStoreError, SealflowError } from '@sealflow/core';
import { KmsException, MemoryKms, NotFoundException } from '@sealflow/keystore-memory';
import { ACCOUNT_B, failure, newKms, READER_A, ROOT_A, ROOT_B } from './support.js';

describe('MemoryKms: SDK shape', () => {
  it('every response carries $metadata with a fresh request ID', async () => {
    const { kms } = newKms();
    const created = await kms.createKey();
    const described = await kms.describeKey({ KeyId: created.KeyMetadata.KeyId });
    for (const response of [created, described]) {
      expect(response.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 });
      expect(response.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(created.$metadata.requestId).not.toBe(described.$metadata.requestId);
  });

  it('errors are SDK-named exceptions with $fault, $metadata.requestId and a stable sealflow code', async () => {
    const { kms } = newKms();
    const error = await failure(kms.describeKey({ KeyId: 'alias/missing' }));
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error).toBeInstanceOf(KmsException);
    expect(error).toBeInstanceOf(KeyStoreError);
    expect(error).toBeInstanceOf(SealflowError);
    expect(error.name).toBe('NotFoundException');
    expect((error as KmsException).$fault).toBe('client');
    expect((error as KmsException).$metadata).toMatchObject({ httpStatusCode: 400 });
    expect((error as KmsException).$metadata.requestId).toBe(kms.auditLog().at(-1)?.requestID);
    expect(error.code).toBe(ErrorCodes.KEY_NOT_FOUND);
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ name: 'NotFoundException', code: 'ERR_KEY_NOT_FOUND' });
  });

  it('refuses non-object requests and unknown fields with ValidationException naming the field', async () => {
    const { kms } = newKms();
    expect((await failure(kms.describeKey(null as never))).name).toBe('ValidationException');
    const error = await failure(kms.encrypt({ KeyId: 'alias/x', Plaintext: Uint8Array.of(1), Plaintxt: 1 } as never));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain('Plaintxt');
    const typed = await failure(kms.encrypt({ KeyId: 'alias/x', Plaintext: 'text' as never }));
    expect(typed.message).toContain('Plaintext');
  });

  it('reads request fields as own properties: a polluted prototype changes nothing', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const proto = Object.prototype as Record<string, unknown>;
    proto['KeyId'] = KeyMetadata.KeyId;
    proto['EncryptionContext'] = { injected: 'yes' };
    try {
      expect((await failure(kms.generateDataKey({ NumberOfBytes: 32 } as never))).name).toBe('ValidationException');
      const out = await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 });
      delete proto['EncryptionContext'];
      expect((await kms.decrypt({ CiphertextBlob: out.CiphertextBlob })).Plaintext).toEqual(out.Plaintext);
    } finally {
      delete proto['KeyId'];
      delete proto['EncryptionContext'];
    }
  });

  it('accepts undefined-valued fields as absent, as SDK inputs carry them', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey({ Description: undefined, Policy: undefined });
    const out = await kms.generateDataKey({
      KeyId: KeyMetadata.KeyId,
      NumberOfBytes: 32,
      KeySpec: undefined,
      EncryptionContext: undefined,
    });
    expect(out.Plaintext.length).toBe(32);
  });

  it('rejects with AbortError when the abort signal has fired, and does nothing', async () => {
    const { kms } = newKms();
    const controller = new AbortController();
    controller.abort();
    const error = await failure(kms.createKey({}, { abortSignal: controller.signal }));
    expect(error.name).toBe('AbortError');
    expect((await kms.listKeys()).Keys).toEqual([]);
  });
});

describe('MemoryKms: principals', () => {
  it('as() returns a view over the same keys acting as another principal', async () => {
    const { kms } = newKms();
    expect(kms.principal).toBe(ROOT_A);
    const reader = kms.as(READER_A);
    expect(reader.principal).toBe(READER_A);
    const { KeyMetadata } = await kms.createKey();
    expect((await reader.describeKey({ KeyId: KeyMetadata.KeyId })).KeyMetadata.Arn).toBe(KeyMetadata.Arn);
    expect(kms.auditLog().at(-1)?.userIdentity).toEqual({
      type: 'AssumedRole',
      arn: READER_A,
      accountId: '111122223333',
    });
    const b = reader.as(ROOT_B);
    expect((await b.createKey()).KeyMetadata.AWSAccountId).toBe(ACCOUNT_B);
  });

  it('as() refuses anything but a principal ARN of this partition', () => {
    const { kms } = newKms();
    for (const bad of ['111122223333', 'arn:aws:iam::111122223333:group/x', 'arn:aws-cn:iam::111122223333:root', '']) {
      expect(() => kms.as(bad)).toThrow(/principal ARN|partition/);
    }
  });
});

describe('MemoryKms: options', () => {
  it('rejects unknown and malformed options, naming them', () => {
    expect(() => new MemoryKms({ regoin: 'us-east-1' } as never)).toThrow(/unknown option "regoin"/);
    expect(() => new MemoryKms({ region: 'Mars' })).toThrow(/region/);
    expect(() => new MemoryKms({ principal: 'root' })).toThrow(/principal/);
    expect(() => new MemoryKms({ now: 5 as never })).toThrow(/now/);
    expect(() => new MemoryKms({ audit: { ringSize: -1 } })).toThrow(/ringSize/);
    expect(() => new MemoryKms({ audit: { sink: 1 } as never })).toThrow(/unknown option "sink"/);
  });

  it('ignores options set on Object.prototype', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['region'] = 'eu-west-3';
    proto['principal'] = ROOT_B;
    try {
      const kms = new MemoryKms();
      expect(kms.region).toBe('us-east-1');
      expect(kms.principal).toBe(ROOT_A);
    } finally {
      delete proto['region'];
      delete proto['principal'];
    }
  });

  it('after close(), calls from every view fail with KMSInternalException', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const reader = kms.as(READER_A);
    await kms.close();
    expect((await failure(kms.describeKey({ KeyId: KeyMetadata.KeyId }))).name).toBe('KMSInternalException');
    expect((await failure(reader.createKey())).name).toBe('KMSInternalException');
  });
});
