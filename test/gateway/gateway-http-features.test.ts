// Addressing, anonymous access, browser form uploads and /metrics, through real clients.
import { Agent } from 'node:https';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BACKENDS, startHarness, type Harness } from './support/gateway-harness.js';
import { errorCode, rawRequest } from './support/raw-request.js';

/** A multipart/form-data body as a browser sends it. */
async function encodeForm(
  fields: Readonly<Record<string, string>>,
  file: Uint8Array,
): Promise<{ contentType: string; body: Buffer }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([file], { type: 'text/plain' }), 'upload.txt');
  const response = new Response(form);
  return { contentType: response.headers.get('content-type') ?? '', body: Buffer.from(await response.arrayBuffer()) };
}

describe.each(BACKENDS)('gateway over %s: addressing, anonymous access, POST Object, metrics', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
    await h.client().send(new CreateBucketCommand({ Bucket: 'features' }));
  });
  afterAll(async () => h?.close());

  it('virtual-host-style requests (bucket.localhost) reach the same objects as path style', async () => {
    const port = new URL(h.gateway.url).port;
    const virtual = new S3Client({
      endpoint: `https://localhost:${port}`,
      region: 'us-east-1',
      forcePathStyle: false,
      credentials: { ...ALICE },
      maxAttempts: 1,
      // *.localhost resolves to loopback here whatever the system resolver says.
      requestHandler: {
        httpsAgent: new Agent({
          ca: h.ca as string,
          lookup: (_host, options, callback) =>
            options.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4),
        }),
      },
    });
    try {
      await virtual.send(new PutObjectCommand({ Bucket: 'features', Key: 'vhost/key', Body: 'virtual' }));
      const got = await h.client().send(new GetObjectCommand({ Bucket: 'features', Key: 'vhost/key' }));
      expect(await got.Body!.transformToString()).toBe('virtual');
      const back = await virtual.send(new GetObjectCommand({ Bucket: 'features', Key: 'vhost/key' }));
      expect(await back.Body!.transformToString()).toBe('virtual');
    } finally {
      virtual.destroy();
    }
  });

  it('anonymous requests: 403 AccessDenied until a bucket policy allows them', async () => {
    await h.client().send(new PutObjectCommand({ Bucket: 'features', Key: 'public/readme', Body: 'public text' }));
    const before = await rawRequest(h.gateway.url, h.ca as string, { path: '/features/public/readme' });
    expect([before.status, errorCode(before.body)]).toEqual([403, 'AccessDenied']);
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::features/public/*' },
      ],
    };
    await h.client().send(new PutBucketPolicyCommand({ Bucket: 'features', Policy: JSON.stringify(policy) }));
    const after = await rawRequest(h.gateway.url, h.ca as string, { path: '/features/public/readme' });
    expect([after.status, after.body]).toEqual([200, 'public text']);
    const outside = await rawRequest(h.gateway.url, h.ca as string, { path: '/features/vhost/key' });
    expect(outside.status).toBe(403);
  });

  it('POST Object: a presigned form with SSE fields stores the file encrypted', async () => {
    const s3 = h.client();
    const post = await createPresignedPost(s3, {
      Bucket: 'features',
      Key: 'forms/${filename}',
      Fields: { 'x-amz-server-side-encryption': 'aws:kms', success_action_status: '201' },
      Conditions: [
        ['starts-with', '$key', 'forms/'],
        ['content-length-range', 0, 1024],
        { 'x-amz-server-side-encryption': 'aws:kms' },
      ],
      Expires: 300,
    });
    const form = await encodeForm(post.fields, Buffer.from('form upload body'));
    const res = await rawRequest(h.gateway.url, h.ca as string, {
      method: 'POST',
      path: '/features',
      body: form.body,
      headers: { 'content-type': form.contentType, 'content-length': String(form.body.length) },
    });
    expect(res.status).toBe(201);
    expect(res.body).toContain('<Key>forms/upload.txt</Key>');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'features', Key: 'forms/upload.txt' }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    const got = await s3.send(new GetObjectCommand({ Bucket: 'features', Key: 'forms/upload.txt' }));
    expect(await got.Body!.transformToString()).toBe('form upload body');
  });

  it('/metrics counts requests by operation and status, SSE-KMS share, KMS calls made and avoided, bytes', async () => {
    const s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'metered' }));
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: 'metered',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }],
        },
      }),
    );
    for (let i = 0; i < 5; i++)
      await s3.send(new PutObjectCommand({ Bucket: 'metered', Key: `k${i}`, Body: 'x'.repeat(100) }));
    await s3.send(new GetObjectCommand({ Bucket: 'metered', Key: 'missing' })).catch(() => undefined);
    const res = await rawRequest(h.gateway.url, h.ca as string, { path: '/metrics' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const value = (pattern: RegExp): number => Number(pattern.exec(res.body)?.[1] ?? Number.NaN);
    expect(value(/sealflow_gateway_requests_total\{operation="PutObject",status="200"\} (\d+)/)).toBeGreaterThanOrEqual(
      5,
    );
    expect(value(/sealflow_gateway_requests_total\{operation="GetObject",status="404"\} (\d+)/)).toBeGreaterThanOrEqual(
      1,
    );
    expect(value(/sealflow_gateway_sse_kms_requests_total\{operation="PutObject"\} (\d+)/)).toBeGreaterThanOrEqual(5);
    const ratio = value(/^sealflow_gateway_sse_kms_request_ratio (\S+)$/m);
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(1);
    // Bucket keys: five SSE-KMS PUTs under one bucket key make one GenerateDataKey.
    expect(value(/sealflow_gateway_kms_calls_total\{operation="GenerateDataKey"\} (\d+)/)).toBeGreaterThanOrEqual(1);
    expect(value(/^sealflow_gateway_kms_calls_avoided_total (\d+)$/m)).toBeGreaterThanOrEqual(4);
    expect(value(/^sealflow_gateway_bytes_in_total (\d+)$/m)).toBeGreaterThanOrEqual(500);
    expect(value(/^sealflow_gateway_bytes_out_total (\d+)$/m)).toBeGreaterThan(0);
    const health = await rawRequest(h.gateway.url, h.ca as string, { path: '/health' });
    expect([health.status, health.body]).toEqual([200, '{"status":"ok"}']);
  });
});
