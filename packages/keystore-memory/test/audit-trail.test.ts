import diagnostics from 'node:diagnostics_channel';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KMS_AUDIT_CHANNEL, MemoryKms, type KmsAuditRecord } from '@sealflow/keystore-memory';
import { ACCOUNT_A, failure, newKms, READER_A, WRITER_A } from './support.js';

const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/object' };

describe('audit records', () => {
  it('every call leaves a CloudTrail-shaped record: event, time, request ID, principal, key, context, outcome', async () => {
    const { kms, clock } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const out = await kms
      .as(WRITER_A)
      .generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32, EncryptionContext: context });
    const record = kms.auditLog().at(-1) as KmsAuditRecord;
    expect(record).toMatchObject({
      eventVersion: '1.08',
      eventSource: 'kms.amazonaws.com',
      eventName: 'GenerateDataKey',
      eventType: 'AwsApiCall',
      awsRegion: 'us-east-1',
      requestID: out.$metadata.requestId,
      userIdentity: { type: 'AssumedRole', arn: WRITER_A, accountId: ACCOUNT_A },
      requestParameters: { keyId: KeyMetadata.KeyId, encryptionContext: context, numberOfBytes: 32 },
      resources: [{ ARN: KeyMetadata.Arn, accountId: ACCOUNT_A, type: 'AWS::KMS::Key' }],
      recipientAccountId: ACCOUNT_A,
      readOnly: true,
      managementEvent: true,
    });
    expect(record.eventTime).toBe(new Date(clock.time).toISOString().replace('.000Z', 'Z'));
    expect(record.errorCode).toBeUndefined();
    expect(kms.auditLog()[0]).toMatchObject({ eventName: 'CreateKey', readOnly: false });
  });

  it('a failed call records the exception name and message as errorCode and errorMessage', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    await kms.disableKey({ KeyId: KeyMetadata.KeyId });
    const error = await failure(
      kms.encrypt({ KeyId: KeyMetadata.Arn, Plaintext: Uint8Array.of(1), EncryptionContext: context }),
    );
    const record = kms.auditLog().at(-1);
    expect(record).toMatchObject({
      eventName: 'Encrypt',
      errorCode: 'DisabledException',
      errorMessage: error.message,
      requestID: error.$metadata?.requestId,
    });
    expect(record?.requestParameters.encryptionContext).toEqual(context);
  });

  it('never records plaintext, ciphertext or key material', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const secret = Uint8Array.from({ length: 64 }, (_, i) => 200 - i);
    const sealed = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: secret });
    const key = await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 });
    await kms.decrypt({ CiphertextBlob: sealed.CiphertextBlob });
    await kms.reEncrypt({ CiphertextBlob: key.CiphertextBlob, DestinationKeyId: KeyMetadata.KeyId });
    const text = JSON.stringify(kms.auditLog());
    for (const buffer of [secret, sealed.CiphertextBlob, key.Plaintext, key.CiphertextBlob]) {
      const b = Buffer.from(buffer);
      expect(text).not.toContain(b.toString('base64'));
      expect(text).not.toContain(b.toString('hex'));
      expect(text).not.toContain(Array.from(buffer).join(','));
    }
    expect(text).not.toMatch(/[Pp]laintext|[Cc]iphertextBlob/);
  });

  it('keeps at most ringSize records, newest last', async () => {
    const kms = new MemoryKms({ audit: { ringSize: 3 } });
    for (let i = 0; i < 5; i++) await kms.createKey({ Description: `k${i}` });
    expect(kms.auditLog().map((r) => r.requestParameters.description)).toEqual(['k2', 'k3', 'k4']);
    const none = new MemoryKms({ audit: { ringSize: 0 } });
    await none.createKey();
    expect(none.auditLog()).toEqual([]);
  });

  it('calls onRecord for every record, and a throwing callback does not fail the call', async () => {
    const seen: string[] = [];
    const kms = new MemoryKms({ audit: { onRecord: (r) => seen.push(r.eventName) } });
    await kms.createKey();
    await kms.listKeys();
    expect(seen).toEqual(['CreateKey', 'ListKeys']);
    const broken = new MemoryKms({
      audit: {
        onRecord: () => {
          throw new Error('sink down');
        },
      },
    });
    await broken.createKey();
    expect(broken.metrics().sinkFailures).toBe(1);
  });

  describe('diagnostics channel', () => {
    const published: KmsAuditRecord[] = [];
    const listener = (message: unknown): void => {
      published.push(message as KmsAuditRecord);
    };
    afterEach(() => {
      diagnostics.unsubscribe(KMS_AUDIT_CHANNEL, listener);
      published.length = 0;
    });

    it(`publishes every record on ${KMS_AUDIT_CHANNEL}`, async () => {
      diagnostics.subscribe(KMS_AUDIT_CHANNEL, listener);
      const { kms } = newKms();
      await kms.createKey();
      await failure(kms.describeKey({ KeyId: 'alias/none' }));
      expect(published.map((r) => [r.eventName, r.errorCode])).toEqual([
        ['CreateKey', undefined],
        ['DescribeKey', 'NotFoundException'],
      ]);
    });
  });

  it('appends JSON lines to the audit file; flush() waits for them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealflow-audit-'));
    try {
      const file = join(dir, 'audit.jsonl');
      const kms = new MemoryKms({ audit: { file } });
      const { KeyMetadata } = await kms.createKey();
      await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: Uint8Array.of(1), EncryptionContext: context });
      await kms.flush();
      const lines = (await readFile(file, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as KmsAuditRecord);
      expect(lines.map((l) => l.eventName)).toEqual(['CreateKey', 'Encrypt']);
      expect(lines[1]?.requestParameters.encryptionContext).toEqual(context);
      const again = new MemoryKms({ audit: { file } });
      await again.listKeys();
      await again.close();
      expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('flush() reports an audit file that cannot be written', async () => {
    const kms = new MemoryKms({ audit: { file: join(tmpdir(), 'sealflow-no-such-dir', 'x', 'audit.jsonl') } });
    await kms.createKey();
    await expect(kms.flush()).rejects.toMatchObject({ code: 'ENOENT' });
    expect(kms.metrics().sinkFailures).toBe(1);
  });
});

describe('metrics', () => {
  it('counts calls and failures per operation and per key', async () => {
    const { kms } = newKms();
    const { KeyMetadata } = await kms.createKey();
    const other = (await kms.createKey()).KeyMetadata;
    await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 });
    await kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 });
    await kms.disableKey({ KeyId: KeyMetadata.KeyId });
    await failure(kms.generateDataKey({ KeyId: KeyMetadata.KeyId, NumberOfBytes: 32 }));
    await failure(kms.as(READER_A.replace('111122223333', '444455556666')).describeKey({ KeyId: other.Arn }));
    const metrics = kms.metrics();
    expect(metrics.operations['GenerateDataKey']).toEqual({ calls: 3, failures: 1, errors: { DisabledException: 1 } });
    expect(metrics.operations['CreateKey']).toMatchObject({ calls: 2, failures: 0 });
    expect(metrics.keys[KeyMetadata.Arn]).toMatchObject({
      calls: 5,
      failures: 1,
      operations: { CreateKey: 1, GenerateDataKey: 3, DisableKey: 1 },
    });
    expect(metrics.keys[other.Arn]).toMatchObject({ calls: 2, failures: 1, errors: { AccessDeniedException: 1 } });
  });
});
