import { s3Error } from '../errors/s3-error.js';
import { encryptionResponseHeaders } from '../rules/response-headers.js';
import { header, SseHeaders, type RequestHeaders } from '../rules/sse-headers.js';
import { CopySourceSseCHeaders, hasSseCustomerHeaders } from '../rules/sse-customer-key.js';
import { BlobNames } from './blob-names.js';
import { checkCopySourceConditions } from './conditional-request.js';
import { parseWriteCondition, precheckWriteCondition } from './conditional-write.js';
import { commitRecord, readableRecord, readPlan, reported, writeBody } from './object-operations.js';
import { readWhole } from './object-reader.js';
import { storedFields } from './object-headers.js';
import type { ObjectRecord } from './object-record.js';
import type { ReadLease } from './object-readers.js';
import { rekeyObject } from './rekey.js';
import type { RequestContext } from './request-context.js';
import { toS3Error, type ServiceCore } from './service-core.js';

export interface CopyObjectInput {
  readonly bucket: string;
  readonly key: string;
  readonly source: { readonly bucket: string; readonly key: string };
  /** Request headers, lower-case (`x-amz-metadata-directive`, SSE headers, metadata for REPLACE, ...). */
  readonly headers: RequestHeaders;
}

export interface CopyObjectResult {
  readonly etag: string;
  readonly lastModified: Date;
  readonly headers: Record<string, string>;
  /** Which path the copy took: `rekey` (headers rewritten, body untouched) or `reencrypt`. */
  readonly path: 'rekey' | 'reencrypt';
}

const SSE_REQUEST_HEADERS = [SseHeaders.algorithm, SseHeaders.keyId, SseHeaders.context, SseHeaders.bucketKeyEnabled];

/**
 * CopyObject. The copy is encrypted under the destination's settings (request headers, else
 * the destination bucket's default). Paths (docs/S3-OBJECTS.md "Which path"):
 *
 * - onto itself with SSE headers that change only the key (SSE-KMS or SSE-S3, no bucket key,
 *   no new context): the **re-key** path, `rekeyObject`: headers rewritten, body untouched;
 * - anything else (another key, a bucket key, a new context): the **re-encrypt** path: the
 *   source is decrypted and streamed into a new object.
 * SSE-C on either side always re-encrypts; an SSE-C source needs the
 * `x-amz-copy-source-server-side-encryption-customer-*` headers.
 * Onto itself with no change (no SSE header, metadata directive not REPLACE): 400 InvalidRequest.
 * @throws {S3Error}
 */
export async function copyObject(
  core: ServiceCore,
  ctx: RequestContext,
  input: CopyObjectInput,
): Promise<CopyObjectResult> {
  // Leased before the source's record is read: no commit of this process deletes its bodies mid-copy.
  return core.readers.reading(BlobNames.object(input.source.bucket, input.source.key), (lease) =>
    copyLeased(core, ctx, input, lease),
  );
}

