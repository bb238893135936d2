import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureServer, type CapturedRequest } from '../support/capture-server.js';
import { ACCESS_KEY, PRINCIPAL, REGION, SECRET, replay, s3CodeOf } from '../support/replay.js';

let capture: CaptureServer;

function client(options: { secret?: string; accessKeyId?: string; region?: string } = {}): S3Client {
  return new S3Client({
    endpoint: capture.endpoint,
    region: options.region ?? REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: options.accessKeyId ?? ACCESS_KEY, secretAccessKey: options.secret ?? SECRET },
  });
}

async function captured(send: (c: S3Client) => Promise<unknown>, c: S3Client = client()): Promise<CapturedRequest> {
  await send(c);
  return capture.last();
}

const putHello = (c: S3Client): Promise<unknown> =>
  c.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'greeting.txt', Body: 'hello world' }));
const putStream = (c: S3Client): Promise<unknown> =>
  c.send(
    new PutObjectCommand({
      Bucket: 'bucket',
      Key: 'big',
      Body: Readable.from([Buffer.alloc(70_000, 7), Buffer.from('tail')]),
      ContentLength: 70_004,
    }),
  );

beforeAll(async () => {
  capture = await CaptureServer.start();
});
afterAll(async () => {
  await capture.close();
});

describe('SigV4 header auth with @aws-sdk/client-s3', () => {
  it('accepts a PutObject whose x-amz-content-sha256 is the body hash, and names the principal', async () => {
    const request = await captured(putHello);
    expect(request.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const { result, body } = await replay(request, { sizes: [1, 3] });
    expect(result.identity).toEqual({
      anonymous: false,
      accessKeyId: ACCESS_KEY,
      principal: PRINCIPAL,
      accountId: '111122223333',
      displayName: 'alice',
      via: 'header',
      signatureVersion: 'v4',
    });
    expect(result.payload).toBe('sha256');
    expect(body.toString()).toBe('hello world');
  });

  it('accepts GetObject, HeadObject, ListObjectsV2 with prefix and delimiter, and DeleteObjects', async () => {
    const sends = [
      (c: S3Client) =>
        c.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'dir/a file+plus!(1)*~.txt', Range: 'bytes=0-1' })),
      (c: S3Client) => c.send(new HeadObjectCommand({ Bucket: 'bucket', Key: 'ünïcödé/κλειδί' })),
      (c: S3Client) =>
        c
          .send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: 'a/b c', Delimiter: '/', StartAfter: 'a=b&c' }))
          .catch(() => undefined),
      (c: S3Client) =>
        c
          .send(new DeleteObjectsCommand({ Bucket: 'bucket', Delete: { Objects: [{ Key: 'x' }, { Key: 'y' }] } }))
          .catch(() => undefined),
    ];
    for (const send of sends) {
      const request = await captured(send);
      const { result } = await replay(request);
      expect(result.identity.anonymous, request.url).toBe(false);
    }
  });

  it('accepts an explicit UNSIGNED-PAYLOAD signed by the SDK and passes the body through', async () => {
    const c = client();
    c.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
        return next(args);
      },
      { step: 'build', name: 'unsignedPayload' },
    );
    const request = await captured(putHello, c);
    expect(request.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    const { result, body } = await replay(request);
    expect(result.payload).toBe('unsigned');
    expect(body.toString()).toBe('hello world');
  });

  it("decodes the SDK's STREAMING-UNSIGNED-PAYLOAD-TRAILER body and verifies its crc32 trailer", async () => {
    const request = await captured(putStream);
    expect(request.headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    for (const sizes of [[1], [2, 5, 13], [65_536], [request.body.length]]) {
      const { result, body, trailers } = await replay(request, { sizes });
      expect(result.payload).toBe('streaming-unsigned-trailer');
      expect(result.contentLength).toBe(70_004);
      expect(body).toEqual(Buffer.concat([Buffer.alloc(70_000, 7), Buffer.from('tail')]));
      expect(Object.keys(trailers)).toEqual(['x-amz-checksum-crc32']);
    }
  });

  it('refuses a body whose bytes differ from the signed hash, in place of completion', async () => {
    const request = await captured(putHello);
    const tampered = Buffer.from(request.body);
    tampered.writeUInt8(tampered.readUInt8(3) ^ 1, 3);
    expect(await s3CodeOf(replay(request, { body: tampered }))).toBe('XAmzContentSHA256Mismatch');
    // The bytes were yielded, but completion never came: a consumer committing on completion commits nothing.
    const { authenticate } = await import('@sealflow/gateway');
    const url = request.url.split('?');
    const result = await authenticate(
      { method: 'PUT', path: url[0] as string, query: url[1] ?? '', headers: request.headers, secure: false },
      (async function* () {
        yield tampered;
      })(),
      (id) =>
        id === ACCESS_KEY ? { secret: SECRET, principal: PRINCIPAL, accountId: '1', displayName: 'a' } : undefined,
      { region: REGION },
    );
    let committed = false;
    await expect(
      (async () => {
        for await (const piece of result.body) void piece;
        committed = true;
      })(),
    ).rejects.toMatchObject({ s3Code: 'XAmzContentSHA256Mismatch', status: 400 });
    expect(committed).toBe(false);
  });

  it('refuses a crc32 trailer that does not match the decoded body (BadDigest)', async () => {
    const request = await captured(putStream);
    const text = request.body.toString('latin1');
    const bad = Buffer.from(
      text.replace(/x-amz-checksum-crc32:[A-Za-z0-9+/=]+/, 'x-amz-checksum-crc32:AAAAAA=='),
      'latin1',
    );
    expect(await s3CodeOf(replay(request, { body: bad }))).toBe('BadDigest');
  });

  it('refuses a truncated aws-chunked body and a chunk data byte flipped against the checksum', async () => {
    const request = await captured(putStream);
    for (const cut of [1, 10, 40_000, request.body.length - 3]) {
      expect(await s3CodeOf(replay(request, { body: request.body.subarray(0, cut) })), `cut at ${cut}`).toBe(
        'IncompleteBody',
      );
    }
    const flipped = Buffer.from(request.body);
    flipped.writeUInt8(flipped.readUInt8(50_000) ^ 0x40, 50_000);
    expect(await s3CodeOf(replay(request, { body: flipped }))).toBe('BadDigest');
  });

  it('refuses a hostile chunk header: a huge size, and an endless header line', async () => {
    const request = await captured(putStream);
    const huge = Buffer.concat([Buffer.from('ffffffffffff\r\n'), request.body]);
    expect(await s3CodeOf(replay(request, { body: huge }))).toBe('InvalidRequest');
    const endless = Buffer.alloc(1 << 20, 0x31); // 1 MiB of "1" without a line end
    expect(await s3CodeOf(replay(request, { body: endless, sizes: [4096] }))).toBe('InvalidRequest');
  });

  it('refuses the wrong secret (SignatureDoesNotMatch) and an unknown key (InvalidAccessKeyId)', async () => {
    expect(await s3CodeOf(replay(await captured(putHello, client({ secret: 'not-the-secret' }))))).toBe(
      'SignatureDoesNotMatch',
    );
    expect(await s3CodeOf(replay(await captured(putHello, client({ accessKeyId: 'AKIDUNKNOWN' }))))).toBe(
      'InvalidAccessKeyId',
    );
  });

  it('refuses a signing time more than 15 minutes from the clock, either way', async () => {
    const request = await captured(putHello);
    const signedAt = Date.parse(
      String(request.headers['x-amz-date']).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    for (const offset of [-14 * 60_000, 14 * 60_000]) {
      await expect(replay(request, { now: signedAt + offset })).resolves.toBeDefined();
    }
    for (const offset of [-15 * 60_000 - 1000, 15 * 60_000 + 1000]) {
      expect(await s3CodeOf(replay(request, { now: signedAt + offset }))).toBe('RequestTimeTooSkewed');
    }
  });

  it('refuses a credential scope for another region', async () => {
    expect(await s3CodeOf(replay(await captured(putHello, client({ region: 'eu-west-1' }))))).toBe(
      'AuthorizationHeaderMalformed',
    );
  });

  it('refuses any change to what was signed: method, path, query, a signed header', async () => {
    const request = await captured(putHello);
    const cases = [
      { method: 'POST' },
      { url: request.url.replace('greeting.txt', 'greeting.txT') },
      { url: `${request.url}&acl=` },
      { url: request.url.replace('greeting.txt', 'greeting%2Etxt').replace('/bucket/', '/bucket//') },
      { headers: { ...request.headers, host: 'evil.example:80' } },
      { headers: { ...request.headers, 'x-amz-checksum-crc32': 'AAAAAA==' } },
    ];
    for (const change of cases) {
      expect(await s3CodeOf(replay(request, change)), JSON.stringify(change).slice(0, 80)).toBe(
        'SignatureDoesNotMatch',
      );
    }
  });

  it('refuses an x-amz-* header that the signature does not cover', async () => {
    const request = await captured(putHello);
    const headers = { ...request.headers, 'x-amz-server-side-encryption': 'aws:kms' };
    expect(await s3CodeOf(replay(request, { headers }))).toBe('AccessDenied');
  });

  it('returns requests without any signature as anonymous, body passed through', async () => {
    const { result, body } = await replay({
      method: 'PUT',
      url: '/bucket/anon',
      headers: { host: 'localhost', 'content-length': '3' },
      body: Buffer.from('abc'),
    });
    expect(result.identity).toEqual({ anonymous: true });
    expect(body.toString()).toBe('abc');
  });
});
