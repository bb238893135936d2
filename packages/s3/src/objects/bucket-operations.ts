import { s3Error } from '../errors/s3-error.js';
import { DEFAULT_BUCKET_ENCRYPTION } from '../rules/bucket-encryption.js';
import { parseBucketPolicy } from '../policy/bucket-policy.js';
import { bucketEncryptionToXml, parseBucketEncryptionXml } from '../xml/bucket-encryption-xml.js';
import { BlobNames } from './blob-names.js';
import type { RequestContext } from './request-context.js';
import type { BucketRecord, ServiceCore } from './service-core.js';

export interface BucketInput {
  readonly bucket: string;
}

export interface BucketSummary {
  readonly name: string;
  readonly creationDate: Date;
}

/**
 * CreateBucket. Re-creating a bucket the caller's account owns answers 200 in `us-east-1`
 * (S3's legacy behaviour) and 409 `BucketAlreadyOwnedByYou` in every other region; a name
 * another account owns is 409 `BucketAlreadyExists`.
 * @throws {S3Error} InvalidBucketName, BucketAlreadyOwnedByYou, BucketAlreadyExists, AccessDenied
 */
export async function createBucket(
  core: ServiceCore,
  ctx: RequestContext,
  input: BucketInput,
): Promise<{ headers: Record<string, string> }> {
  core.assertBucketName(input.bucket);
  if (ctx.anonymous) throw s3Error('AccessDenied', 'Access Denied');
  const existing = await core.store.stat(BlobNames.bucket(input.bucket));
  if (existing !== undefined) {
    const record = await core.bucket(input.bucket);
    // S3 docs (BucketAlreadyOwnedByYou): for legacy compatibility, re-creating a bucket you
    // already own in us-east-1 (North Virginia) answers 200 OK; every other region answers 409.
    if (record.owner === ctx.accountId && core.region === 'us-east-1')
      return { headers: { location: `/${input.bucket}` } };
    throw record.owner === ctx.accountId
      ? s3Error(
          'BucketAlreadyOwnedByYou',
          'Your previous request to create the named bucket succeeded and you already own it.',
          { resource: `/${input.bucket}` },
        )
      : s3Error('BucketAlreadyExists', 'The requested bucket name is not available.', { resource: `/${input.bucket}` });
  }
  const record: BucketRecord = { name: input.bucket, created: core.now(), owner: ctx.accountId };
  await core.store.put(BlobNames.bucket(input.bucket), [Buffer.from(JSON.stringify(record))]);
  return { headers: { location: `/${input.bucket}` } };
}

/** HeadBucket. @throws {S3Error} NoSuchBucket, AccessDenied */
export async function headBucket(
  core: ServiceCore,
  ctx: RequestContext,
  input: BucketInput,
): Promise<{ headers: Record<string, string> }> {
  const bucket = await core.bucket(input.bucket);
  await core.authorize(ctx, bucket, 's3:ListBucket', undefined);
  return { headers: { 'x-amz-bucket-region': core.region } };
}

/** DeleteBucket: only an empty bucket (no objects, no uploads in progress). @throws {S3Error} BucketNotEmpty */
export async function deleteBucket(
  core: ServiceCore,
  ctx: RequestContext,
  input: BucketInput,
): Promise<{ headers: Record<string, string> }> {
  const bucket = await core.bucket(input.bucket);
  await core.authorize(ctx, bucket, 's3:DeleteBucket', undefined);
  const objects = await core.store.list(BlobNames.objectsPrefix(input.bucket), { limit: 1 });
  const uploads = await core.store.list(BlobNames.uploadsPrefix(input.bucket), { limit: 1 });
  if (objects.entries.length > 0 || uploads.entries.length > 0)
    throw s3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', { resource: `/${input.bucket}` });
  await core.store.delete(BlobNames.encryption(input.bucket));
  await core.store.delete(BlobNames.policy(input.bucket));
  await core.store.delete(BlobNames.bucket(input.bucket));
  return { headers: {} };
}

