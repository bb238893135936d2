/** Names (lower-case) of the request and response headers of S3 server-side encryption. */
export const SseHeaders = {
  algorithm: 'x-amz-server-side-encryption',
  keyId: 'x-amz-server-side-encryption-aws-kms-key-id',
  context: 'x-amz-server-side-encryption-context',
  bucketKeyEnabled: 'x-amz-server-side-encryption-bucket-key-enabled',
  customerAlgorithm: 'x-amz-server-side-encryption-customer-algorithm',
  customerKey: 'x-amz-server-side-encryption-customer-key',
  customerKeyMd5: 'x-amz-server-side-encryption-customer-key-md5',
} as const;

/** The SSE-C headers (customer-provided keys; read by `parseSseCustomerKey`). */
export const SSE_C_HEADERS: readonly string[] = [
  SseHeaders.customerAlgorithm,
  SseHeaders.customerKey,
  SseHeaders.customerKeyMd5,
];

/** The server-side encryption algorithms S3 accepts in `x-amz-server-side-encryption`. */
export const SSE_ALGORITHMS = ['AES256', 'aws:kms', 'aws:kms:dsse'] as const;

/** `AES256` (SSE-S3), `aws:kms` (SSE-KMS) or `aws:kms:dsse` (dual-layer SSE-KMS). */
export type SseAlgorithm = (typeof SSE_ALGORITHMS)[number];

/** Whether `value` is one of {@link SSE_ALGORITHMS} (case-sensitive, as S3 compares). */
export function isSseAlgorithm(value: unknown): value is SseAlgorithm {
  return typeof value === 'string' && (SSE_ALGORITHMS as readonly string[]).includes(value);
}

/** Whether the algorithm uses a KMS key (`aws:kms`, `aws:kms:dsse`). */
export function isKmsAlgorithm(algorithm: SseAlgorithm): boolean {
  return algorithm !== 'AES256';
}

/** The account's AWS-managed key for S3, used when SSE-KMS names no key. */
export const AWS_MANAGED_S3_KEY_ALIAS = 'alias/aws/s3';

/**
 * Request headers as a gateway passes them: lower-case names, one string value each. A list
 * (as `node:http` gives for repeated headers) is read joined with `, `, as HTTP folds them.
 */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Reads a header by its lower-case name, own properties only (a polluted prototype changes
 * nothing). A list is joined with `, `; any other non-string value reads as absent.
 */
export function header(headers: RequestHeaders, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object' || !Object.hasOwn(headers, name)) return undefined;
  const value = headers[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(', ');
  return undefined;
}
