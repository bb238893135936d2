// boto3 (installed by scripts/install-s3-clients.sh) against `sealflow gateway` run as its
// own process, on both storage backends. test/gateway/python/boto3_client.py does the
// calls and reports what it saw as JSON; the assertions are here.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from './support/gateway-harness.js';
import { REPO } from './support/spawned-gateway.js';
import { pythonReport } from './support/python-report.js';

const MiB = 1024 * 1024;
const SCRIPT = join(REPO, 'test/gateway/python/boto3_client.py');

interface Report {
  put: {
    sse: string;
    keyId: string;
    context: Record<string, string> | null;
    checksum: string;
    expectedChecksum: string;
    headChecksum: string;
    headLength: number;
    roundTrip: boolean;
    sentWith: Record<string, string>;
  };
  badChecksum: { error: { code: string; status: number } | null; stored: { code: string; status: number } | null };
  multipart: {
    checksum: Record<string, string>;
    partHeaders: Record<string, string>[];
    expectedComposite: string;
    etag: string;
    length: number;
    sse: string;
    keyId: string;
    whole: boolean;
    ranges: Record<string, { ok: boolean; contentRange: string; length: number }>;
  };
  rekey: { before: string; copySse: string; after: string; afterKey: string; body: string };
  list: Record<string, number>;
  presigned: { status: number; ok: boolean; sse: string; error: string | null };
  presignedTampered: { status: number; body: string } | null;
  presignedV2: { status: number; body: string };
  post: Record<
    'v2' | 'v4',
    { signedWith: string; status: number; error?: string; sse: string; keyId: string; body: string }
  >;
  getWithSse: { code: string; status: number } | null;
}

describe.each(BACKENDS)('boto3 against sealflow gateway over %s', (backend) => {
  const py = pythonReport<Report>(backend, SCRIPT, (site, url) => [url, 'boto', site.keyArn, site.caFile]);

  it('put_object with SSE-KMS, an encryption context and a CRC32 checksum sent in an aws-chunked trailer', () => {
    const { put } = py.report;
    expect(put.sentWith).toMatchObject({ 'content-encoding': 'aws-chunked', 'x-amz-trailer': 'x-amz-checksum-crc32' });
    expect(put).toMatchObject({ sse: 'aws:kms', keyId: py.site.keyArn, roundTrip: true, headLength: 300 * 1024 + 7 });
    // The stored context is the request's pairs plus the object's ARN.
    expect(put.context).toEqual({
      project: 'sealflow',
      tier: 'gold',
      'aws:s3:arn': 'arn:aws:s3:::boto/ctx/object.bin',
    });
    expect(put.checksum).toBe(put.expectedChecksum);
    expect(put.headChecksum).toBe(put.expectedChecksum);
  });

  it('a wrong checksum is refused (400 BadDigest) and nothing is stored', () => {
    expect(py.report.badChecksum.error).toEqual({ code: 'BadDigest', status: 400 });
    expect(py.report.badChecksum.stored).toMatchObject({ status: 404 });
  });

  it('upload_fileobj goes multipart with SSE-KMS and CRC32 part trailers; the composite checksum and ranges across part boundaries are right', () => {
    const { multipart } = py.report;
    expect(multipart.partHeaders[0]).toMatchObject({
      'content-encoding': 'aws-chunked',
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });
    expect(multipart.checksum).toEqual({ ChecksumCRC32: multipart.expectedComposite, ChecksumType: 'COMPOSITE' });
    expect(multipart).toMatchObject({
      etag: expect.stringMatching(/-3"$/),
      length: 11 * MiB + 333,
      sse: 'aws:kms',
      keyId: py.site.keyArn,
      whole: true,
    });
    const size = 11 * MiB + 333;
    expect(multipart.ranges[`${5 * MiB - 10}-${5 * MiB + 9}`]).toEqual({
      ok: true,
      contentRange: `bytes ${5 * MiB - 10}-${5 * MiB + 9}/${size}`,
      length: 20,
    });
    expect(multipart.ranges[`0-${10 * MiB + 5}`]).toMatchObject({ ok: true, length: 10 * MiB + 6 });
    expect(multipart.ranges[`${10 * MiB - 1}-${size - 1}`]).toMatchObject({ ok: true, length: size - 10 * MiB + 1 });
  });

  it('copy_object onto itself with a new key re-keys it; the bytes are unchanged', () => {
    expect(py.report.rekey).toEqual({
      before: 'AES256',
      copySse: 'aws:kms',
      after: 'aws:kms',
      afterKey: py.site.keyArn,
      body: 're-key me',
    });
  });

  it('list_objects_v2 reports plaintext sizes', () => {
    expect(py.report.list).toEqual({
      'ctx/object.bin': 300 * 1024 + 7,
      'mp/big.bin': 11 * MiB + 333,
      'rekey/me': 9,
    });
  });

  it('a presigned GET URL works from urllib; the same signature on another key is refused 403', () => {
    expect(py.report.presigned).toEqual({ status: 200, ok: true, sse: 'aws:kms', error: null });
    expect(py.report.presignedTampered?.status).toBe(403);
    expect(py.report.presignedTampered?.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    // botocore's default SigV2 query presigning is refused the way AWS refuses it for new buckets.
    expect(py.report.presignedV2.status).toBe(400);
    expect(py.report.presignedV2.body).toContain('Please use AWS4-HMAC-SHA256');
  });

  it('generate_presigned_post + a multipart form uploads with the SSE-KMS fields (legacy and SigV4 policy signatures)', () => {
    const stored = { status: 204, sse: 'aws:kms', keyId: py.site.keyArn, body: 'posted through a browser form' };
    expect(py.report.post.v2).toEqual({ signedWith: 'signature', ...stored });
    expect(py.report.post.v4).toEqual({ signedWith: 'x-amz-signature', ...stored });
  });

  it('a GET carrying x-amz-server-side-encryption is refused 400 InvalidArgument', () => {
    expect(py.report.getWithSse).toEqual({ code: 'InvalidArgument', status: 400 });
  });
});
