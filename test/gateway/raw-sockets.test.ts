// Hostile bytes over raw TCP (node:net) against `sealflow gateway` run as its own process
// (plain HTTP on 127.0.0.1): bad and missing signatures, clock skew, expired or overlong
// presigned URLs, broken aws-chunked and chunked bodies, bodies cut short, request lines
// node cannot parse, smuggling-shaped headers, unknown methods and dot segments. Each gets
// an S3 error with the right code and status (or the connection closed for bytes that are
// not HTTP at all); the process stays up, serves valid requests after, and no stored
// object is lost or altered. (gateway-bad-input.test.ts covers XML, size caps, bucket
// names and key encodings through the in-process gateway.)
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  CreateBucketCommand,
} from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE } from './support/gateway-harness.js';
import { makeSite, spawnGateway, type GatewaySite, type SpawnedGateway } from './support/spawned-gateway.js';

interface Answer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
  readonly code: string | undefined;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes `bytes` on a fresh TCP connection and reads until the server closes it (every
 * request says `connection: close`). `end` half-closes after writing: node's HTTP server
 * then abandons the request, as for a client that left.
 */
function exchange(port: number, bytes: string | Buffer, { end = false }: { end?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('no answer in 15 s')), 15_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the answer arrived is the server closing a connection it gave up on.
      if (error.code !== 'ECONNRESET' || chunks.length === 0) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const body = split < 0 ? '' : text.slice(split + 4);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
        head,
        body,
        code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1],
      });
    });
    socket.write(bytes);
    if (end) socket.end();
  });
}

interface RawRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly signingDate?: Date;
}

/** The bytes of one HTTP/1.1 request, SigV4-signed (header auth) with smithy's signer. */
async function signedBytes(port: number, request: RawRequest): Promise<Buffer> {
  const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(request.body);
  const headers: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    ...request.headers,
  };
  if (!('transfer-encoding' in headers)) headers['content-length'] = String(body.length);
  const signer = new SignatureV4({
    credentials: request.credentials ?? ALICE,
    region: 'us-east-1',
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: request.path,
      query: request.query ?? {},
      headers,
    },
    request.signingDate === undefined ? {} : { signingDate: request.signingDate },
  );
  return httpBytes(
    request.method,
    request.path + queryString(request.query),
    signed.headers as Record<string, string>,
    body,
  );
}

function queryString(query: Record<string, string> | undefined): string {
  if (query === undefined || Object.keys(query).length === 0) return '';
  return `?${Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&')}`;
}

function httpBytes(
  method: string,
  target: string,
  headers: Record<string, string>,
  body: Buffer = Buffer.alloc(0),
): Buffer {
  const lines = [
    `${method} ${target} HTTP/1.1`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    'connection: close',
    '',
    '',
  ];
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]);
}

