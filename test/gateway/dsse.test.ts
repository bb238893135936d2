// DSSE-KMS (aws:kms:dsse) through `sealflow gateway` run as its own process, on both
// storage backends: @aws-sdk/client-s3 and boto3; then, with the gateway's `aws-kms` key
// store on moto's KMS, the stored layers opened by the AWS Encryption SDK (client-node).
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  buildClient,
  CommitmentPolicy,
  KMS,
  KmsKeyringNode,
  type KmsNodeClientSupplier,
} from '@aws-crypto/client-node';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '@sealflow/gateway';
import { BlobNames } from '../../packages/s3/src/objects/blob-names.js';
import { decodeObjectRecord } from '../../packages/s3/src/objects/object-record.js';
import { requireMoto } from '../setup/required-services.js';
import { MOTO_S3_CREDENTIALS } from '../setup/s3-emulator-env.js';
import { BACKENDS } from './support/gateway-harness.js';
import {
  makeSite,
  MOTO_ENV,
  pythonClientEnv,
  REPO,
  run,
  sdkClient,
  spawnGateway,
  VENV_PYTHON,
  type GatewaySite,
  type SpawnedGateway,
  requirePythonClients,
} from './support/spawned-gateway.js';

const bytesOf = async (body: unknown): Promise<Buffer> =>
  Buffer.from(await (body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());

describe.each(BACKENDS)('DSSE-KMS through the gateway over %s', (backend) => {
  let site: GatewaySite;
  let gw: SpawnedGateway;
  let s3: S3Client;
  beforeAll(async () => {
    site = await makeSite({ backend });
    gw = await spawnGateway(site.configFile);
    s3 = sdkClient(site, gw.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'dsse' }));
  }, 60_000);
  afterAll(async () => {
    s3?.destroy();
    await gw?.stop();
    site?.remove();
  });

  it('@aws-sdk/client-s3: PUT, GET, ranges, HEAD and multipart answer aws:kms:dsse with the full key ARN', async () => {
    const body = randomBytes(300_000);
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'dsse',
        Key: 'a',
        Body: body,
        ServerSideEncryption: 'aws:kms:dsse',
        SSEKMSKeyId: 'alias/clients',
      }),
    );
    expect(put.ServerSideEncryption).toBe('aws:kms:dsse');
    expect(put.SSEKMSKeyId).toBe(site.keyArn);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'dsse', Key: 'a' }));
    expect(got.ServerSideEncryption).toBe('aws:kms:dsse');
    expect((await bytesOf(got.Body)).equals(body)).toBe(true);
    const ranged = await s3.send(new GetObjectCommand({ Bucket: 'dsse', Key: 'a', Range: 'bytes=65530-200000' }));
    expect(ranged.ContentRange).toBe(`bytes 65530-200000/${body.length}`);
    expect((await bytesOf(ranged.Body)).equals(body.subarray(65530, 200001))).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'dsse', Key: 'a' }));
    expect(head).toMatchObject({
      ServerSideEncryption: 'aws:kms:dsse',
      SSEKMSKeyId: site.keyArn,
      ContentLength: body.length,
    });
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1000)];
    const created = await s3.send(
      new CreateMultipartUploadCommand({
        Bucket: 'dsse',
        Key: 'm',
        ServerSideEncryption: 'aws:kms:dsse',
        SSEKMSKeyId: site.keyArn,
      }),
    );
    expect(created.ServerSideEncryption).toBe('aws:kms:dsse');
    const done = [];
    for (const [i, p] of parts.entries()) {
      const r = await s3.send(
        new UploadPartCommand({ Bucket: 'dsse', Key: 'm', UploadId: created.UploadId, PartNumber: i + 1, Body: p }),
      );
      done.push({ PartNumber: i + 1, ETag: r.ETag });
    }
    const complete = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'dsse',
        Key: 'm',
        UploadId: created.UploadId,
        MultipartUpload: { Parts: done },
      }),
    );
    expect(complete.ServerSideEncryption).toBe('aws:kms:dsse');
    const across = await s3.send(
      new GetObjectCommand({ Bucket: 'dsse', Key: 'm', Range: `bytes=${5 * 1024 * 1024 - 5}-${5 * 1024 * 1024 + 4}` }),
    );
    expect(
      (await bytesOf(across.Body)).equals(Buffer.concat(parts).subarray(5 * 1024 * 1024 - 5, 5 * 1024 * 1024 + 5)),
    ).toBe(true);
  }, 60_000);

  it('a bucket policy requiring aws:kms:dsse refuses aws:kms (403) and accepts aws:kms:dsse', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'dsse-only' }));
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: 'dsse-only',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:PutObject',
              Resource: 'arn:aws:s3:::dsse-only/*',
              Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms:dsse' } },
            },
          ],
        }),
      }),
    );
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'dsse-only', Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms' })),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const ok = await s3.send(
      new PutObjectCommand({ Bucket: 'dsse-only', Key: 'k', Body: 'x', ServerSideEncryption: 'aws:kms:dsse' }),
    );
    expect(ok.ServerSideEncryption).toBe('aws:kms:dsse');
  });

  it('boto3: put/get/range/head with aws:kms:dsse, a bucket default of aws:kms:dsse, GET with an SSE header refused', async () => {
    requirePythonClients();
    const result = await run(
      VENV_PYTHON,
      [join(REPO, 'test/gateway/python/boto3_dsse.py'), gw.url, 'boto-dsse', site.keyArn],
      pythonClientEnv(site),
      60_000,
    );
    if (result.code !== 0) throw new Error(`boto3_dsse.py failed (${String(result.code)}): ${result.stderr}`);
    const r = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(r['put']).toEqual({ sse: 'aws:kms:dsse', keyId: site.keyArn });
    expect(r['head']).toEqual({ sse: 'aws:kms:dsse', keyId: site.keyArn, length: 200_000 });
    expect(r['whole']).toBe(true);
    expect(r['range']).toEqual({ ok: true, contentRange: 'bytes 65530-131080/200000', sse: 'aws:kms:dsse' });
    expect(r['default']).toEqual({ sse: 'aws:kms:dsse', keyId: site.keyArn });
    expect(r['config']).toEqual({ SSEAlgorithm: 'aws:kms:dsse', KMSMasterKeyID: site.keyArn });
    expect(r['getWithSse']).toEqual({ code: 'InvalidArgument', status: 400 });
  }, 70_000);
});

