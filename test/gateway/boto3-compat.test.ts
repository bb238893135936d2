// boto3 (installed by scripts/install-s3-clients.sh) against `sealflow gateway` run as its
// own process, on both storage backends, through what S3 conformance suites (ceph
// s3-tests) check: conditional requests, response overrides, listing encodings,
// ListObjectVersions (the suites' teardown) and ACL reads. The calls are in
// test/gateway/python/boto3_compat.py; the assertions are here.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from './support/gateway-harness.js';
import { REPO } from './support/spawned-gateway.js';
import { pythonReport } from './support/python-report.js';

const SCRIPT = join(REPO, 'test/gateway/python/boto3_compat.py');

type Failure = { code: string; status: number } | null;

interface Report {
  reads: Record<string, string | Failure>;
  copies: Record<string, string | Failure>;
  writes: Record<'first' | 'second' | 'ifMatchAbsent', Failure>;
  overrides: { type: string; disposition: string; cache: string };
  listing: {
    v1Keys: string[];
    v1Prefixes: string[];
    v2Prefixes: string[];
    decoded: string[];
    maxKeysZero: { IsTruncated: boolean; Contents?: unknown };
    startAfter: string[];
  };
  versions: { key: string; id: string; latest: boolean }[];
  versioning: Record<string, unknown>;
  acl: {
    grants: { type: string; permission: string; isOwner: boolean }[];
    publicRead: Failure;
    putBucketAclPrivate: Failure;
  };
  teardown: { deleted: number; listed: number; errors: unknown[]; deleteBucket: Failure };
}

describe.each(BACKENDS)('boto3 conformance details against sealflow gateway over %s', (backend) => {
  const py = pythonReport<Report>(backend, SCRIPT, (_site, url) => [url, 'compat']);

  it('conditional GET/HEAD: 412 PreconditionFailed, 304 Not Modified (no body), as s3-tests expect', () => {
    const failed = { code: 'PreconditionFailed', status: 412 };
    const notModified = { code: '304', status: 304 };
    expect(py.report.reads).toEqual({
      ifMatchGood: 'bar',
      ifMatchFailed: failed,
      ifNoneMatchGood: notModified,
      ifNoneMatchFailed: 'bar',
      ifModifiedSinceGood: 'bar',
      ifModifiedSinceFailed: notModified,
      ifUnmodifiedSinceGood: failed,
      ifUnmodifiedSinceFailed: 'bar',
      headIfNoneMatch: notModified,
      headIfMatch: { code: '412', status: 412 },
    });
  });

  it('copy_object with CopySourceIf*: a failed condition is 412 and the copy happens otherwise', () => {
    const failed = { code: 'PreconditionFailed', status: 412 };
    expect(py.report.copies).toEqual({
      ifMatchGood: null,
      ifMatchFailed: failed,
      ifNoneMatchGood: null,
      ifNoneMatchFailed: failed,
      ifModifiedSinceFailed: failed,
      body: 'bar',
    });
  });

  it('put_object IfNoneMatch="*": the second write is 412 (fs); the s3 backend refuses conditional writes with 501', () => {
    if (backend === 'fs')
      expect(py.report.writes).toEqual({
        first: null,
        second: { code: 'PreconditionFailed', status: 412 },
        ifMatchAbsent: { code: 'NoSuchKey', status: 404 },
      });
    else
      expect(py.report.writes).toEqual({
        first: { code: 'NotImplemented', status: 501 },
        second: { code: 'NotImplemented', status: 501 },
        ifMatchAbsent: { code: 'NotImplemented', status: 501 },
      });
  });

  it('get_object Response* parameters override the response headers', () => {
    expect(py.report.overrides).toEqual({ type: 'text/x-override', disposition: 'attachment', cache: 'no-store' });
  });

  it('listings: EncodingType=url as s3-tests expect; botocore-decoded keys round-trip + and space; MaxKeys=0; StartAfter', () => {
    expect(py.report.listing).toEqual({
      v1Keys: ['enc/asdf%2Bb'],
      v1Prefixes: ['enc/foo%2B1/', 'enc/foo/', 'enc/quux%20ab/'],
      v2Prefixes: ['enc/foo%2B1/', 'enc/foo/', 'enc/quux%20ab/'],
      decoded: ['enc/asdf+b', 'enc/foo+1/bar', 'enc/foo/bar/xyzzy', 'enc/quux ab/thud'],
      maxKeysZero: { IsTruncated: false, Contents: null },
      startAfter: ['enc/quux ab/thud', 'foo', ...(backend === 'fs' ? ['once'] : [])],
    });
  });

  it('list_object_versions lists each object once, VersionId null; the s3-tests teardown empties and deletes the bucket', () => {
    expect(py.report.versions.map((v) => v.key)).toEqual([
      'bar',
      'enc/asdf+b',
      'enc/foo+1/bar',
      'enc/foo/bar/xyzzy',
      'enc/quux ab/thud',
      'foo',
      ...(backend === 'fs' ? ['once'] : []),
    ]);
    expect(py.report.versions.every((v) => v.id === 'null' && v.latest)).toBe(true);
    expect(py.report.versioning).toEqual({});
    expect(py.report.teardown).toEqual({
      deleted: py.report.versions.length,
      listed: py.report.versions.length,
      errors: [],
      deleteBucket: null,
    });
  });

  it('get_bucket_acl: the owner with FULL_CONTROL; ACL=public-read refused, ACL=private accepted', () => {
    expect(py.report.acl).toEqual({
      grants: [{ type: 'CanonicalUser', permission: 'FULL_CONTROL', isOwner: true }],
      publicRead: { code: 'AccessControlListNotSupported', status: 400 },
      putBucketAclPrivate: null,
    });
  });
});
