import { s3Error } from '../errors/s3-error.js';
import { BlobNames } from './blob-names.js';
import { readableRecord, reported } from './object-operations.js';
import { encryptionResponseHeaders } from '../rules/response-headers.js';
import type { EncryptionDecision } from '../rules/resolve-encryption.js';
import { SseHeaders } from '../rules/sse-headers.js';
import { encodeObjectRecord, type ObjectEncryption, type ObjectRecord } from './object-record.js';
import type { RequestContext } from './request-context.js';
import type { ServiceCore } from './service-core.js';

export interface RekeyInput {
  readonly bucket: string;
  readonly key: string;
  /** `aws:kms` (default) or `AES256`. */
  readonly algorithm?: 'aws:kms' | 'AES256';
  /** The new KMS key (ID, ARN, alias; default `alias/aws/s3`), for `aws:kms`. */
  readonly keyId?: string;
  /** Replaces the stored metadata and content type (CopyObject with `REPLACE`), when given. */
  readonly replace?: Pick<ObjectRecord, 'contentType' | 'metadata' | 'headers'>;
}

/**
 * Re-keys an object without re-encrypting it: each message's data key is unwrapped (as the
 * caller) and wrapped under the new key by `engine.rewrapHeader`, which seals a new header
 * (new EDKs, new header tag); the body blobs are untouched and reused by the new record,
 * committed in one blob put. The result is never a bucket-key object: a bucket key derives
 * each message's data key, so moving to one needs re-encryption (CopyObject does that).
 * @throws {S3Error} NoSuchKey, KMS errors, AccessDenied
 */
export async function rekeyObject(
  core: ServiceCore,
  ctx: RequestContext,
  input: RekeyInput,
): Promise<{ headers: Record<string, string>; etag: string; lastModified: Date }> {
  const record = await readableRecord(core, ctx, { bucket: input.bucket, key: input.key, headers: {} }, 'GetObject');
  const bucket = await core.bucket(input.bucket);
  const algorithm = input.algorithm ?? 'aws:kms';
  const keyArn = algorithm === 'AES256' ? undefined : await core.resolveKeyArn(ctx, input.keyId ?? 'alias/aws/s3');
  // Authorized as the PutObject with these SSE headers would be (policy condition keys included).
  const headers: Record<string, string> = {
    [SseHeaders.algorithm]: algorithm,
    ...(input.keyId === undefined ? {} : { [SseHeaders.keyId]: input.keyId }),
  };
  const decision: EncryptionDecision = {
    algorithm,
    algorithmSource: 'header',
    ...(algorithm === 'AES256'
      ? {}
      : {
          keyId: input.keyId ?? 'alias/aws/s3',
          keyIdSource: input.keyId === undefined ? ('aws-managed' as const) : ('header' as const),
        }),
    context: {},
    bucketKey: false,
  };
  await core.authorize(ctx, bucket, 's3:PutObject', input.key, { decision, encryption: { keyArn } }, headers);
  if (record.encryption.algorithm === 'aws:kms:dsse')
    throw s3Error(
      'InvalidRequest',
      'A DSSE-KMS object cannot be re-keyed in place (its inner layer is sealed inside the outer one); copy it with new SSE headers to re-encrypt it.',
    );
  const source = core.readEngine(ctx, record.encryption);
  const target = core.wrappingStore(ctx, algorithm, keyArn);
  const expectContext = core.headerContext(input.bucket, input.key, record.encryption.context);
  const parts = [];
  for (const part of record.parts) {
    const { header } = await core.kms(() => source.rewrapHeader(part.header, { keyStore: target, expectContext }));
    parts.push({ ...part, header });
  }
  // The context KMS saw for a bucket key was the bucket's; a direct wrap binds the object's full context.
  const encryption: ObjectEncryption = {
    algorithm,
    keyArn,
    bucketKey: false,
    context: algorithm === 'AES256' ? {} : expectContext,
  };
  const next: ObjectRecord = { ...record, ...(input.replace ?? {}), encryption, lastModified: core.now(), parts };
  const name = BlobNames.object(input.bucket, input.key);
  // Commit only over the record re-keyed: a concurrent overwrite wins instead.
  const current = await core.recordAt(name);
  if (current === undefined || current.etag !== record.etag || current.parts[0]?.blob !== record.parts[0]?.blob) {
    throw s3Error('InternalError', 'The object changed while it was re-keyed; retry.');
  }
  await core.store.put(name, [encodeObjectRecord(next)]);
  return {
    etag: next.etag,
    lastModified: new Date(next.lastModified),
    headers: encryptionResponseHeaders(reported(next), 'CopyObject'),
  };
}
