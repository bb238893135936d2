// Hostile and malformed requests over real sockets: each answers an S3 error document
// (never a crash), stores nothing, and the gateway keeps serving.
import { existsSync, readdirSync } from 'node:fs';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BACKENDS, startHarness, type Harness } from './support/gateway-harness.js';
import { errorCode, rawRequest, signedHeaders, type RawOptions } from './support/raw-request.js';

describe.each(BACKENDS)('gateway over %s: bad input answers S3 errors', (backend) => {
  let h: Harness;
  const send = (options: RawOptions) => rawRequest(h.gateway.url, h.ca as string, options);
  const signed = (options: RawOptions) => send({ ...options, credentials: ALICE });

  beforeAll(async () => {
    h = await startHarness(backend);
    const s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'victim' }));
    await s3.send(new PutObjectCommand({ Bucket: 'victim', Key: 'keep', Body: 'still here' }));
  });
  afterAll(async () => h?.close());

  async function stillServing(): Promise<void> {
    const got = await h.client().send(new GetObjectCommand({ Bucket: 'victim', Key: 'keep' }));
    expect(await got.Body!.transformToString()).toBe('still here');
  }

  it('an error is an S3 <Error> document with Code, Message, Resource, RequestId and the ID headers', async () => {
    const res = await send({ path: '/victim/keep' });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>AccessDenied<\/Code><Message>[^<]+<\/Message>/,
    );
    expect(res.body).toContain('<Resource>/victim/keep</Resource>');
    const requestId = /<RequestId>([0-9A-F]{16})<\/RequestId>/.exec(res.body)?.[1];
    expect(res.headers['x-amz-request-id']).toBe(requestId);
    expect(res.headers['x-amz-id-2']).toMatch(/^[A-Za-z0-9+/=]{20,}$/);
    expect(res.body).toContain(`<HostId>${String(res.headers['x-amz-id-2'])}</HostId>`);
  });

  it('invalid bucket names and encoded slashes in a bucket: 400 InvalidBucketName', async () => {
    for (const path of ['/Bad_Bucket/k', '/ab/k', '/buck%2Fet/k', '/192.168.1.1/k', '/a..b/k', '/-bucket']) {
      const res = await signed({ path });
      expect([path, res.status, errorCode(res.body)]).toEqual([path, 400, 'InvalidBucketName']);
    }
  });

  it('dot segments are part of the key and never reach another bucket or the disk outside', async () => {
    const s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'other' }));
    await s3.send(new PutObjectCommand({ Bucket: 'other', Key: 'secret', Body: 'other bucket' }));
    const escape = await signed({ path: '/victim/../other/secret' });
    expect([escape.status, errorCode(escape.body)]).toEqual([404, 'NoSuchKey']);
    const put = await signed({
      method: 'PUT',
      path: '/victim/../../escaped',
      body: 'dots',
      headers: { 'content-length': '4' },
    });
    expect(put.status).toBe(200);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'victim', Prefix: '../' }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['../../escaped']);
    if (backend === 'fs') {
      // Nothing was written beside the data directory.
      expect(readdirSync(h.dir).sort()).toEqual(['data', 'sse-s3.key', 'tls.crt', 'tls.key']);
    }
  });

  it('an encoded slash in a key is a slash of the key; bad percent-encoding is 400 InvalidURI', async () => {
    const put = await signed({ method: 'PUT', path: '/victim/a%2Fb', body: 'enc', headers: { 'content-length': '3' } });
    expect(put.status).toBe(200);
    const got = await h.client().send(new GetObjectCommand({ Bucket: 'victim', Key: 'a/b' }));
    expect(await got.Body!.transformToString()).toBe('enc');
    for (const path of ['/victim/%ZZ', '/victim/%C3%28', '/victim/a%00b']) {
      const res = await send({ path });
      expect([path, res.status, errorCode(res.body)]).toEqual([path, 400, 'InvalidURI']);
    }
  });

  it('a key over 1,024 bytes: 400 KeyTooLongError', async () => {
    const res = await signed({
      method: 'PUT',
      path: `/victim/${'k'.repeat(1025)}`,
      body: 'x',
      headers: { 'content-length': '1' },
    });
    expect([res.status, errorCode(res.body)]).toEqual([400, 'KeyTooLongError']);
  });

  it('unknown operations: 501 NotImplemented for subresources, 405 MethodNotAllowed for methods', async () => {
    const tagging = await signed({
      method: 'PUT',
      path: '/victim/keep?tagging',
      body: '<Tagging/>',
      headers: { 'content-length': '10' },
    });
    expect([tagging.status, errorCode(tagging.body)]).toEqual([501, 'NotImplemented']);
    const patch = await signed({ method: 'PATCH', path: '/victim/keep' });
    expect([patch.status, errorCode(patch.body)]).toEqual([405, 'MethodNotAllowed']);
    const postRoot = await signed({ method: 'DELETE', path: '/' });
    expect([postRoot.status, errorCode(postRoot.body)]).toEqual([405, 'MethodNotAllowed']);
    await stillServing();
  });

  it('malformed XML bodies: 400 MalformedXML; oversized ones: 400 MaxMessageLengthExceeded', async () => {
    const bad = [
      '<ServerSideEncryptionConfiguration><Rule>',
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><ServerSideEncryptionConfiguration>&a;</ServerSideEncryptionConfiguration>',
      '\u00ff\u00fe garbage',
    ];
    for (const body of bad) {
      const res = await signed({
        method: 'PUT',
        path: '/victim?encryption',
        body,
        headers: { 'content-length': String(Buffer.byteLength(body)) },
      });
      expect([res.status, errorCode(res.body)]).toEqual([400, 'MalformedXML']);
    }
    for (const body of ['<Delete><Object><Key>k</Key>', '<NotDelete/>', '<Delete></Delete>']) {
      const res = await signed({
        method: 'POST',
        path: '/victim?delete',
        body,
        headers: { 'content-length': String(Buffer.byteLength(body)) },
      });
      expect([body, res.status, errorCode(res.body)]).toEqual([body, 400, 'MalformedXML']);
    }
    const huge = Buffer.alloc(3 * 1024 * 1024, 0x20);
    const res = await signed({
      method: 'POST',
      path: '/victim?delete',
      body: huge,
      headers: { 'content-length': String(huge.length) },
    });
    expect([res.status, errorCode(res.body)]).toEqual([400, 'MaxMessageLengthExceeded']);
    await stillServing();
  });

  it('a header section over the cap: 400 RequestHeaderSectionTooLarge as an S3 document', async () => {
    const res = await send({ path: '/victim/keep', headers: { 'x-amz-meta-big': 'x'.repeat(20 * 1024) } });
    expect([res.status, errorCode(res.body)]).toEqual([400, 'RequestHeaderSectionTooLarge']);
    expect(res.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    await stillServing();
  });

  it('a PUT declaring more than 5 GiB is refused before its body; one without a length gets 411', async () => {
    const big = await signed({
      method: 'PUT',
      path: '/victim/huge',
      headers: { 'content-length': String(6 * 1024 ** 3) },
    }).catch(() => undefined);
    // The gateway answers at once and closes; the client may see the answer or a reset.
    if (big !== undefined) expect([big.status, errorCode(big.body)]).toEqual([400, 'EntityTooLarge']);
    const chunkedNoLength = await signed({
      method: 'PUT',
      path: '/victim/nolength',
      headers: { 'transfer-encoding': 'identity' },
    }).catch(() => undefined);
    if (chunkedNoLength !== undefined) expect(chunkedNoLength.status).toBeGreaterThanOrEqual(400);
    const listed = await h.client().send(new ListObjectsV2Command({ Bucket: 'victim', Prefix: 'huge' }));
    expect(listed.KeyCount).toBe(0);
    await stillServing();
  });

  it('a client that disconnects mid-PUT leaves nothing stored, not even a temp file', async () => {
    const url = new URL(h.gateway.url);
    const total = 8 * 1024 * 1024;
    const headers = await signedHeaders(h.gateway.url, {
      method: 'PUT',
      path: '/victim/cut',
      headers: { 'content-length': String(total) },
      credentials: ALICE,
    });
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port), ca: h.ca as string }, () => {
        const head = [
          `PUT /victim/cut HTTP/1.1`,
          ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
          '',
          '',
        ].join('\r\n');
        socket.write(head);
        socket.write(Buffer.alloc(1024 * 1024, 7), () => {
          // Half-way through: the client goes away.
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
      });
      socket.on('error', reject);
    });
    const temp = join(h.dir, 'data', '.tmp');
    const leftovers = (): string[] => (backend === 'fs' && existsSync(temp) ? readdirSync(temp) : []);
    // The abandoned upload is cleaned up as soon as the gateway sees the socket close.
    for (let i = 0; i < 50 && leftovers().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(leftovers()).toEqual([]);
    const listed = await h.client().send(new ListObjectsV2Command({ Bucket: 'victim', Prefix: 'cut' }));
    expect(listed.KeyCount).toBe(0);
    await stillServing();
  });
});