/** ListBuckets: the caller's account's buckets, by name. */
export async function listBuckets(
  core: ServiceCore,
  ctx: RequestContext,
): Promise<{ buckets: BucketSummary[]; owner: { id: string } }> {
  if (ctx.anonymous) throw s3Error('AccessDenied', 'Access Denied');
  const buckets: BucketSummary[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await core.store.list(BlobNames.bucketsPrefix, startAfter === undefined ? {} : { startAfter });
    for (const entry of page.entries) {
      const record = await core.bucket(entry.name.slice(BlobNames.bucketsPrefix.length)).catch(() => undefined);
      if (record !== undefined && record.owner === ctx.accountId)
        buckets.push({ name: record.name, creationDate: new Date(record.created) });
    }
    if (!page.truncated) break;
    startAfter = page.entries[page.entries.length - 1]?.name;
  }
  return { buckets, owner: { id: ctx.accountId } };
}

/** PutBucketEncryption: the XML body, validated, stored in the blob store (every service over it agrees). */
export async function putBucketEncryption(
  core: ServiceCore,
  ctx: RequestContext,
  input: BucketInput & { readonly body: string | Uint8Array },
): Promise<{ headers: Record<string, string> }> {
  const bucket = await core.bucket(input.bucket);
  await core.authorize(ctx, bucket, 's3:PutEncryptionConfiguration', undefined);
  const configuration = parseBucketEncryptionXml(input.body);
  await core.store.put(BlobNames.encryption(input.bucket), [Buffer.from(bucketEncryptionToXml(configuration))]);
  return { headers: {} };
}

/** GetBucketEncryption: the stored configuration, or SSE-S3 (every bucket's default since 2023). */
export async function getBucketEncryption(
  core: ServiceCore,
  ctx: RequestContext,
  input: BucketInput,
): Promise<{ xml: string; headers: Record<string, string> }> {
  const bucket = await core.bucket(input.bucket);
  await core.authorize(ctx, bucket, 's3:GetEncryptionConfiguration', undefined);
  const configuration = (await core.bucketEncryption(input.bucket)) ?? DEFAULT_BUCKET_ENCRYPTION;
  return { xml: bucketEncryptionToXml(configuration), headers: { 'content-type': 'application/xml' } };
}

export async function deleteBucketEncryption(
  core: ServiceCore,
  ctx: RequestContext,
  input: BucketInput,
): Promise<{ headers: Record<string, string> }> {
  const bucket = await core.bucket(input.bucket);
  await core.authorize(ctx, bucket, 's3:PutEncryptionConfiguration', undefined);
  await core.store.delete(BlobNames.encryption(input.bucket));
  return { headers: {} };
}

/** PutBucketPolicy: validated (MalformedPolicy), stored as sent. */
export async function putBucketPolicy(
  core: ServiceCore,
  ctx: RequestContext,
  input: BucketInput & { readonly body: string | Uint8Array },
): Promise<{ headers: Record<string, string> }> {
  const bucket = await core.bucket(input.bucket);
  await core.authorize(ctx, bucket, 's3:PutBucketPolicy', undefined);
  parseBucketPolicy(input.body, { bucket: input.bucket });
  await core.store.put(BlobNames.policy(input.bucket), [
    typeof input.body === 'string' ? Buffer.from(input.body) : input.body,
  ]);
  return { headers: {} };
}

export async function getBucketPolicy(
  core: ServiceCore,
  ctx: RequestContext,
  input: BucketInput,
): Promise<{ policy: string; headers: Record<string, string> }> {
  const bucket = await core.bucket(input.bucket);
  await core.authorize(ctx, bucket, 's3:GetBucketPolicy', undefined);
  const bytes = await core.store.read(BlobNames.policy(input.bucket), 0, 64 * 1024);
  if (bytes === undefined)
    throw s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', { resource: `/${input.bucket}` });
  return { policy: Buffer.from(bytes).toString('utf8'), headers: { 'content-type': 'application/json' } };
}

export async function deleteBucketPolicy(
  core: ServiceCore,
  ctx: RequestContext,
  input: BucketInput,
): Promise<{ headers: Record<string, string> }> {
  const bucket = await core.bucket(input.bucket);
  await core.authorize(ctx, bucket, 's3:DeleteBucketPolicy', undefined);
  await core.store.delete(BlobNames.policy(input.bucket));
  return { headers: {} };
}
