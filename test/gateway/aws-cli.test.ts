// The AWS CLI (awscli v1, installed by scripts/install-s3-clients.sh) against
// `sealflow gateway` run as its own process, on both storage backends: `aws s3 cp` with
// SSE-KMS up and down (multipart: the CLI switches at 8 MiB), `s3api head-object`,
// bucket default encryption, and a bucket policy requiring a key.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, PutBucketPolicyCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/gateway-harness.js';
import {
  makeSite,
  requirePythonClients,
  pythonClientEnv,
  run,
  sdkClient,
  spawnGateway,
  VENV_AWS,
  type GatewaySite,
  type RunResult,
  type SpawnedGateway,
} from './support/spawned-gateway.js';

const MiB = 1024 * 1024;

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe.each(BACKENDS)('the AWS CLI against sealflow gateway over %s', (backend) => {
  let site: GatewaySite;
  let gw: SpawnedGateway;
  // Set-up steps the suite does not test go through the SDK: each CLI run costs a Python start.
  let sdk: S3Client;
  const aws = (...args: string[]): Promise<RunResult> =>
    run(VENV_AWS, [...args, '--endpoint-url', gw.url], pythonClientEnv(site));
  const awsJson = async (...args: string[]): Promise<Record<string, unknown>> => {
    const result = await aws(...args, '--output', 'json');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return result.stdout.trim() === '' ? {} : (JSON.parse(result.stdout) as Record<string, unknown>);
  };

  beforeAll(async () => {
    requirePythonClients();
    site = await makeSite({ backend });
    gw = await spawnGateway(site.configFile);
    sdk = sdkClient(site, gw.url);
    await awsJson('s3api', 'create-bucket', '--bucket', 'cli');
    await sdk.send(new CreateBucketCommand({ Bucket: 'cli-default' }));
    await sdk.send(new CreateBucketCommand({ Bucket: 'cli-policy' }));
  });
  afterAll(async () => {
    sdk?.destroy();
    await gw?.stop();
    site?.remove();
  });

  it('aws s3 cp --sse aws:kms --sse-kms-key-id: a 9 MiB multipart upload and download, byte-identical; head-object names the key ARN', async () => {
    const body = randomBytes(9 * MiB + 4321);
    const src = join(site.dir, 'up.bin');
    const back = join(site.dir, 'down.bin');
    writeFileSync(src, body);
    const up = await aws(
      's3',
      'cp',
      src,
      's3://cli/big/up.bin',
      '--sse',
      'aws:kms',
      '--sse-kms-key-id',
      site.keyArn,
      '--only-show-errors',
    );
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const head = await awsJson('s3api', 'head-object', '--bucket', 'cli', '--key', 'big/up.bin');
    expect(head).toMatchObject({
      ContentLength: body.length,
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: site.keyArn,
    });
    // The CLI uploaded it in parts: a multipart ETag.
    expect(head['ETag']).toMatch(/-2"$/);
    const down = await aws('s3', 'cp', 's3://cli/big/up.bin', back, '--only-show-errors');
    expect(down.code).toBe(0);
    expect(sha256(readFileSync(back))).toBe(sha256(body));
    // A key named by alias is stored (and reported) as the key's full ARN.
    expect(
      await awsJson(
        's3api',
        'put-object',
        '--bucket',
        'cli',
        '--key',
        'small.txt',
        '--server-side-encryption',
        'aws:kms',
        '--ssekms-key-id',
        'alias/clients',
      ),
    ).toMatchObject({ SSEKMSKeyId: site.keyArn });
  });

  it('put-bucket-encryption / get-bucket-encryption round-trip; cp then follows the default with a bucket key', async () => {
    const config = {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: site.keyArn },
          BucketKeyEnabled: true,
        },
      ],
    };
    await awsJson(
      's3api',
      'put-bucket-encryption',
      '--bucket',
      'cli-default',
      '--server-side-encryption-configuration',
      JSON.stringify(config),
    );
    const got = await awsJson('s3api', 'get-bucket-encryption', '--bucket', 'cli-default');
    expect(got).toEqual({ ServerSideEncryptionConfiguration: config });
    writeFileSync(join(site.dir, 'plain.txt'), 'follows the bucket default');
    expect(
      (await aws('s3', 'cp', join(site.dir, 'plain.txt'), 's3://cli-default/d.txt', '--only-show-errors')).code,
    ).toBe(0);
    const head = await awsJson('s3api', 'head-object', '--bucket', 'cli-default', '--key', 'd.txt');
    expect(head).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: site.keyArn, BucketKeyEnabled: true });
    // Deleting the default leaves S3's own: SSE-S3 (every bucket encrypts since 2023).
    await awsJson('s3api', 'delete-bucket-encryption', '--bucket', 'cli-default');
    const reset = await awsJson('s3api', 'get-bucket-encryption', '--bucket', 'cli-default');
    expect(reset).toMatchObject({
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
  });

  it('a bucket policy requiring the customer key refuses a PUT under the AWS-managed key (AccessDenied) and allows the named key', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'RequireCustomerKey',
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutObject',
          Resource: 'arn:aws:s3:::cli-policy/*',
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': site.keyArn } },
        },
      ],
    };
    await sdk.send(new PutBucketPolicyCommand({ Bucket: 'cli-policy', Policy: JSON.stringify(policy) }));
    const refused = await aws(
      's3api',
      'put-object',
      '--bucket',
      'cli-policy',
      '--key',
      'denied',
      '--server-side-encryption',
      'aws:kms',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/\(AccessDenied\) when calling the PutObject operation/);
    const allowed = await awsJson(
      's3api',
      'put-object',
      '--bucket',
      'cli-policy',
      '--key',
      'allowed',
      '--server-side-encryption',
      'aws:kms',
      '--ssekms-key-id',
      site.keyArn,
    );
    expect(allowed).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: site.keyArn });
    const listed = await sdk.send(new ListObjectsV2Command({ Bucket: 'cli-policy' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['allowed']);
  });
});
