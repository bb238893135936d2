import { encodeEncryptionContextHeader } from './encryption-context-header.js';
import { isKmsAlgorithm, SseHeaders, type SseAlgorithm } from './sse-headers.js';

/** An object's encryption settings as stored, which the response headers report. */
export interface StoredEncryption {
  readonly algorithm: SseAlgorithm;
  /** SSE-KMS: the full key ARN actually used (never the alias that was sent). */
  readonly keyArn?: string;
  /** SSE-KMS: whether an S3 Bucket Key was used. */
  readonly bucketKey?: boolean;
  /** SSE-KMS: the full stored context, `aws:s3:arn` included. */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * SSE-C: present for an SSE-C object, with the base64 MD5 of the customer key the request
   * sent (when it sent one). The response then carries `-customer-algorithm: AES256` and
   * `-customer-key-MD5`, and no `x-amz-server-side-encryption`.
   */
  readonly sseCustomer?: { readonly keyMd5: string | undefined } | undefined;
}

/** Operations whose responses report the encryption of the object written or read. */
export type EncryptionReportingOperation =
  | 'PutObject'
  | 'CopyObject'
  | 'PostObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'GetObject'
  | 'HeadObject';

const WRITES: ReadonlySet<EncryptionReportingOperation> = new Set([
  'PutObject',
  'CopyObject',
  'PostObject',
  'CreateMultipartUpload',
  'CompleteMultipartUpload',
]);

/**
 * The SSE response headers S3 sends (spec: s3-gateway.md "Response headers"), lower-case:
 * `x-amz-server-side-encryption` always; for SSE-KMS `-aws-kms-key-id` (the full key ARN),
 * `-bucket-key-enabled: true` when a bucket key was used, and on writes `-context` (the
 * stored context as base64 JSON, `aws:s3:arn` included). Without `operation`, the headers
 * of a read (no context header). SSE-C: only `-customer-algorithm` and `-customer-key-MD5`. Never throws.
 */
export function encryptionResponseHeaders(
  stored: StoredEncryption,
  operation: EncryptionReportingOperation = 'GetObject',
): Record<string, string> {
  if (stored.sseCustomer !== undefined)
    return {
      [SseHeaders.customerAlgorithm]: 'AES256',
      ...(stored.sseCustomer.keyMd5 === undefined ? {} : { [SseHeaders.customerKeyMd5]: stored.sseCustomer.keyMd5 }),
    };
  const headers: Record<string, string> = { [SseHeaders.algorithm]: stored.algorithm };
  if (!isKmsAlgorithm(stored.algorithm)) return headers;
  if (stored.keyArn !== undefined) headers[SseHeaders.keyId] = stored.keyArn;
  if (stored.bucketKey === true) headers[SseHeaders.bucketKeyEnabled] = 'true';
  if (stored.context !== undefined && WRITES.has(operation))
    headers[SseHeaders.context] = encodeEncryptionContextHeader(stored.context);
  return headers;
}
