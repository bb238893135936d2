import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authenticate } from '@sealflow/gateway';
import { createChecksum } from '@sealflow/s3';
import type { CapturedRequest } from '../support/capture-server.js';
import { ACCESS_KEY, credentials, pieces, REGION, replay, s3CodeOf } from '../support/replay.js';
import { signedChunkedRequest } from '../support/signed-chunked.js';

const anonymousChunked = (body: string, headers: Record<string, string> = {}): CapturedRequest => ({
  method: 'PUT',
  url: '/bucket/anon',
  headers: {
    host: 'localhost',
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'x-amz-decoded-content-length': '3',
    'x-amz-trailer': 'x-amz-checksum-sha256',
    ...headers,
  },
  body: Buffer.from(body),
});

const SHA_ABC = createHash('sha256').update('abc').digest('base64');

describe('payload modes and their refusals', () => {
  it('decodes an anonymous STREAMING-UNSIGNED-PAYLOAD-TRAILER body and checks its sha256 trailer', async () => {
    const { result, body, trailers } = await replay(
      anonymousChunked(`3\r\nabc\r\n0\r\nx-amz-checksum-sha256:${SHA_ABC}\r\n\r\n`),
    );
    expect(result.identity).toEqual({ anonymous: true });
    expect(body.toString()).toBe('abc');
    expect(trailers).toEqual({ 'x-amz-checksum-sha256': SHA_ABC });
    expect(await s3CodeOf(replay(anonymousChunked(`3\r\nabd\r\n0\r\nx-amz-checksum-sha256:${SHA_ABC}\r\n\r\n`)))).toBe(
      'BadDigest',
    );
    expect(await s3CodeOf(replay(anonymousChunked(`3\r\nabc\r\n0\r\n\r\n`)))).toBe('InvalidRequest');
    expect(await s3CodeOf(replay(anonymousChunked(`3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n`)))).toBe(
      'InvalidRequest',
    );
  });

  it('checks crc32c and crc64nvme trailers by default', async () => {
    for (const algorithm of ['crc32c', 'crc64nvme'] as const) {
      const checksum = createChecksum(algorithm);
      checksum.update(Buffer.from('abc'));
      const value = await checksum.digestBase64();
      const headers = { 'x-amz-trailer': `x-amz-checksum-${algorithm}` };
      const { trailers } = await replay(
        anonymousChunked(`3\r\nabc\r\n0\r\nx-amz-checksum-${algorithm}:${value}\r\n\r\n`, headers),
      );
      expect(trailers).toEqual({ [`x-amz-checksum-${algorithm}`]: value });
      const wrong = `3\r\nabd\r\n0\r\nx-amz-checksum-${algorithm}:${value}\r\n\r\n`;
      expect(await s3CodeOf(replay(anonymousChunked(wrong, headers))), algorithm).toBe('BadDigest');
    }
  });

  it('refuses a signed chunk mode on a request that carries no signature', async () => {
    const signedMode = anonymousChunked('', { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' });
    delete (signedMode.headers as Record<string, unknown>)['x-amz-trailer'];
    expect(await s3CodeOf(replay(signedMode))).toBe('AccessDenied');
  });

  it('refuses aws-chunked without x-amz-decoded-content-length, an unknown payload value, and SigV4a', async () => {
    const noLength = anonymousChunked('');
    delete (noLength.headers as Record<string, unknown>)['x-amz-decoded-content-length'];
    expect(await s3CodeOf(replay(noLength))).toBe('MissingContentLength');
    expect(await s3CodeOf(replay(anonymousChunked('', { 'x-amz-content-sha256': 'STREAMING-SOMETHING' })))).toBe(
      'InvalidArgument',
    );
    expect(
      await s3CodeOf(
        replay(anonymousChunked('', { 'x-amz-content-sha256': 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD' })),
      ),
    ).toBe('NotImplemented');
    const v4a = {
      method: 'GET',
      url: '/b/k',
      headers: { host: 'h', authorization: 'AWS4-ECDSA-P256-SHA256 Credential=x' },
      body: Buffer.alloc(0),
    };
    expect(await s3CodeOf(replay(v4a))).toBe('NotImplemented');
  });

  it('refuses SigV2 header and query signatures as unsupported, and malformed SigV4 headers', async () => {
    const base = { method: 'GET', url: '/b/k', body: Buffer.alloc(0) };
    expect(
      await s3CodeOf(replay({ ...base, headers: { host: 'h', authorization: `AWS ${ACCESS_KEY}:c2lnbmF0dXJl` } })),
    ).toBe('InvalidRequest');
    expect(
      await s3CodeOf(
        replay({ ...base, url: `/b/k?AWSAccessKeyId=${ACCESS_KEY}&Expires=1&Signature=x`, headers: { host: 'h' } }),
      ),
    ).toBe('InvalidRequest');
    const sig = 'f'.repeat(64);
    const amz = { host: 'h', 'x-amz-date': '20260101T000000Z', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const now = Date.UTC(2026, 0, 1);
    for (const authorization of [
      `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/${REGION}/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig.slice(1)}`,
      `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/${REGION}/s3, SignedHeaders=host, Signature=${sig}`,
      `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/${REGION}/s3/aws4_request, SignedHeaders=x-amz-date;host, Signature=${sig}`,
      `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/${REGION}/s3/aws4_request, SignedHeaders=x-amz-date, Signature=${sig}`,
      `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/${REGION}/sqs/aws4_request, SignedHeaders=host, Signature=${sig}`,
      `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260102/${REGION}/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`,
      `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/${REGION}/s3/aws4_request, SignedHeaders=host, SignedHeaders=host, Signature=${sig}`,
    ]) {
      expect(await s3CodeOf(replay({ ...base, headers: { ...amz, authorization } }, { now })), authorization).toBe(
        'AuthorizationHeaderMalformed',
      );
    }
    const authorization = `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/20260101/${REGION}/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${sig}`;
    expect(
      await s3CodeOf(
        replay({ ...base, headers: { host: 'h', 'x-amz-date': '20260101T000000Z', authorization } }, { now }),
      ),
    ).toBe('InvalidRequest');
    expect(
      await s3CodeOf(
        replay({ ...base, headers: { host: 'h', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', authorization } }, { now }),
      ),
    ).toBe('AccessDenied');
  });

  it('rejects the trailers promise when the body fails or is abandoned, and settles it after completion', async () => {
    const request = await signedChunkedRequest({
      data: Buffer.alloc(20_000, 3),
      chunkSize: 8192,
      signingDate: new Date(),
      trailers: { 'x-amz-checksum-crc32': 'AAAAAA==' },
    });
    const url = request.url;
    const run = (body: Buffer) =>
      authenticate(
        { method: 'PUT', path: url, query: '', headers: request.headers, secure: false },
        pieces(body, [4096]),
        credentials,
        { region: REGION },
      );
    const failing = await run(request.body);
    await expect(
      (async () => {
        for await (const p of failing.body) void p;
      })(),
    ).rejects.toMatchObject({ s3Code: 'BadDigest' });
    await expect(failing.trailers).rejects.toMatchObject({ s3Code: 'BadDigest' });
    const abandoned = await run(request.body);
    for await (const piece of abandoned.body) {
      void piece;
      break;
    }
    await expect(abandoned.trailers).rejects.toMatchObject({ s3Code: 'IncompleteBody' });
  });
});