async function copyLeased(
  core: ServiceCore,
  ctx: RequestContext,
  input: CopyObjectInput,
  lease: ReadLease,
): Promise<CopyObjectResult> {
  const source = await readableRecord(
    core,
    ctx,
    { bucket: input.source.bucket, key: input.source.key, headers: copySourceSseCHeaders(input.headers) },
    'GetObject',
    true,
  );
  checkCopySourceConditions(input.headers, source);
  const directive = (header(input.headers, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE')
    throw s3Error('InvalidArgument', 'Unknown metadata directive.', {
      fields: { ArgumentName: 'x-amz-metadata-directive' },
    });
  const sseSent =
    SSE_REQUEST_HEADERS.some((name) => header(input.headers, name) !== undefined) ||
    hasSseCustomerHeaders(input.headers);
  const self = input.source.bucket === input.bucket && input.source.key === input.key;
  if (self && !sseSent && directive !== 'REPLACE') {
    throw s3Error(
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const replace = directive === 'REPLACE' ? storedFields(input.headers) : undefined;
  const bucket = await core.bucket(input.bucket);
  core.assertKey(input.key);
  const plan = await core.writePlan(ctx, 'CopyObject', input.bucket, input.key, input.headers);
  await core.authorize(ctx, bucket, 's3:PutObject', input.key, plan, input.headers);
  // Destination conditions (If-Match / If-None-Match: *), as on PutObject.
  const condition = parseWriteCondition(input.headers);
  if (condition !== undefined) await precheckWriteCondition(core, input.bucket, input.key, condition);
  const extras = { ...plan.headerContext };
  delete extras['aws:s3:arn'];
  const sourceExtras = { ...core.headerContext(input.source.bucket, input.source.key, source.encryption.context) };
  delete sourceExtras['aws:s3:arn'];
  const sameContext =
    JSON.stringify(Object.entries(extras).sort()) === JSON.stringify(Object.entries(sourceExtras).sort());
  // DSSE-KMS on either side: re-encrypt (the inner layer's header is inside the outer message).
  // SSE-C on either side: re-encrypt too (the header rewrite is for KMS and SSE-S3 keys).
  const dsse = plan.encryption.algorithm === 'aws:kms:dsse' || source.encryption.algorithm === 'aws:kms:dsse';
  const customer = source.encryption.customerKey !== undefined || plan.encryption.customerKey !== undefined;
  if (self && sseSent && plan.bucketKey === undefined && sameContext && !dsse && !customer) {
    const { etag, lastModified, headers } = await rekeyObject(core, ctx, {
      bucket: input.bucket,
      key: input.key,
      algorithm: plan.encryption.algorithm === 'AES256' ? 'AES256' : 'aws:kms',
      ...(plan.keyId === undefined ? {} : { keyId: plan.keyId }),
      ...(replace === undefined ? {} : { replace }),
    });
    return { etag, lastModified, headers: { ...headers }, path: 'rekey' };
  }
  const blob = BlobNames.part(BlobNames.newDataPrefix(input.bucket), 0);
  let written;
  try {
    written = await writeBody(
      core,
      plan,
      { body: readWhole(readPlan(core, ctx, input.source.bucket, source)) },
      blob,
      0,
      {},
      source.checksumAlgorithm === undefined || source.multipart ? undefined : { algorithm: source.checksumAlgorithm },
    );
  } catch (error) {
    throw toS3Error(error);
  }
  // The source is read: a copy onto itself must not wait for its own lease to remove the old body.
  lease.end();
  // The MD5 is there exactly when md5Etag(plan.encryption) asked for it (SSE-S3).
  const etag = `"${written.md5 ?? core.newEtag()}"`;
  const fields = replace ?? { contentType: source.contentType, metadata: source.metadata, headers: source.headers };
  const record: ObjectRecord = {
    key: input.key,
    lastModified: core.now(),
    size: written.part.plaintextLength,
    etag,
    encryption: plan.encryption,
    ...fields,
    checksumAlgorithm: source.multipart ? undefined : source.checksumAlgorithm,
    checksumType: source.multipart || source.checksumAlgorithm === undefined ? undefined : 'FULL_OBJECT',
    multipart: false,
    parts: [{ ...written.part, etag }],
  };
  await commitRecord(core, input.bucket, record, condition).catch(async (error: unknown) => {
    await core.store.delete(blob).catch(() => false);
    throw error;
  });
  return {
    etag,
    lastModified: new Date(record.lastModified),
    headers: encryptionResponseHeaders(reported(record), 'CopyObject'),
    path: 'reencrypt',
  };
}

/** The copy source's SSE-C headers of a copy request (all that is checked against the source). */
export function copySourceSseCHeaders(headers: RequestHeaders): RequestHeaders {
  const out: Record<string, string> = {};
  for (const name of Object.values(CopySourceSseCHeaders)) {
    const value = header(headers, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
