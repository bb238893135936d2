import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encodeForm, runPost } from '../support/post-form.js';
import { ACCESS_KEY, PRINCIPAL, REGION, SECRET, s3CodeOf } from '../support/replay.js';

const FILE = Buffer.from('hello from a browser form');

async function sdkPost(
  options: { secret?: string; region?: string; accessKeyId?: string; expires?: number } = {},
): Promise<Record<string, string>> {
  const client = new S3Client({
    region: options.region ?? REGION,
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId ?? ACCESS_KEY, secretAccessKey: options.secret ?? SECRET },
  });
  const { fields } = await createPresignedPost(client, {
    Bucket: 'bucket',
    Key: 'uploads/${filename}',
    Conditions: [
      ['content-length-range', 1, 100],
      ['starts-with', '$Content-Type', 'text/'],
      ['starts-with', '$x-amz-meta-tag', ''],
    ],
    Fields: {
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'alias/app',
      'Content-Type': 'text/plain',
    },
    Expires: options.expires ?? 600,
  });
  return { ...fields, 'x-amz-meta-tag': 'blue' };
}

const withFile = (fields: Record<string, string>, bytes: Buffer = FILE) =>
  encodeForm(fields, { name: 'note.txt', bytes, type: 'text/plain' });

function v2Form(policy: object, secret = SECRET, extra: Record<string, string> = {}): Record<string, string> {
  const base64 = Buffer.from(JSON.stringify(policy)).toString('base64');
  return {
    key: 'legacy/${filename}',
    AWSAccessKeyId: ACCESS_KEY,
    policy: base64,
    signature: createHmac('sha1', secret).update(base64).digest('base64'),
    ...extra,
  };
}

describe('POST Object policies signed by @aws-sdk/s3-presigned-post (SigV4)', () => {
  it('accepts the form, names the signer, substitutes ${filename} and streams the file', async () => {
    const { auth, data } = await runPost(await withFile(await sdkPost()), { sizes: [1, 3, 50] });
    expect(auth.identity).toMatchObject({
      anonymous: false,
      principal: PRINCIPAL,
      via: 'post-policy',
      signatureVersion: 'v4',
    });
    expect(auth.key).toBe('uploads/note.txt');
    expect(auth.contentType).toBe('text/plain');
    expect(auth.fields.get('x-amz-server-side-encryption')).toBe('aws:kms');
    expect(data.equals(FILE)).toBe(true);
  });

  it('refuses a changed policy, a changed signature, the wrong secret, an unknown key and another region', async () => {
    const fields = await sdkPost();
    const policy = JSON.parse(Buffer.from(fields.Policy as string, 'base64').toString()) as { conditions: unknown[] };
    policy.conditions.push(['starts-with', '$key', '']);
    const changed = { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') };
    expect(await s3CodeOf(runPost(await withFile(changed)))).toBe('SignatureDoesNotMatch');
    const signature = fields['X-Amz-Signature'] as string;
    const flipped = { ...fields, 'X-Amz-Signature': `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}` };
    expect(await s3CodeOf(runPost(await withFile(flipped)))).toBe('SignatureDoesNotMatch');
    expect(await s3CodeOf(runPost(await withFile(await sdkPost({ secret: 'wrong' }))))).toBe('SignatureDoesNotMatch');
    expect(await s3CodeOf(runPost(await withFile(await sdkPost({ accessKeyId: 'AKIDNOBODY' }))))).toBe(
      'InvalidAccessKeyId',
    );
    expect(await s3CodeOf(runPost(await withFile(await sdkPost({ region: 'eu-central-1' }))))).toBe(
      'AuthorizationQueryParametersError',
    );
  });

  it('refuses a field the policy pins (SSE), an unnamed extra field, another bucket, and an expired policy', async () => {
    const fields = await sdkPost();
    expect(await s3CodeOf(runPost(await withFile({ ...fields, 'x-amz-server-side-encryption': 'AES256' })))).toBe(
      'AccessDenied',
    );
    expect(await s3CodeOf(runPost(await withFile({ ...fields, 'Content-Type': 'image/png' })))).toBe('AccessDenied');
    expect(await s3CodeOf(runPost(await withFile({ ...fields, 'x-amz-meta-extra': 'x' })))).toBe('AccessDenied');
    await expect(runPost(await withFile({ ...fields, 'x-ignore-me': 'x' }))).resolves.toBeDefined();
    expect(await s3CodeOf(runPost(await withFile(fields), { bucket: 'other-bucket' }))).toBe('AccessDenied');
    expect(await s3CodeOf(runPost(await withFile(fields), { now: Date.now() + 601_000 }))).toBe('AccessDenied');
  });

  it('enforces content-length-range on the streamed file: too large as soon as it passes, too small at the end', async () => {
    const fields = await sdkPost();
    expect(await s3CodeOf(runPost(await withFile(fields, Buffer.alloc(101, 1))))).toBe('EntityTooLarge');
    await expect(runPost(await withFile(fields, Buffer.alloc(100, 1)))).resolves.toBeDefined();
    expect(await s3CodeOf(runPost(await withFile(fields, Buffer.alloc(0))))).toBe('EntityTooSmall');
  });

  it('refuses a truncated form body in place of completion', async () => {
    const form = await withFile(await sdkPost());
    const truncated = { ...form, body: form.body.subarray(0, form.body.length - 10) };
    expect(await s3CodeOf(runPost(truncated))).toBe('MalformedPOSTRequest');
  });
});

describe('POST Object streaming', () => {
  it('authenticates as soon as the file part starts and streams an 8 MiB file without reading ahead', async () => {
    const { authenticatePostObject } = await import('@sealflow/gateway');
    const { credentials } = await import('../support/replay.js');
    const fields = v2Form({
      expiration: '2099-01-01T00:00:00Z',
      conditions: [{ bucket: 'bucket' }, ['starts-with', '$key', 'legacy/']],
    });
    const marker = Buffer.from('@@FILE@@');
    const form = await withFile(fields, marker);
    const at = form.body.indexOf(marker);
    const head = form.body.subarray(0, at);
    const tail = form.body.subarray(at + marker.length);
    const piece = Buffer.alloc(64 * 1024, 0x5a);
    let produced = 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      yield head;
      for (let i = 0; i < 128; i += 1) {
        produced += 1;
        yield piece;
      }
      yield tail;
    }
    const auth = await authenticatePostObject(
      { bucket: 'bucket', headers: { 'content-type': form.contentType }, secure: true },
      body(),
      credentials,
      { region: REGION },
    );
    expect(auth.identity.anonymous).toBe(false);
    // Back-pressure: only a few pieces were pulled before anyone read the file.
    expect(produced).toBeLessThan(16);
    let size = 0;
    for await (const part of auth.body) size += part.length;
    expect(size).toBe(128 * piece.length);
    expect(produced).toBe(128);
  });
});