describe('raw-socket bad input against a running sealflow gateway (fs storage)', () => {
  let site: GatewaySite;
  let gw: SpawnedGateway;
  let sdk: S3Client;
  const stored = new Map<string, Buffer>([
    ['keep/one', randomBytes(100_000)],
    ['keep/two', randomBytes(10)],
  ]);
  const send = (bytes: string | Buffer, options?: { end?: boolean }): Promise<Answer> =>
    exchange(gw.port, bytes, options);
  const signed = async (request: RawRequest): Promise<Answer> => send(await signedBytes(gw.port, request));

  beforeAll(async () => {
    site = await makeSite({ backend: 'fs', tls: false });
    gw = await spawnGateway(site.configFile);
    sdk = new S3Client({
      endpoint: gw.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { ...ALICE },
      maxAttempts: 1,
    });
    await sdk.send(new CreateBucketCommand({ Bucket: 'raw' }));
    for (const [key, body] of stored) await sdk.send(new PutObjectCommand({ Bucket: 'raw', Key: key, Body: body }));
  });
  afterAll(async () => {
    sdk?.destroy();
    await gw?.stop();
    site?.remove();
  });

  it('a valid signed request over a raw socket works (the baseline the others bend)', async () => {
    const answer = await signed({ method: 'GET', path: '/raw/keep/two' });
    expect(answer.status).toBe(200);
    expect(answer.head).toMatch(/\r\nx-amz-server-side-encryption: AES256/i);
  });

  it('bad signatures: a flipped signature 403 SignatureDoesNotMatch, an unknown key 403 InvalidAccessKeyId, garbage 400 AuthorizationHeaderMalformed', async () => {
    const good = (await signedBytes(gw.port, { method: 'GET', path: '/raw/keep/two' })).toString('latin1');
    const flipped = good.replace(
      /Signature=([0-9a-f]{63})([0-9a-f])/,
      (_, rest: string, last: string) => `Signature=${rest}${last === '0' ? '1' : '0'}`,
    );
    expect(flipped).not.toBe(good);
    expect(await send(flipped)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(
      await signed({
        method: 'GET',
        path: '/raw/keep/two',
        credentials: { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x'.repeat(40) },
      }),
    ).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
    const garbage = good.replace(/authorization: [^\r]*/i, 'authorization: AWS4-HMAC-SHA256 nonsense');
    expect(await send(garbage)).toMatchObject({ status: 400, code: 'AuthorizationHeaderMalformed' });
    // A signed header changed after signing.
    const tampered = good.replace(
      /x-amz-content-sha256: UNSIGNED-PAYLOAD/i,
      'x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(await send(tampered)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
  });

  it('clock skew beyond 15 minutes either way: 403 RequestTimeTooSkewed; no date at all: 403 AccessDenied', async () => {
    const minutes = (m: number): Date => new Date(Date.now() + m * 60_000);
    expect(await signed({ method: 'GET', path: '/raw/keep/two', signingDate: minutes(-20) })).toMatchObject({
      status: 403,
      code: 'RequestTimeTooSkewed',
    });
    expect(await signed({ method: 'GET', path: '/raw/keep/two', signingDate: minutes(20) })).toMatchObject({
      status: 403,
      code: 'RequestTimeTooSkewed',
    });
    // Within the window: accepted.
    expect((await signed({ method: 'GET', path: '/raw/keep/two', signingDate: minutes(-10) })).status).toBe(200);
    const noDate = (await signedBytes(gw.port, { method: 'GET', path: '/raw/keep/two' }))
      .toString('latin1')
      .replace(/x-amz-date: [^\r]*\r\n/i, '');
    expect(await send(noDate)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('presigned URLs: expired 403 AccessDenied, X-Amz-Expires over a week 400 AuthorizationQueryParametersError', async () => {
    const signer = new SignatureV4({
      credentials: ALICE,
      region: 'us-east-1',
      service: 's3',
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
    const base = {
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: gw.port,
      path: '/raw/keep/two',
      query: {},
      headers: { host: `127.0.0.1:${gw.port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    };
    const target = (q: Record<string, unknown>): string => `/raw/keep/two${queryString(q as Record<string, string>)}`;
    const expired = await signer.presign(base, { expiresIn: 60, signingDate: new Date(Date.now() - 3_600_000) });
    const expiredAnswer = await send(httpBytes('GET', target(expired.query ?? {}), { host: `127.0.0.1:${gw.port}` }));
    expect(expiredAnswer).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(expiredAnswer.body).toContain('Request has expired');
    const fresh = await signer.presign(base, { expiresIn: 300 });
    expect((await send(httpBytes('GET', target(fresh.query ?? {}), { host: `127.0.0.1:${gw.port}` }))).status).toBe(
      200,
    );
    const overlong = { ...(fresh.query ?? {}), 'X-Amz-Expires': '604801' };
    expect(await send(httpBytes('GET', target(overlong), { host: `127.0.0.1:${gw.port}` }))).toMatchObject({
      status: 400,
      code: 'AuthorizationQueryParametersError',
    });
  });

  it('overwrites that fail leave the stored object as it was: anonymous, bad signature, bad chunk signature, a body cut short', async () => {
    const path = '/raw/keep/one';
    expect(
      await send(httpBytes('PUT', path, { host: `127.0.0.1:${gw.port}`, 'content-length': '5' }, Buffer.from('evil!'))),
    ).toMatchObject({ status: 403, code: 'AccessDenied' });
    const badSig = (await signedBytes(gw.port, { method: 'PUT', path, body: 'evil!' }))
      .toString('latin1')
      .replace(/Signature=[0-9a-f]{64}/, `Signature=${'a'.repeat(64)}`);
    expect(await send(badSig)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    // Signed aws-chunked with a seed signature that verifies and chunk signatures that do not.
    const zero = '0'.repeat(64);
    const chunked = Buffer.from(`5;chunk-signature=${zero}\r\nevil!\r\n0;chunk-signature=${zero}\r\n\r\n`);
    const streaming = await signed({
      method: 'PUT',
      path,
      headers: {
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '5',
      },
      body: chunked,
    });
    expect(streaming).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    // Content-Length promises 1000 bytes, 10 arrive, then the client half-closes.
    const short = await signedBytes(gw.port, { method: 'PUT', path, headers: { 'content-length': '1000' } });
    const cut = await send(Buffer.concat([short, Buffer.from('0123456789')]), { end: true });
    expect(cut.status === 0 || cut.status === 400).toBe(true);
    const got = await sdk.send(new GetObjectCommand({ Bucket: 'raw', Key: 'keep/one' }));
    expect(sha256(await got.Body!.transformToByteArray())).toBe(sha256(stored.get('keep/one') as Buffer));
  });

  it('broken framing: an absurd aws-chunked size, bad chunked hex, both Content-Length and Transfer-Encoding, a request line that is not HTTP', async () => {
    const huge = await signed({
      method: 'PUT',
      path: '/raw/huge-chunk',
      headers: {
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '5',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
      body: 'ffffffffffffffff\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n',
    });
    expect(huge.status).toBe(400);
    expect(huge.code).toMatch(/^(InvalidRequest|InvalidArgument|IncompleteBody|InvalidChunkSizeError)$/);
    const badHex = await signed({
      method: 'PUT',
      path: '/raw/bad-hex',
      headers: { 'transfer-encoding': 'chunked' },
      body: 'zz\r\nhello\r\n0\r\n\r\n',
    });
    expect(badHex.status).toBe(400);
    const smuggle = await signed({
      method: 'PUT',
      path: '/raw/smuggle',
      headers: { 'transfer-encoding': 'chunked', 'content-length': '5' },
      body: '5\r\nhello\r\n0\r\n\r\nGET /raw/keep/two HTTP/1.1\r\nhost: x\r\n\r\n',
    });
    expect(smuggle.status).toBe(400);
    expect(smuggle.head.match(/^HTTP\/1\.1 /gm)).toHaveLength(1);
    const notHttp = await send('HELLO THERE\r\n\r\n');
    expect(notHttp.status).toBe(400);
    expect(notHttp.code).toBe('InvalidRequest');
    const nul = await send(`GET /raw/keep\u0000two HTTP/1.1\r\nhost: x\r\n\r\n`);
    expect(nul.status).toBe(400);
    for (const key of ['huge-chunk', 'bad-hex', 'smuggle']) {
      expect((await signed({ method: 'HEAD', path: `/raw/${key}` })).status, key).toBe(404);
    }
  });

  it('unknown methods and operations, and dot segments, are S3 errors that touch nothing', async () => {
    const brew = await signed({ method: 'PROPFIND', path: '/raw/keep/two' });
    expect(brew.status).toBe(405);
    expect(brew.code).toBe('MethodNotAllowed');
    expect(await signed({ method: 'GET', path: '/raw', query: { torrent: '' } })).toMatchObject({
      status: 501,
      code: 'NotImplemented',
    });
    const escape = await signed({ method: 'GET', path: '/raw/../../../../etc/passwd' });
    expect(escape.status).toBeGreaterThanOrEqual(400);
    expect(escape.body).not.toContain('root:');
    const deleteUp = await signed({ method: 'DELETE', path: '/raw/keep/..' });
    expect([204, 400, 404]).toContain(deleteUp.status);
  });

  it('pipelined requests on one connection are answered in order; clients that leave mid-GET do no harm', async () => {
    const keepAlive = async (path: string): Promise<string> =>
      (await signedBytes(gw.port, { method: 'GET', path })).toString('latin1').replace('connection: close\r\n', '');
    const pipelined =
      (await keepAlive('/raw/keep/two')) +
      (await keepAlive('/raw/missing')) +
      (await signedBytes(gw.port, { method: 'GET', path: '/raw/keep/two' })).toString('latin1');
    const answer = await send(Buffer.from(pipelined, 'latin1'));
    // Answers follow each other without a line break (an XML body has no final newline).
    const statuses = [...`${answer.head}\r\n\r\n${answer.body}`.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) =>
      Number(m[1]),
    );
    expect(statuses).toEqual([200, 404, 200]);
    // Ten readers of the 100 kB object that hang up after the first bytes.
    const request = await signedBytes(gw.port, { method: 'GET', path: '/raw/keep/one' });
    await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise<void>((resolve, reject) => {
            const socket = connect({ host: '127.0.0.1', port: gw.port }, () => socket.write(request));
            socket.once('data', () => {
              socket.destroy();
              resolve();
            });
            socket.once('error', reject);
          }),
      ),
    );
    expect((await signed({ method: 'GET', path: '/raw/keep/two' })).status).toBe(200);
  });

  it('after all that the process is up, healthy, and every stored object is listed and intact', async () => {
    expect(gw.alive()).toBe(true);
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    const listed = await sdk.send(new ListObjectsV2Command({ Bucket: 'raw' }));
    expect(listed.Contents?.map((c) => [c.Key, c.Size])).toEqual([...stored].map(([k, v]) => [k, v.length]));
    for (const [key, body] of stored) {
      const got = await sdk.send(new GetObjectCommand({ Bucket: 'raw', Key: key }));
      expect(sha256(await got.Body!.transformToByteArray()), key).toBe(sha256(body));
    }
  });
});
