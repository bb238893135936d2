import diagnostics from 'node:diagnostics_channel';

import { AwsKmsKeyStore, KMS_AUDIT_CHANNEL, type AwsKmsAuditRecord } from '@sealflow/keystore-aws-kms';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

import { ACCOUNT, fakeKmsClient, KEY_ARN, kmsException, REGION, success } from './support/fake-kms-client.js';

const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/key' };

describe('KMS audit records on sealflow:kms:audit', () => {
  const records: AwsKmsAuditRecord[] = [];
  const listener = (message: unknown): void => {
    records.push(message as AwsKmsAuditRecord);
  };
  beforeEach(() => {
    diagnostics.subscribe(KMS_AUDIT_CHANNEL, listener);
  });
  afterEach(() => {
    diagnostics.unsubscribe(KMS_AUDIT_CHANNEL, listener);
    records.length = 0;
  });

  test('publishes one CloudTrail-shaped record per request sent, retries included', async () => {
    const client = fakeKmsClient(async (call, n) => {
      if (n <= 2) throw kmsException('ThrottlingException', 400, `req-throttled-${n}`);
      return success(call, 'req-ok');
    });
    const store = new AwsKmsKeyStore({
      client,
      keyId: KEY_ARN,
      retry: { baseDelayMs: 0 },
      principal: `arn:aws:iam::${ACCOUNT}:user/gateway`,
    });
    (await store.generateDataKey({ context, length: 32 })).dataKey.destroy();
    expect(records.map((r) => [r.eventName, r.requestID, r.errorCode])).toEqual([
      ['GenerateDataKey', 'req-throttled-1', 'ThrottlingException'],
      ['GenerateDataKey', 'req-throttled-2', 'ThrottlingException'],
      ['GenerateDataKey', 'req-ok', undefined],
    ]);
    expect(records[2]).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      eventType: 'AwsApiCall',
      awsRegion: REGION,
      readOnly: true,
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/gateway`, accountId: ACCOUNT },
      requestParameters: { keyId: KEY_ARN, encryptionContext: context, numberOfBytes: 32 },
      resources: [{ ARN: KEY_ARN, accountId: ACCOUNT, type: 'AWS::KMS::Key' }],
      recipientAccountId: ACCOUNT,
    });
    expect(records[2]?.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('records Encrypt and Decrypt with the symmetric algorithm, and never key material or ciphertext', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    const store = new AwsKmsKeyStore({ client, keyId: KEY_ARN });
    const generated = await store.generateDataKey({ context, length: 32 });
    const secret = Buffer.from(generated.dataKey.reveal());
    await store.wrapDataKey(generated.dataKey, { context, length: 32 });
    (await store.unwrapDataKey(generated.encryptedDataKey, { context, length: 32 })).destroy();
    generated.dataKey.destroy();
    expect(records.map((r) => r.eventName)).toEqual(['GenerateDataKey', 'Encrypt', 'Decrypt']);
    expect(records[1]?.requestParameters).toEqual({
      keyId: KEY_ARN,
      encryptionContext: context,
      encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    });
    expect(records[2]?.requestParameters.encryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    const text = JSON.stringify(records);
    for (const encoding of ['base64', 'hex'] as const) {
      expect(text).not.toContain(secret.toString(encoding));
      expect(text).not.toContain(Buffer.from(generated.encryptedDataKey.ciphertext).toString(encoding));
    }
    expect(text).not.toContain('Plaintext');
    expect(text).not.toContain('CiphertextBlob');
  });

  test('a failed request carries the exception name and message, and the key it asked for', async () => {
    const client = fakeKmsClient(async () => Promise.reject(kmsException('AccessDeniedException', 400, 'req-denied')));
    const store = new AwsKmsKeyStore({ client, keyId: KEY_ARN });
    await expect(store.generateDataKey({ context, length: 32 })).rejects.toThrow();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      errorCode: 'AccessDeniedException',
      errorMessage: 'AccessDeniedException from the fake',
      requestID: 'req-denied',
    });
    expect(records[0]?.resources).toEqual([{ ARN: KEY_ARN, accountId: ACCOUNT, type: 'AWS::KMS::Key' }]);
  });

  test('an alias request is recorded under the key ARN KMS answered with', async () => {
    const client = fakeKmsClient(async (call) => success(call));
    (
      await new AwsKmsKeyStore({ client, keyId: 'alias/app' }).generateDataKey({ context, length: 32 })
    ).dataKey.destroy();
    expect(records[0]?.requestParameters.keyId).toBe('alias/app');
    expect(records[0]?.resources.map((r) => r.ARN)).toEqual([KEY_ARN]);
    expect(records[0]?.userIdentity).toEqual({ type: 'Unknown', arn: '', accountId: '' });
  });
});
