import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureServer, type CapturedRequest } from '../support/capture-server.js';
import { ACCESS_KEY, PRINCIPAL, REGION, SECRET, replay, s3CodeOf } from '../support/replay.js';

let capture: CaptureServer;
const SIGNED_AT = Date.UTC(2026, 5, 1, 12, 0, 0);

function client(region = REGION, secret = SECRET): S3Client {
  return new S3Client({
    endpoint: capture.endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: secret },
  });
}

/** A presigned URL from @aws-sdk/s3-request-presigner, fetched through the capture server. */
async function presigned(
  command: GetObjectCommand | PutObjectCommand,
  options: { expiresIn?: number; region?: string; secret?: string; body?: string } = {},
): Promise<CapturedRequest> {
  const url = await getSignedUrl(client(options.region, options.secret), command, {
    expiresIn: options.expiresIn ?? 900,
    signingDate: new Date(SIGNED_AT),
  });
  const init: RequestInit =
    command instanceof PutObjectCommand ? { method: 'PUT', body: options.body ?? '' } : { method: 'GET' };
  const response = await fetch(url, init);
  await response.arrayBuffer();
  return capture.last();
}

beforeAll(async () => {
  capture = await CaptureServer.start();
});
afterAll(async () => {
  await capture.close();
});

describe('presigned URLs from @aws-sdk/s3-request-presigner', () => {
  it('accepts a presigned GET within its lifetime, as the signing principal', async () => {
    const request = await presigned(new GetObjectCommand({ Bucket: 'bucket', Key: 'photos/a b+c.jpg' }));
    expect(request.url).toContain('X-Amz-Signature=');
    const { result } = await replay(request, { now: SIGNED_AT + 60_000 });
    expect(result.identity).toMatchObject({ anonymous: false, principal: PRINCIPAL, via: 'query' });
    expect(result.payload).toBe('unsigned');
  });

  it('accepts a presigned PUT with SSE headers it signed, and passes the body through', async () => {
    const command = new PutObjectCommand({
      Bucket: 'bucket',
      Key: 'k',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: 'alias/app',
    });
    const url = await getSignedUrl(client(), command, { signingDate: new Date(SIGNED_AT) });
    const response = await fetch(url, {
      method: 'PUT',
      body: 'payload',
      headers: {
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': 'alias/app',
      },
    });
    await response.arrayBuffer();
    const { result, body } = await replay(capture.last(), { now: SIGNED_AT });
    expect(result.identity.anonymous).toBe(false);
    expect(body.toString()).toBe('payload');
  });

  it('refuses an expired URL with AccessDenied, and one signed too far in the future', async () => {
    const request = await presigned(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }), { expiresIn: 60 });
    await expect(replay(request, { now: SIGNED_AT + 60_000 })).resolves.toBeDefined();
    expect(await s3CodeOf(replay(request, { now: SIGNED_AT + 61_000 }))).toBe('AccessDenied');
    expect(await s3CodeOf(replay(request, { now: SIGNED_AT - 16 * 60_000 }))).toBe('AccessDenied');
  });

  it('accepts the 7-day maximum and refuses X-Amz-Expires outside 1..604800', async () => {
    const request = await presigned(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }), { expiresIn: 604_800 });
    await expect(replay(request, { now: SIGNED_AT + 604_800_000 })).resolves.toBeDefined();
    expect(await s3CodeOf(replay(request, { now: SIGNED_AT + 604_801_000 }))).toBe('AccessDenied');
    for (const expires of ['604801', '0', '-1', 'abc']) {
      const url = request.url.replace('X-Amz-Expires=604800', `X-Amz-Expires=${expires}`);
      expect(await s3CodeOf(replay(request, { url, now: SIGNED_AT })), expires).toBe(
        'AuthorizationQueryParametersError',
      );
    }
  });

  it('refuses a tampered URL, the wrong secret and another region', async () => {
    const request = await presigned(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }), { expiresIn: 3600 });
    for (const url of [
      request.url.replace('/bucket/k', '/bucket/l'),
      `${request.url}&versionId=1`,
      request.url.replace('X-Amz-Expires=3600', 'X-Amz-Expires=3601'),
    ]) {
      expect(await s3CodeOf(replay(request, { url, now: SIGNED_AT })), url).toBe('SignatureDoesNotMatch');
    }
    expect(await s3CodeOf(replay(request, { method: 'DELETE', now: SIGNED_AT }))).toBe('SignatureDoesNotMatch');
    const wrong = await presigned(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }), { secret: 'other' });
    expect(await s3CodeOf(replay(wrong, { now: SIGNED_AT }))).toBe('SignatureDoesNotMatch');
    const elsewhere = await presigned(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }), { region: 'ap-south-1' });
    expect(await s3CodeOf(replay(elsewhere, { now: SIGNED_AT }))).toBe('AuthorizationQueryParametersError');
  });

  it('refuses a request that carries both a presigned query and an Authorization header', async () => {
    const request = await presigned(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }));
    const headers = {
      ...request.headers,
      authorization: `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260601/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
    };
    expect(await s3CodeOf(replay(request, { headers, now: SIGNED_AT }))).toBe('InvalidArgument');
  });
});
