// Listing details S3 conformance suites check (encoding-type=url, fetch-owner, start-after,
// max-keys edges, delimiters across pages), ListObjectVersions and GetBucketVersioning of
// an unversioned bucket, and ACLs under "bucket owner enforced", through @aws-sdk/client-s3.
import {
  CreateBucketCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startHarness, type Harness } from './support/gateway-harness.js';

async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { name: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error('expected an S3 error');
}

const BUCKET = 'listing-compat';
const KEYS = ['a/1', 'a/2', 'asdf+b', 'b/1', 'c', 'd/1', 'foo+1/bar', 'quux ab/thud'];

describe.each(BACKENDS)('gateway over %s: listing, versions and ACL compatibility', (backend) => {
  let h: Harness;
  let s3: S3Client;
  beforeAll(async () => {
    h = await startHarness(backend);
    s3 = h.client();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const key of KEYS) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
  });
  afterAll(async () => h?.close());

  it('encoding-type=url encodes keys, common prefixes, delimiter and start-after as S3 does (%20, %2B, / kept)', async () => {
    const v2 = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', EncodingType: 'url', StartAfter: 'a b' }),
    );
    expect(v2.EncodingType).toBe('url');
    expect(v2.StartAfter).toBe('a%20b');
    expect(v2.Contents?.map((c) => c.Key)).toEqual(['asdf%2Bb', 'c']);
    expect(v2.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'd/', 'foo%2B1/', 'quux%20ab/']);
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'quux ab/', EncodingType: 'url' }));
    expect([v1.Prefix, v1.Contents?.map((c) => c.Key)]).toEqual(['quux%20ab/', ['quux%20ab/thud']]);
  });

  it('fetch-owner: V2 lists Owner only when asked; V1 always', async () => {
    const plain = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 1 }));
    expect(plain.Contents?.[0]?.Owner).toBeUndefined();
    const owned = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 1, FetchOwner: true }));
    expect(owned.Contents?.[0]?.Owner?.ID).toBe('111122223333');
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 1 }));
    expect(v1.Contents?.[0]?.Owner?.ID).toBe('111122223333');
  });

  it('max-keys 0 lists nothing and is not truncated; over 1000 lists everything (up to 1000)', async () => {
    const zero = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 0 }));
    expect([zero.KeyCount, zero.IsTruncated, zero.Contents]).toEqual([0, false, undefined]);
    const zeroV1 = await s3.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 0 }));
    expect([zeroV1.IsTruncated, zeroV1.Contents]).toEqual([false, undefined]);
    const many = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 5000 }));
    expect([many.KeyCount, many.IsTruncated]).toEqual([KEYS.length, false]);
  });

  it('a delimiter with max-keys 1 pages through keys and common prefixes alike, each once (V2 tokens, V1 markers)', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 1, ContinuationToken: token }),
      );
      seen.push(...(page.Contents ?? []).map((c) => c.Key as string));
      seen.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string));
      expect(page.KeyCount).toBe(1);
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    const expected = ['a/', 'asdf+b', 'b/', 'c', 'd/', 'foo+1/', 'quux ab/'];
    expect(seen).toEqual(expected);
    const v1: string[] = [];
    let marker: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 2, Marker: marker }),
      );
      v1.push(...(page.Contents ?? []).map((c) => c.Key as string));
      v1.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix as string));
      marker = page.IsTruncated === true ? page.NextMarker : undefined;
    } while (marker !== undefined);
    expect(v1.sort()).toEqual(expected);
  });

  it('ListObjectVersions of an unversioned bucket lists every object once with VersionId null, and pages by key-marker', async () => {
    const all = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET }));
    expect(all.Versions?.map((v) => v.Key)).toEqual(KEYS);
    expect(all.Versions?.every((v) => v.VersionId === 'null' && v.IsLatest === true && v.Size === v.Key?.length)).toBe(
      true,
    );
    expect(all.DeleteMarkers).toBeUndefined();
    const first = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, MaxKeys: 3 }));
    expect([first.IsTruncated, first.NextKeyMarker, first.NextVersionIdMarker]).toEqual([true, 'asdf+b', 'null']);
    const rest = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: BUCKET,
        KeyMarker: first.NextKeyMarker,
        VersionIdMarker: first.NextVersionIdMarker,
      }),
    );
    expect(rest.Versions?.map((v) => v.Key)).toEqual(KEYS.slice(3));
    const grouped = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Delimiter: '/' }));
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'd/', 'foo+1/', 'quux ab/']);
    expect(
      await failure(s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, VersionIdMarker: 'null' }))),
    ).toMatchObject({ name: 'InvalidArgument', status: 400 });
  });

  it('GetBucketVersioning answers no Status (never enabled); GetBucketLocation answers us-east-1 as empty', async () => {
    const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }));
    expect([versioning.$metadata.httpStatusCode, versioning.Status, versioning.MFADelete]).toEqual([
      200,
      undefined,
      undefined,
    ]);
    const location = await s3.send(new GetBucketLocationCommand({ Bucket: BUCKET }));
    expect(location.LocationConstraint ?? '').toBe('');
  });

  it('ACL reads answer the owner with FULL_CONTROL; ACL writes other than the owner-only ones are 400 AccessControlListNotSupported', async () => {
    const bucketAcl = await s3.send(new GetBucketAclCommand({ Bucket: BUCKET }));
    const objectAcl = await s3.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'c' }));
    for (const acl of [bucketAcl, objectAcl]) {
      expect(acl.Owner?.ID).toBe('111122223333');
      expect(acl.Grants).toEqual([
        { Grantee: { ID: '111122223333', Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' },
      ]);
    }
    expect(await failure(s3.send(new GetObjectAclCommand({ Bucket: BUCKET, Key: 'absent' })))).toMatchObject({
      status: 404,
    });
    await s3.send(new PutBucketAclCommand({ Bucket: BUCKET, ACL: 'private' }));
    await s3.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: 'c', ACL: 'bucket-owner-full-control' }));
    await s3.send(
      new PutObjectAclCommand({
        Bucket: BUCKET,
        Key: 'c',
        AccessControlPolicy: {
          Owner: { ID: '111122223333' },
          Grants: [{ Grantee: { ID: '111122223333', Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' }],
        },
      }),
    );
    const refused = { name: 'AccessControlListNotSupported', status: 400 };
    expect(await failure(s3.send(new PutBucketAclCommand({ Bucket: BUCKET, ACL: 'public-read' })))).toEqual(refused);
    expect(
      await failure(s3.send(new PutObjectAclCommand({ Bucket: BUCKET, Key: 'c', GrantRead: 'uri="http://acs"' }))),
    ).toEqual(refused);
    expect(
      await failure(
        s3.send(
          new PutObjectAclCommand({
            Bucket: BUCKET,
            Key: 'c',
            AccessControlPolicy: {
              Owner: { ID: '111122223333' },
              Grants: [
                {
                  Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
                  Permission: 'READ',
                },
              ],
            },
          }),
        ),
      ),
    ).toEqual(refused);
    expect(
      await failure(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'pub', Body: 'x', ACL: 'public-read' }))),
    ).toEqual(refused);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'owned', Body: 'x', ACL: 'bucket-owner-full-control' }));
  });
});
