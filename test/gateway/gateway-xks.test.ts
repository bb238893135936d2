// The gateway with `keyStore: xks`: SSE-KMS through a real XKS proxy (our own, over the
// in-memory key backend) and real @aws-sdk/client-s3 requests over TLS.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { parseGatewayConfig, startGateway } from '@sealflow/gateway';
import { XKS_REQUEST_CHANNEL, type XksAuditRecord } from '@sealflow/keystore-xks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../keystore-xks/support/test-ca.js';
import { CREDENTIAL, KEY_ID, PREFIX, startRig, type XksRig } from '../keystore-xks/support/xks-setup.js';
import { ALICE_ARN, startHarness, type Harness } from './support/gateway-harness.js';

const DEFAULT_ARN = 'arn:aws:kms:us-east-1:111122223333:key/0e2e0000-0000-4000-8000-000000000001';
const TEAM_ARN = 'arn:aws:kms:us-east-1:111122223333:key/0e2e0000-0000-4000-8000-000000000002';
/** Configured in the gateway but never created at the proxy. */
const GONE_ARN = 'arn:aws:kms:us-east-1:111122223333:key/0e2e0000-0000-4000-8000-000000000003';
const TEAM_KEY = 'team.key_2';
const BUCKET = 'xks-bucket';

async function s3Error(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { name: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error('expected an S3 error');
}

describe('gateway with keyStore xks: SSE-KMS through an XKS proxy', () => {
  let rig: XksRig;
  let h: Harness;
  const audit: XksAuditRecord[] = [];
  const onAudit = (record: unknown): void => {
    audit.push(record as XksAuditRecord);
  };

  beforeAll(async () => {
    rig = await startRig();
    rig.backend.createKey(TEAM_KEY);
    subscribe(XKS_REQUEST_CHANNEL, onAudit);
    h = await startHarness('fs', {
      keyStore: {
        type: 'xks',
        endpoint: rig.url,
        uriPrefix: PREFIX,
        keyId: KEY_ID,
        region: 'us-east-1',
        ...CREDENTIAL,
        timeoutMs: 5000,
        keys: [
          { keyId: KEY_ID, arn: DEFAULT_ARN },
          { keyId: TEAM_KEY, arn: TEAM_ARN, aliases: ['alias/team'] },
          { keyId: 'not-at-proxy', arn: GONE_ARN },
        ],
      },
    });
    await h.client().send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  afterAll(async () => {
    unsubscribe(XKS_REQUEST_CHANNEL, onAudit);
    await h?.close();
    await rig?.proxy.close();
  });

  it.each([
    ['a key ARN', TEAM_ARN, TEAM_ARN, TEAM_KEY],
    ['an alias', 'alias/team', TEAM_ARN, TEAM_KEY],
    ['the key resource of the ARN', TEAM_ARN.split('key/')[1], TEAM_ARN, TEAM_KEY],
    ['no key ID (alias/aws/s3, the default key)', undefined, DEFAULT_ARN, KEY_ID],
  ])(
    'PUT, GET and HEAD an object under %s; the proxy wraps and unwraps as the caller',
    async (_label, keyId, arn, externalKeyId) => {
      const s3 = h.client();
      const body = randomBytes(70_000);
      const key = `obj-${externalKeyId}-${String(keyId)}`;
      audit.length = 0;
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: body,
          ServerSideEncryption: 'aws:kms',
          ...(keyId === undefined ? {} : { SSEKMSKeyId: keyId }),
        }),
      );
      expect(put.ServerSideEncryption).toBe('aws:kms');
      expect(put.SSEKMSKeyId).toBe(arn);
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(
        Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(
          body,
        ),
      ).toBe(true);
      expect(got.ServerSideEncryption).toBe('aws:kms');
      expect(got.SSEKMSKeyId).toBe(arn);
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(head.ContentLength).toBe(body.length);
      expect(head.SSEKMSKeyId).toBe(arn);
      const calls = audit.filter((r) => r.operation === 'Encrypt' || r.operation === 'Decrypt');
      // One wrap on PUT; GET and HEAD each open the header (HEAD checks it too).
      expect(calls[0]).toMatchObject({ operation: 'Encrypt', kmsOperation: 'GenerateDataKey', status: 200 });
      expect(calls.slice(1).length).toBeGreaterThanOrEqual(1);
      for (const r of calls.slice(1))
        expect(r).toMatchObject({ operation: 'Decrypt', kmsOperation: 'Decrypt', status: 200 });
      for (const r of calls)
        expect(r).toMatchObject({
          keyId: externalKeyId,
          kmsKeyArn: arn,
          awsPrincipalArn: ALICE_ARN,
          uriPrefix: PREFIX,
        });
    },
  );

  it('re-keys an object onto another XKS key with CopyObject; the metrics count the proxy calls', async () => {
    const s3 = h.client();
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'rekey-me', Body: 'moving keys', ServerSideEncryption: 'aws:kms' }),
    );
    audit.length = 0;
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'rekey-me',
        CopySource: `${BUCKET}/rekey-me`,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'alias/team',
      }),
    );
    expect(copied.SSEKMSKeyId).toBe(TEAM_ARN);
    expect(audit.some((r) => r.operation === 'Encrypt' && r.keyId === TEAM_KEY && r.status === 200)).toBe(true);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'rekey-me' }));
    expect(got.SSEKMSKeyId).toBe(TEAM_ARN);
    expect(await (got.Body as { transformToString(): Promise<string> }).transformToString()).toBe('moving keys');
    const metrics = await h.gateway.metrics.registry.metrics();
    expect(metrics).toMatch(/sealflow_gateway_kms_calls_total\{operation="GenerateDataKey"\} [1-9]/);
    expect(metrics).toMatch(/sealflow_gateway_kms_calls_total\{operation="Decrypt"\} [1-9]/);
  });

  it('uses S3 Bucket Keys with XKS: one proxy wrap serves several PUTs, each object reads back', async () => {
    const s3 = h.client();
    audit.length = 0;
    for (const key of ['bk-1', 'bk-2', 'bk-3']) {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: key,
          Body: key,
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: TEAM_ARN,
          BucketKeyEnabled: true,
        }),
      );
      expect(put.BucketKeyEnabled).toBe(true);
    }
    expect(audit.filter((r) => r.operation === 'Encrypt')).toHaveLength(1);
    for (const key of ['bk-1', 'bk-2', 'bk-3']) {
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(await (got.Body as { transformToString(): Promise<string> }).transformToString()).toBe(key);
    }
  });

  it('answers KMS.NotFoundException for a key not in the table, and for one the proxy does not have; nothing is stored', async () => {
    const s3 = h.client();
    for (const SSEKMSKeyId of [
      'arn:aws:kms:us-east-1:111122223333:key/ffffffff-0000-4000-8000-000000000000',
      'alias/nope',
      'e2e-key',
    ]) {
      expect(
        await s3Error(
          s3.send(
            new PutObjectCommand({
              Bucket: BUCKET,
              Key: 'unknown-key',
              Body: 'x',
              ServerSideEncryption: 'aws:kms',
              SSEKMSKeyId,
            }),
          ),
        ),
      ).toEqual({ name: 'KMS.NotFoundException', status: 400 });
    }
    audit.length = 0;
    expect(
      await s3Error(
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: 'unknown-key',
            Body: 'x',
            ServerSideEncryption: 'aws:kms',
            SSEKMSKeyId: GONE_ARN,
          }),
        ),
      ),
    ).toEqual({ name: 'KMS.NotFoundException', status: 400 });
    expect(audit.map((r) => [r.keyId, r.status, r.errorName])).toEqual([['not-at-proxy', 404, 'KeyNotFoundException']]);
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'unknown-key' })))).toEqual({
      name: 'NotFound',
      status: 404,
    });
  });

  // Last: stops the proxy.
  it('answers 503 ServiceUnavailable while the proxy is down, and stores nothing', async () => {
    const s3 = h.client();
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'before-outage', Body: 'kept', ServerSideEncryption: 'aws:kms' }),
    );
    await rig.proxy.close();
    expect(
      await s3Error(
        s3.send(
          new PutObjectCommand({
            Bucket: BUCKET,
            Key: 'during-outage',
            Body: 'lost',
            ServerSideEncryption: 'aws:kms',
            SSEKMSKeyId: TEAM_ARN,
          }),
        ),
      ),
    ).toEqual({ name: 'ServiceUnavailable', status: 503 });
    expect(await s3Error(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'before-outage' })))).toEqual({
      name: 'ServiceUnavailable',
      status: 503,
    });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'during-outage' })))).toEqual({
      name: 'NotFound',
      status: 404,
    });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.Contents?.map((c) => c.Key)).toContain('before-outage');
    expect(listed.Contents?.map((c) => c.Key)).not.toContain('during-outage');
  });
});

