import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authenticate, type ChecksumFactory } from '@sealflow/gateway';
import type { CapturedRequest } from '../support/capture-server.js';
import { pieces, replay, s3CodeOf } from '../support/replay.js';
import { signedChunkedRequest } from '../support/signed-chunked.js';

// The worked examples of the Amazon S3 API reference: "Signature Calculations for the
// Authorization Header: Transferring Payload in Multiple Chunks" and "... trailing headers".
const DOC_KEY = 'AKIAIOSFODNN7EXAMPLE';
const DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const DOC_TIME = Date.UTC(2013, 4, 24, 0, 0, 0);
const DOC_DATA = Buffer.alloc(66_560, 'a');

function docRequest(trailer: boolean): CapturedRequest {
  const signedHeaders = trailer
    ? 'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer'
    : 'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class';
  const seed = trailer
    ? '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e'
    : '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
  const chunkSignatures = trailer
    ? [
        'b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2',
        '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7',
        '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992',
      ]
    : [
        'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
        '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
        'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
      ];
  const body = Buffer.concat([
    Buffer.from(`10000;chunk-signature=${chunkSignatures[0]}\r\n`),
    DOC_DATA.subarray(0, 65_536),
    Buffer.from(`\r\n400;chunk-signature=${chunkSignatures[1]}\r\n`),
    DOC_DATA.subarray(65_536),
    Buffer.from(`\r\n0;chunk-signature=${chunkSignatures[2]}\r\n`),
    Buffer.from(
      trailer
        ? 'x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n'
        : '',
    ),
    Buffer.from('\r\n'),
  ]);
  return {
    method: 'PUT',
    url: '/examplebucket/chunkObject.txt',
    headers: {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      authorization: `AWS4-HMAC-SHA256 Credential=${DOC_KEY}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${seed}`,
      'x-amz-content-sha256': trailer
        ? 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER'
        : 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': String(body.length),
      ...(trailer ? { 'x-amz-trailer': 'x-amz-checksum-crc32c' } : {}),
    },
    body,
  };
}

async function runDoc(
  request: CapturedRequest,
  body: Buffer = request.body,
  checksums?: ChecksumFactory,
): Promise<{ data: Buffer; trailers: Readonly<Record<string, string>> }> {
  const result = await authenticate(
    { method: request.method, path: request.url, query: '', headers: request.headers, secure: true },
    pieces(body, [1000, 17, 65_536]),
    (id) =>
      id === DOC_KEY
        ? {
            secret: DOC_SECRET,
            principal: 'arn:aws:iam::123456789012:user/doc',
            accountId: '123456789012',
            displayName: 'doc',
          }
        : undefined,
    { region: 'us-east-1', now: () => DOC_TIME, ...(checksums === undefined ? {} : { checksums }) },
  );
  const parts: Buffer[] = [];
  for await (const part of result.body) parts.push(Buffer.from(part));
  return { data: Buffer.concat(parts), trailers: await result.trailers };
}

/** Replaces the first occurrence of `from` in `body` by `to` (same length). */
function swap(body: Buffer, from: string, to: string): Buffer {
  const at = body.indexOf(from);
  expect(at).toBeGreaterThanOrEqual(0);
  return Buffer.concat([body.subarray(0, at), Buffer.from(to), body.subarray(at + from.length)]);
}

describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD: the AWS documented example', () => {
  it('verifies the seed and each chunk signature of the chain and decodes 66,560 bytes', async () => {
    const { data, trailers } = await runDoc(docRequest(false));
    expect(data.equals(DOC_DATA)).toBe(true);
    expect(trailers).toEqual({});
    expect(docRequest(false).body.length).toBe(66_824); // the documented Content-Length
  });

  it('refuses each tampered part: a data byte, a chunk signature, a chunk size, the chunk order, the final chunk', async () => {
    const request = docRequest(false);
    const flipped = Buffer.from(request.body);
    flipped.writeUInt8(0x62, 66_000);
    expect(await s3CodeOf(runDoc(request, flipped))).toBe('SignatureDoesNotMatch');
    expect(await s3CodeOf(runDoc(request, swap(request.body, 'ad80c730', 'ad80c731')))).toBe('SignatureDoesNotMatch');
    expect(await s3CodeOf(runDoc(request, swap(request.body, 'b6c6ea8a', 'b6c6ea8b')))).toBe('SignatureDoesNotMatch');
    // A shorter first chunk moves bytes between chunks: the chain breaks.
    expect(await s3CodeOf(runDoc(request, swap(request.body, '10000;', '0ffff;')))).toBe('InvalidRequest');
    const lastChunk = request.body.indexOf('0;chunk-signature=b6c6');
    expect(await s3CodeOf(runDoc(request, request.body.subarray(0, lastChunk)))).toBe('IncompleteBody');
    const wrongSeed = {
      ...request,
      headers: {
        ...request.headers,
        authorization: String(request.headers.authorization).replace('4f232c43', '4f232c44'),
      },
    };
    expect(await s3CodeOf(runDoc(wrongSeed))).toBe('SignatureDoesNotMatch');
  });
});

describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the AWS documented example', () => {
  it('verifies the chain, the trailer signature and the documented crc32c of the data', async () => {
    const { data, trailers } = await runDoc(docRequest(true));
    expect(data.equals(DOC_DATA)).toBe(true);
    expect(trailers).toEqual({ 'x-amz-checksum-crc32c': 'sOO8/Q==' });
  });

  it('refuses a changed trailer value, a changed trailer signature, and a missing trailer signature', async () => {
    const request = docRequest(true);
    expect(await s3CodeOf(runDoc(request, swap(request.body, 'sOO8/Q==', 'sOO8/Q=A')))).toBe('SignatureDoesNotMatch');
    expect(await s3CodeOf(runDoc(request, swap(request.body, 'd81f82fc', 'd81f82fd')))).toBe('SignatureDoesNotMatch');
    const unsignedTrailer = Buffer.from(
      request.body.toString('latin1').replace(/x-amz-trailer-signature:[0-9a-f]{64}\r\n/, ''),
      'latin1',
    );
    expect(await s3CodeOf(runDoc(request, unsignedTrailer))).toBe('SignatureDoesNotMatch');
  });

  it('uses a checksum factory it is given instead of the default (BadDigest on a mismatch)', async () => {
    const wrong: ChecksumFactory = (algorithm) =>
      algorithm === 'crc32c' ? { update: () => undefined, digest: () => 'AAAAAA==' } : undefined;
    expect(await s3CodeOf(runDoc(docRequest(true), undefined, wrong))).toBe('BadDigest');
  });
});

describe('signed aws-chunked bodies built with @smithy/signature-v4', () => {
  const signingDate = new Date();

  it('decodes bodies of many sizes around chunk boundaries, with and without a sha256 trailer', async () => {
    const chunk = 8192;
    for (const size of [0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk + 5]) {
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i += 1) data[i] = (i * 31) % 251;
      const sha256 = createHash('sha256').update(data).digest('base64');
      for (const trailers of [undefined, { 'x-amz-checksum-sha256': sha256 }]) {
        const request = await signedChunkedRequest({
          data,
          chunkSize: chunk,
          signingDate,
          ...(trailers === undefined ? {} : { trailers }),
        });
        const { result, body, trailers: got } = await replay(request, { sizes: [3, 700, 8200] });
        expect(result.payload).toBe(trailers === undefined ? 'streaming-signed' : 'streaming-signed-trailer');
        expect(body.equals(data), `size ${size}`).toBe(true);
        expect(got).toEqual(trailers ?? {});
      }
    }
  });

  it('refuses the wrong secret at the seed, and a wrong sha256 trailer with BadDigest', async () => {
    const data = Buffer.from('signed chunks');
    expect(
      await s3CodeOf(replay(await signedChunkedRequest({ data, chunkSize: 4, signingDate, secret: 'wrong' }))),
    ).toBe('SignatureDoesNotMatch');
    const bad = await signedChunkedRequest({
      data,
      chunkSize: 4,
      signingDate,
      trailers: { 'x-amz-checksum-sha256': createHash('sha256').update('other').digest('base64') },
    });
    expect(await s3CodeOf(replay(bad))).toBe('BadDigest');
  });

  it('refuses a decoded length that disagrees with the chunks, bytes after the end, and a missing x-amz-decoded-content-length', async () => {
    const request = await signedChunkedRequest({ data: Buffer.from('0123456789'), chunkSize: 4, signingDate });
    expect(await s3CodeOf(replay(request, { body: Buffer.concat([request.body, Buffer.from('x')]) }))).toBe(
      'InvalidRequest',
    );
    const headers = { ...request.headers };
    delete headers['x-amz-decoded-content-length'];
    expect(await s3CodeOf(replay(request, { headers }))).toBe('SignatureDoesNotMatch');
  });
});