describe('POST Object legacy SigV2 policies', () => {
  const policy = (expiration: string) => ({
    expiration,
    conditions: [{ bucket: 'bucket' }, ['starts-with', '$key', 'legacy/'], ['content-length-range', 0, 1024]],
  });

  it('accepts base64 HMAC-SHA1 of the policy with AWSAccessKeyId, as SigV2', async () => {
    const { auth, data } = await runPost(await withFile(v2Form(policy('2099-01-01T00:00:00.000Z'))));
    expect(auth.identity).toMatchObject({
      anonymous: false,
      accessKeyId: ACCESS_KEY,
      signatureVersion: 'v2',
      via: 'post-policy',
    });
    expect(auth.key).toBe('legacy/note.txt');
    expect(data.equals(FILE)).toBe(true);
  });

  it('refuses the wrong secret, a changed key prefix, and an expired policy', async () => {
    expect(await s3CodeOf(runPost(await withFile(v2Form(policy('2099-01-01T00:00:00Z'), 'wrong'))))).toBe(
      'SignatureDoesNotMatch',
    );
    expect(
      await s3CodeOf(runPost(await withFile({ ...v2Form(policy('2099-01-01T00:00:00Z')), key: 'elsewhere/x' }))),
    ).toBe('AccessDenied');
    expect(await s3CodeOf(runPost(await withFile(v2Form(policy('2001-01-01T00:00:00Z')))))).toBe('AccessDenied');
  });
});

describe('POST Object forms without a policy, and hostile forms', () => {
  it('returns a form with no policy and no signature as anonymous', async () => {
    const { auth } = await runPost(await withFile({ key: 'public/${filename}', acl: 'public-read' }));
    expect(auth.identity).toEqual({ anonymous: true });
    expect(auth.fields.get('acl')).toBe('public-read');
  });

  it('refuses a signature without a policy, no key, no file, a repeated field and a non-form body', async () => {
    expect(await s3CodeOf(runPost(await withFile({ key: 'k', AWSAccessKeyId: ACCESS_KEY, signature: 'x' })))).toBe(
      'InvalidArgument',
    );
    expect(await s3CodeOf(runPost(await withFile({ acl: 'private' })))).toBe('InvalidArgument');
    expect(await s3CodeOf(runPost(await encodeForm({ key: 'k' }, undefined)))).toBe('InvalidArgument');
    const repeated = await withFile({ key: 'k', KEY: 'k2' });
    expect(await s3CodeOf(runPost(repeated))).toBe('InvalidArgument');
    expect(await s3CodeOf(runPost({ contentType: 'application/json', body: Buffer.from('{}') }))).toBe(
      'MalformedPOSTRequest',
    );
  });

  it('refuses a field over 20 KiB and too many fields before reading the file', async () => {
    expect(await s3CodeOf(runPost(await withFile({ key: 'k', 'x-amz-meta-big': 'x'.repeat(21 * 1024) })))).toBe(
      'MaxMessageLengthExceeded',
    );
    const many: Record<string, string> = { key: 'k' };
    for (let i = 0; i < 80; i += 1) many[`x-amz-meta-f${i}`] = 'v';
    expect(await s3CodeOf(runPost(await withFile(many)))).toBe('MaxMessageLengthExceeded');
  });
});
