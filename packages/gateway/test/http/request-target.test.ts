import { describe, expect, it } from 'vitest';
import { isValidBucketName, parseRequestTarget } from '../../src/http/request-target.js';
import { resolveOperation } from '../../src/http/operation.js';

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as { s3Code?: string }).s3Code;
  }
  return undefined;
};

describe('parseRequestTarget', () => {
  it('path style: bucket, decoded key, query', () => {
    const t = parseRequestTarget('/my-bucket/a%20b/c%2Fd?list-type=2&prefix=x%2By', '127.0.0.1:9000', ['localhost']);
    expect(t).toMatchObject({ bucket: 'my-bucket', key: 'a b/c/d', style: 'path', rawPath: '/my-bucket/a%20b/c%2Fd' });
    expect(Object.fromEntries(t.query)).toEqual({ 'list-type': '2', prefix: 'x+y' });
    expect(parseRequestTarget('/', undefined, []).bucket).toBeUndefined();
    expect(parseRequestTarget('/b-1/', undefined, []).key).toBeUndefined();
  });

  it('virtual-host style under a configured host name (port ignored, case-insensitive)', () => {
    const t = parseRequestTarget('/dir/key.txt', 'photos.S3.Example.com:8443', ['s3.example.com']);
    expect(t).toMatchObject({ bucket: 'photos', key: 'dir/key.txt', style: 'virtual-host' });
    expect(parseRequestTarget('/', 'photos.localhost', ['localhost'])).toMatchObject({
      bucket: 'photos',
      key: undefined,
    });
    // The bare service host is path style.
    expect(parseRequestTarget('/b-1/k', 's3.example.com', ['s3.example.com'])).toMatchObject({
      bucket: 'b-1',
      style: 'path',
    });
  });

  it('keeps dot segments in the key instead of resolving them', () => {
    expect(parseRequestTarget('/b-1/../other/k', undefined, [])).toMatchObject({ bucket: 'b-1', key: '../other/k' });
    expect(parseRequestTarget('/b-1/./x/..', undefined, [])).toMatchObject({ bucket: 'b-1', key: './x/..' });
  });

  it.each([
    ['/Bucket/k', 'InvalidBucketName'],
    ['/b%2Fc/k', 'InvalidBucketName'],
    ['/xn--abc/k', 'InvalidBucketName'],
    ['/b-1/%E0%A4%A', 'InvalidURI'],
    ['/b-1/%FF', 'InvalidURI'],
    [`/b-1/${'é'.repeat(513)}`, 'KeyTooLongError'],
    ['no-slash', 'InvalidURI'],
  ])('%s -> %s', (url, expected) => {
    expect(code(() => parseRequestTarget(url, undefined, []))).toBe(expected);
  });

  it('bucket name rules', () => {
    expect(['abc', 'a.b-c', 'a'.repeat(63), '1bucket'].every(isValidBucketName)).toBe(true);
    expect(
      ['ab', 'a'.repeat(64), 'A-b', 'a_b', '-ab', 'ab-', 'a..b', '10.0.0.1', 'a.-b', 'x-s3alias', 'sthree-x'].some(
        isValidBucketName,
      ),
    ).toBe(false);
  });
});

describe('resolveOperation', () => {
  const op = (method: string, url: string, headers: Record<string, string> = {}): string =>
    resolveOperation(method, parseRequestTarget(url, undefined, []), headers);

  it('names every operation the gateway serves', () => {
    expect(op('GET', '/')).toBe('ListBuckets');
    expect(op('PUT', '/b-1')).toBe('CreateBucket');
    expect(op('HEAD', '/b-1')).toBe('HeadBucket');
    expect(op('DELETE', '/b-1')).toBe('DeleteBucket');
    expect(op('GET', '/b-1')).toBe('ListObjects');
    expect(op('GET', '/b-1?list-type=2')).toBe('ListObjectsV2');
    expect(op('GET', '/b-1?location')).toBe('GetBucketLocation');
    expect(op('GET', '/b-1?uploads')).toBe('ListMultipartUploads');
    expect(op('POST', '/b-1?delete')).toBe('DeleteObjects');
    expect(op('POST', '/b-1')).toBe('PostObject');
    for (const [sub, name] of [
      ['encryption', 'BucketEncryption'],
      ['policy', 'BucketPolicy'],
    ]) {
      expect([op('PUT', `/b-1?${sub}`), op('GET', `/b-1?${sub}`), op('DELETE', `/b-1?${sub}`)]).toEqual([
        `Put${name}`,
        `Get${name}`,
        `Delete${name}`,
      ]);
    }
    expect(op('PUT', '/b-1/k')).toBe('PutObject');
    expect(op('PUT', '/b-1/k', { 'x-amz-copy-source': 'a/b' })).toBe('CopyObject');
    expect(op('GET', '/b-1/k')).toBe('GetObject');
    expect(op('HEAD', '/b-1/k')).toBe('HeadObject');
    expect(op('DELETE', '/b-1/k')).toBe('DeleteObject');
    expect(op('POST', '/b-1/k?uploads')).toBe('CreateMultipartUpload');
    expect(op('PUT', '/b-1/k?partNumber=1&uploadId=u')).toBe('UploadPart');
    expect(op('PUT', '/b-1/k?partNumber=1&uploadId=u', { 'x-amz-copy-source': 'a/b' })).toBe('UploadPartCopy');
    expect(op('POST', '/b-1/k?uploadId=u')).toBe('CompleteMultipartUpload');
    expect(op('DELETE', '/b-1/k?uploadId=u')).toBe('AbortMultipartUpload');
    expect(op('GET', '/b-1/k?uploadId=u')).toBe('ListParts');
  });

  it('routes the ACL and versioning subresources S3 clients read (bucket owner enforced, unversioned)', () => {
    expect(op('GET', '/b-1?acl')).toBe('GetBucketAcl');
    expect(op('PUT', '/b-1?acl')).toBe('PutBucketAcl');
    expect(op('GET', '/b-1/k?acl')).toBe('GetObjectAcl');
    expect(op('PUT', '/b-1/k?acl')).toBe('PutObjectAcl');
    expect(op('GET', '/b-1?versions')).toBe('ListObjectVersions');
    expect(op('GET', '/b-1?versioning')).toBe('GetBucketVersioning');
  });

  it('refuses other methods (405) and unsupported subresources (501) instead of guessing', () => {
    expect(code(() => op('PATCH', '/b-1/k'))).toBe('MethodNotAllowed');
    expect(code(() => op('PUT', '/'))).toBe('MethodNotAllowed');
    expect(code(() => op('POST', '/b-1/k'))).toBe('MethodNotAllowed');
    expect(code(() => op('DELETE', '/b-1/k?acl'))).toBe('NotImplemented');
    expect(code(() => op('PUT', '/b-1?versioning'))).toBe('NotImplemented');
    expect(code(() => op('GET', '/b-1/k?versions'))).toBe('NotImplemented');
    expect(code(() => op('PUT', '/b-1/k?tagging'))).toBe('NotImplemented');
  });
});