describe('gateway with keyStore xks: start', () => {
  it('refuses a proxy credential XksKeyStore would refuse, before listening, without echoing the secret', async () => {
    const secretAccessKey = 'not base64 at all!';
    const dir = mkdtempSync(join(tmpdir(), 'sealflow-gw-xks-'));
    const config = parseGatewayConfig(
      {
        listen: '127.0.0.1:0',
        keyStore: {
          type: 'xks',
          endpoint: 'http://127.0.0.1:1',
          keyId: KEY_ID,
          accessKeyId: CREDENTIAL.accessKeyId,
          secretAccessKey,
        },
        storage: { type: 'fs', dir: 'data' },
      },
      dir,
    );
    const failure = await startGateway(config).then(
      async (gateway) => {
        await gateway.close();
        return undefined;
      },
      (error: unknown) => error as Error & { code?: string },
    );
    rmSync(dir, { recursive: true, force: true });
    expect(failure?.code).toBe('ERR_INVALID_ARGUMENT');
    expect(failure?.message).toMatch(/secretAccessKey/);
    expect(failure?.message).not.toContain(secretAccessKey);
  });
});

describe('gateway with keyStore xks: a proxy over TLS', () => {
  let pki: TestPki;
  let rig: XksRig;
  let dir: string;
  const harnesses: Harness[] = [];
  beforeAll(async () => {
    pki = createTestPki();
    rig = await startRig({ proxy: { tls: { cert: pki.server.cert, key: pki.server.key } } });
    dir = mkdtempSync(join(tmpdir(), 'sealflow-gw-xks-ca-'));
    writeFileSync(join(dir, 'xks-ca.pem'), pki.ca);
  });
  afterAll(async () => {
    for (const h of harnesses) await h.close();
    await rig?.proxy.close();
    pki?.dispose();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  const gateway = async (caFile: string | undefined): Promise<Harness> => {
    const h = await startHarness('fs', {
      keyStore: {
        type: 'xks',
        endpoint: rig.url,
        uriPrefix: PREFIX,
        keyId: KEY_ID,
        ...CREDENTIAL,
        timeoutMs: 5000,
        ...(caFile === undefined ? {} : { caFile }),
      },
    });
    harnesses.push(h);
    await h.client().send(new CreateBucketCommand({ Bucket: BUCKET }));
    return h;
  };

  it('trusts the proxy through caFile: PUT and GET round-trip under the default key ARN', async () => {
    expect(rig.url.startsWith('https://')).toBe(true);
    const s3 = (await gateway(join(dir, 'xks-ca.pem'))).client();
    const put = await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'tls', Body: 'over tls', ServerSideEncryption: 'aws:kms' }),
    );
    expect(put.SSEKMSKeyId).toBe(`arn:aws:kms:us-east-1:000000000000:key/${KEY_ID}`);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'tls' }));
    expect(await (got.Body as { transformToString(): Promise<string> }).transformToString()).toBe('over tls');
  });

  it('without caFile the proxy certificate is not trusted: 503 ServiceUnavailable, nothing stored', async () => {
    const s3 = (await gateway(undefined)).client();
    expect(
      await s3Error(
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'untrusted', Body: 'x', ServerSideEncryption: 'aws:kms' })),
      ),
    ).toEqual({ name: 'ServiceUnavailable', status: 503 });
    expect(await s3Error(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'untrusted' })))).toEqual({
      name: 'NotFound',
      status: 404,
    });
  });
});
