import { s3Error } from '../errors/s3-error.js';
import { afterEveryKeyWith, decodeObjectName, objectNameOf, objectNamePrefix } from './blob-names.js';
import type { RequestContext } from './request-context.js';
import type { ServiceCore } from './service-core.js';

export interface ListObjectsInput {
  readonly bucket: string;
  readonly prefix?: string;
  readonly delimiter?: string;
  /** 0 to 1000 (default 1000). */
  readonly maxKeys?: number;
  /** V1: list keys after this one. */
  readonly marker?: string;
  /** V2: list keys after this one. */
  readonly startAfter?: string;
  /** V2: the token of the previous page. */
  readonly continuationToken?: string;
}

export interface ObjectSummary {
  readonly key: string;
  readonly lastModified: Date;
  readonly etag: string;
  /** Plaintext bytes. */
  readonly size: number;
  readonly owner: string;
}

export interface ListObjectsResult {
  readonly contents: ObjectSummary[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** V1: the last key or prefix of this page (when truncated). */
  readonly nextMarker: string | undefined;
  /** V2: pass as `continuationToken` for the next page (when truncated). */
  readonly nextContinuationToken: string | undefined;
  readonly keyCount: number;
  readonly maxKeys: number;
}

function decodeToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (token.length === 0 || token.length > 2048 || Buffer.from(key, 'utf8').toString('base64url') !== token) {
    throw s3Error('InvalidArgument', 'The continuation token provided is incorrect', {
      fields: { ArgumentName: 'continuation-token' },
    });
  }
  return key;
}

/**
 * ListObjects / ListObjectsV2: keys in UTF-8 byte order with plaintext sizes from the
 * records (no KMS call); a delimiter groups keys into common prefixes, each skipped in one
 * jump. Only committed records are listed, so nothing half-written ever shows.
 * @throws {S3Error}
 */
export async function listObjects(
  core: ServiceCore,
  ctx: RequestContext,
  input: ListObjectsInput,
): Promise<ListObjectsResult> {
  const bucket = await core.bucket(input.bucket);
  await core.authorize(ctx, bucket, 's3:ListBucket', undefined);
  const prefix = input.prefix ?? '';
  const delimiter = input.delimiter === '' ? undefined : input.delimiter;
  const maxKeys = input.maxKeys ?? 1000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 0)
    throw s3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      fields: { ArgumentName: 'max-keys' },
    });
  const limit = Math.min(maxKeys, 1000);
  const after =
    input.continuationToken !== undefined ? decodeToken(input.continuationToken) : (input.startAfter ?? input.marker);
  const namePrefix = objectNamePrefix(input.bucket, prefix);
  // Names sort like keys' bytes; a start inside the prefix's range, or the prefix itself.
  let startAfter: string | undefined =
    after !== undefined && after !== '' ? objectNameOf(input.bucket, after) : undefined;
  if (after !== undefined && delimiter !== undefined && after.startsWith(prefix)) {
    const cut = after.indexOf(delimiter, prefix.length);
    // A marker that is a common prefix skips everything under it.
    if (cut !== -1 && cut + delimiter.length === after.length) startAfter = afterEveryKeyWith(input.bucket, after);
  }
  const contents: ObjectSummary[] = [];
  const commonPrefixes: string[] = [];
  let truncated = false;
  let last: string | undefined;
  outer: while (limit > 0) {
    const page = await core.store.list(namePrefix, {
      limit: 1000,
      ...(startAfter === undefined ? {} : { startAfter }),
    });
    for (const entry of page.entries) {
      const key = decodeObjectName(input.bucket, entry.name);
      if (key === undefined || !key.startsWith(prefix)) continue;
      if (contents.length + commonPrefixes.length === limit) {
        truncated = true;
        break outer;
      }
      const cut = delimiter === undefined ? -1 : key.indexOf(delimiter, prefix.length);
      if (cut !== -1) {
        const common = key.slice(0, cut + (delimiter as string).length);
        commonPrefixes.push(common);
        last = common;
        startAfter = afterEveryKeyWith(input.bucket, common);
        continue outer;
      }
      const record = await core.recordAt(entry.name).catch(() => undefined);
      startAfter = entry.name;
      if (record === undefined) continue;
      contents.push({
        key,
        lastModified: new Date(record.lastModified),
        etag: record.etag,
        size: record.size,
        owner: bucket.owner,
      });
      last = key;
    }
    if (!page.truncated) break;
    const tail = page.entries[page.entries.length - 1];
    if (tail === undefined) break;
    if (startAfter === undefined || tail.name > startAfter) startAfter = tail.name;
  }
  return {
    contents,
    commonPrefixes,
    isTruncated: truncated,
    nextMarker: truncated ? last : undefined,
    nextContinuationToken:
      truncated && last !== undefined ? Buffer.from(last, 'utf8').toString('base64url') : undefined,
    keyCount: contents.length + commonPrefixes.length,
    maxKeys,
  };
}