describe('DSSE-KMS layers are real ESDK messages (client-node opens both)', () => {
  let moto = '';
  let site: GatewaySite;
  let gw: SpawnedGateway;
  let s3: S3Client;
  let keyArn: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'sealflow-dsse-data-'));
  const kmsClients: KMS[] = [];
  beforeAll(async () => {
    moto = requireMoto();
    const kms = new KMSClient({
      endpoint: moto,
      region: 'us-east-1',
      credentials: { ...MOTO_S3_CREDENTIALS },
    });
    keyArn = (await kms.send(new CreateKeyCommand({ Description: 'dsse layers' }))).KeyMetadata?.Arn as string;
    kms.destroy();
    site = await makeSite({
      backend: 'fs',
      storage: { type: 'fs', dir: dataDir },
      keyStore: { section: { type: 'aws-kms', region: 'us-east-1', endpoint: moto }, keyArn },
    });
    gw = await spawnGateway(site.configFile, MOTO_ENV);
    s3 = sdkClient(site, gw.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'layers' }));
  }, 60_000);
  afterAll(async () => {
    s3?.destroy();
    await gw?.stop();
    site?.remove();
    kmsClients.forEach((c) => c.destroy());
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the stored outer message decrypts (client-node, KMS keyring) to an ESDK message that decrypts to the object', async () => {
    const body = randomBytes(100_000);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'layers',
        Key: 'o',
        Body: body,
        ServerSideEncryption: 'aws:kms:dsse',
        SSEKMSKeyId: keyArn,
      }),
    );
    const store = await FsBlobStore.open(resolve(dataDir));
    const recordBytes = await store.read(BlobNames.object('layers', 'o'), 0, 1024 * 1024);
    const record = decodeObjectRecord(recordBytes as Uint8Array);
    expect(record.encryption.algorithm).toBe('aws:kms:dsse');
    const part = record.parts[0];
    if (part === undefined) throw new Error('no part');
    const outer = Buffer.concat([part.header, (await store.read(part.blob, 0, part.bodyLength)) as Uint8Array]);
    const clientProvider = ((region: string) => {
      const client = new KMS({
        region,
        endpoint: moto,
        credentials: { ...MOTO_S3_CREDENTIALS },
        maxAttempts: 1,
      });
      kmsClients.push(client);
      return client;
    }) as unknown as KmsNodeClientSupplier;
    const keyring = new KmsKeyringNode({ clientProvider, discovery: true });
    const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const first = await esdk.decrypt(keyring, outer);
    expect(first.messageHeader.encryptionContext['aws:s3:arn']).toBe('arn:aws:s3:::layers/o');
    expect(Buffer.from(first.plaintext).includes(body.subarray(0, 32))).toBe(false);
    const second = await esdk.decrypt(keyring, first.plaintext);
    expect(Buffer.from(second.messageHeader.messageId).equals(Buffer.from(first.messageHeader.messageId))).toBe(false);
    // The inner plaintext: the object, then the sealed trailer (docs/S3-OBJECTS.md).
    expect(Buffer.from(second.plaintext.subarray(0, body.length)).equals(body)).toBe(true);
    expect(second.plaintext.length).toBe(body.length + part.trailerLength);
  }, 60_000);
});
