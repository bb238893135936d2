import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import { invalidArgument, s3Error } from '../errors/s3-error.js';
import { S3Limits } from '../limits.js';
import type { BucketEncryption } from './bucket-encryption.js';
import { parseEncryptionContextHeader } from './encryption-context-header.js';
import {
  AWS_MANAGED_S3_KEY_ALIAS,
  header,
  isKmsAlgorithm,
  isSseAlgorithm,
  SSE_C_HEADERS,
  SseHeaders,
  type RequestHeaders,
  type SseAlgorithm,
} from './sse-headers.js';

/** Operations that choose how a new object is encrypted. */
export type EncryptingOperation = 'PutObject' | 'CreateMultipartUpload' | 'CopyObject' | 'PostObject';

/** Operations that read an object and must carry no SSE request header. */
export type ReadingOperation = 'GetObject' | 'HeadObject';

/** Where the decision's algorithm came from. */
export type AlgorithmSource = 'header' | 'bucket-default' | 'default';

/** Where the decision's KMS key came from. */
export type KeyIdSource = 'header' | 'bucket-default' | 'aws-managed';

/** How a new object is to be encrypted, as S3 decides it from the request and the bucket. */
export interface EncryptionDecision {
  readonly algorithm: SseAlgorithm;
  readonly algorithmSource: AlgorithmSource;
  /**
   * For `aws:kms`/`aws:kms:dsse`: the key as requested (key ID, key ARN, alias name or alias
   * ARN; `alias/aws/s3` for the AWS-managed key). The caller resolves it to a full key ARN
   * through its key store. Absent for `AES256`.
   */
  readonly keyId?: string;
  /** Present exactly when `keyId` is. */
  readonly keyIdSource?: KeyIdSource;
  /**
   * The extra pairs of `x-amz-server-side-encryption-context` (empty without it, and always
   * for `AES256`). `aws:s3:arn` is not in it: the caller adds it (object or bucket ARN).
   */
  readonly context: Readonly<Record<string, string>>;
  /** Whether to use an S3 Bucket Key (SSE-KMS only; always false otherwise). */
  readonly bucketKey: boolean;
  /**
   * SSE-C: the request sent only SSE-C headers (`algorithm` is then `AES256`). The caller
   * reads and checks the key itself (`parseSseCustomerKey`); the decision never holds it.
   */
  readonly customerKey?: true;
}

/** Common fields of a {@link resolveEncryption} request. */
interface EncryptionRequestBase {
  /** Request headers, lower-case names (for POST Object, the form fields, lower-case). */
  readonly headers: RequestHeaders;
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * Whether the request came over TLS. When `false`, an SSE-KMS request is refused (400), as
   * S3 refuses SSE-KMS over plain HTTP. Leave it out (or `true`) to skip the check, e.g. for
   * a loopback listener the operator trusts.
   */
  readonly secureTransport?: boolean;
  /** Whether the request is anonymous (unsigned). When `true`, an SSE-KMS request is refused (400). */
  readonly anonymous?: boolean;
}

/** A write: the object's encryption is decided from its headers and the bucket default. */
export interface EncryptionRequest extends EncryptionRequestBase {
  readonly operation: EncryptingOperation;
  /** The bucket's default encryption; `undefined` means none (SSE-S3, as every bucket since 2023). */
  readonly bucketEncryption?: BucketEncryption | undefined;
}

/** A read: the request must carry no SSE header; the stored object's settings apply. */
export interface ReadEncryptionRequest extends EncryptionRequestBase {
  readonly operation: ReadingOperation;
  /** The stored object's algorithm, when the caller already knows it (for the TLS/anonymous checks). */
  readonly storedAlgorithm?: SseAlgorithm | undefined;
  /**
   * Whether the stored object is SSE-C. When `true`, SSE-C headers are allowed (the caller
   * checks the key); otherwise they are 400 `InvalidRequest`.
   */
  readonly storedSseCustomer?: boolean | undefined;
}

const OPERATIONS: readonly string[] = [
  'PutObject',
  'CreateMultipartUpload',
  'CopyObject',
  'PostObject',
  'GetObject',
  'HeadObject',
];

const KMS_OVER_HTTP =
  'Requests specifying Server Side Encryption with AWS KMS managed keys must be made over a secure connection.';
const KMS_ANONYMOUS =
  'Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.';
const KMS_HEADER_REQUIRED =
  'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms';

/**
 * Decides how an object is encrypted, exactly as Amazon S3 does (spec: s3-gateway.md
 * "Request headers", "Default encryption"), or refuses the request:
 *
 * - `x-amz-server-side-encryption` other than `AES256`/`aws:kms`/`aws:kms:dsse`: 400 `InvalidArgument`;
 * - `-aws-kms-key-id` or `-context` without an `aws:kms*` algorithm header: 400 `InvalidArgument`;
 * - a malformed context header ({@link parseEncryptionContextHeader}): 400 `InvalidArgument`;
 * - `-bucket-key-enabled` other than `true`/`false`: 400 `InvalidArgument`;
 * - SSE-C headers with any of the above: 400 `InvalidArgument`; SSE-C alone: `AES256` with
 *   `customerKey: true` (over plain HTTP: 400 `InvalidRequest`), the key read by the caller;
 * - SSE-KMS over plain HTTP (`secureTransport: false`) or anonymous: 400 `InvalidArgument`.
 *
 * Defaults: no algorithm header takes the bucket default, else `AES256`; `aws:kms` without a
 * key takes the bucket default's key (when the default is SSE-KMS and names one), else the
 * AWS-managed `alias/aws/s3`. The bucket-key header overrides the bucket's `BucketKeyEnabled`.
 * For GetObject/HeadObject, any SSE header is 400 `InvalidArgument` and the result is `undefined`.
 *
 * @throws {S3Error} as listed.
 * @throws {InvalidArgumentError} for an operation not listed above (a caller bug, not a client error).
 */
export function resolveEncryption(request: EncryptionRequest): EncryptionDecision;
export function resolveEncryption(request: ReadEncryptionRequest): undefined;
export function resolveEncryption(request: EncryptionRequest | ReadEncryptionRequest): EncryptionDecision | undefined;
export function resolveEncryption(request: EncryptionRequest | ReadEncryptionRequest): EncryptionDecision | undefined {
  if (request === null || typeof request !== 'object' || !OPERATIONS.includes(request.operation)) {
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      `resolveEncryption: operation: expected one of ${OPERATIONS.join(', ')}`,
    );
  }
  if (isRead(request)) {
    checkReadRequest(request);
    return undefined;
  }
  return decideWrite(request);
}

function isRead(request: EncryptionRequest | ReadEncryptionRequest): request is ReadEncryptionRequest {
  return request.operation === 'GetObject' || request.operation === 'HeadObject';
}

function decideWrite(request: EncryptionRequest): EncryptionDecision {
  const { headers } = request;
  const algorithmHeader = header(headers, SseHeaders.algorithm);
  const keyHeader = header(headers, SseHeaders.keyId);
  const contextHeader = header(headers, SseHeaders.context);
  const bucketKeyHeader = header(headers, SseHeaders.bucketKeyEnabled);
  const sseC = SSE_C_HEADERS.some((name) => header(headers, name) !== undefined);

  if (sseC) {
    if (algorithmHeader !== undefined || keyHeader !== undefined || contextHeader !== undefined) {
      throw invalidArgument(
        'Server side encryption specified with both SSE-C and SSE-S3 or SSE-KMS headers',
        SseHeaders.algorithm,
        algorithmHeader,
      );
    }
    if (bucketKeyHeader !== undefined)
      throw invalidArgument(
        'Server side encryption specified with both SSE-C and SSE-S3 or SSE-KMS headers',
        SseHeaders.bucketKeyEnabled,
        bucketKeyHeader,
      );
    // spec: S3 user guide, SSE-C: "Amazon S3 rejects any requests made over HTTP when using SSE-C".
    if (request.secureTransport === false)
      throw s3Error(
        'InvalidRequest',
        'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.',
      );
    return {
      algorithm: 'AES256',
      algorithmSource: 'header',
      context: Object.freeze({}),
      bucketKey: false,
      customerKey: true,
    };
  }
  if (algorithmHeader !== undefined && !isSseAlgorithm(algorithmHeader)) {
    throw invalidArgument('The encryption method specified is not supported', SseHeaders.algorithm, algorithmHeader);
  }
  const headerIsKms = algorithmHeader !== undefined && isKmsAlgorithm(algorithmHeader);
  if (keyHeader !== undefined && !headerIsKms) throw invalidArgument(KMS_HEADER_REQUIRED, SseHeaders.keyId, keyHeader);
  if (contextHeader !== undefined && !headerIsKms)
    throw invalidArgument(KMS_HEADER_REQUIRED, SseHeaders.context, contextHeader);
  if (keyHeader !== undefined) checkKeyId(keyHeader);
  const bucketKeyRequested = bucketKeyHeader === undefined ? undefined : parseBoolean(bucketKeyHeader);

  const bucketDefault = request.bucketEncryption;
  const algorithm: SseAlgorithm = algorithmHeader ?? bucketDefault?.algorithm ?? 'AES256';
  const algorithmSource: AlgorithmSource =
    algorithmHeader !== undefined ? 'header' : bucketDefault !== undefined ? 'bucket-default' : 'default';
  if (!isKmsAlgorithm(algorithm)) return { algorithm, algorithmSource, context: Object.freeze({}), bucketKey: false };

  if (request.secureTransport === false) throw invalidArgument(KMS_OVER_HTTP, 'Authorization');
  if (request.anonymous === true) throw invalidArgument(KMS_ANONYMOUS, 'Authorization');

  const defaultKey =
    bucketDefault !== undefined && isKmsAlgorithm(bucketDefault.algorithm) ? bucketDefault.kmsMasterKeyId : undefined;
  const [keyId, keyIdSource]: [string, KeyIdSource] =
    keyHeader !== undefined
      ? [keyHeader.trim(), 'header']
      : defaultKey !== undefined
        ? [defaultKey, 'bucket-default']
        : [AWS_MANAGED_S3_KEY_ALIAS, 'aws-managed'];
  const context = contextHeader === undefined ? {} : parseEncryptionContextHeader(contextHeader);
  const bucketDefaultBucketKey =
    bucketDefault !== undefined && isKmsAlgorithm(bucketDefault.algorithm) && bucketDefault.bucketKeyEnabled;
  // S3 Bucket Keys are not supported for DSSE-KMS: dual-layer objects always get their own KMS data key.
  const bucketKey = algorithm === 'aws:kms' && (bucketKeyRequested ?? bucketDefaultBucketKey);
  return { algorithm, algorithmSource, keyId, keyIdSource, context: Object.freeze(context), bucketKey };
}

function checkReadRequest(request: ReadEncryptionRequest): void {
  for (const name of [SseHeaders.algorithm, SseHeaders.keyId, SseHeaders.context, SseHeaders.bucketKeyEnabled]) {
    const value = header(request.headers, name);
    // spec: s3-gateway.md "GetObject and HeadObject ... carrying any of the headers above: 400".
    if (value !== undefined) throw invalidArgument(`${name} header is not supported for this operation.`, name, value);
  }
  if (request.storedSseCustomer !== true && SSE_C_HEADERS.some((name) => header(request.headers, name) !== undefined)) {
    throw s3Error('InvalidRequest', 'The encryption parameters are not applicable to this object.');
  }
  if (request.storedAlgorithm !== undefined && isKmsAlgorithm(request.storedAlgorithm)) {
    if (request.secureTransport === false) throw invalidArgument(KMS_OVER_HTTP, 'Authorization');
    if (request.anonymous === true) throw invalidArgument(KMS_ANONYMOUS, 'Authorization');
  }
}

function checkKeyId(value: string): void {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw invalidArgument('The KMS key ID must not be empty', SseHeaders.keyId, value);
  if (trimmed.length > S3Limits.maxKeyIdLength) {
    throw invalidArgument(
      `The KMS key ID exceeds the maximum length of ${S3Limits.maxKeyIdLength} characters`,
      SseHeaders.keyId,
    );
  }

  if (/[\u0000-\u001f\u007f]/.test(trimmed))
    throw invalidArgument('The KMS key ID contains control characters', SseHeaders.keyId);
}

function parseBoolean(value: string): boolean {
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw invalidArgument(
    'The value of x-amz-server-side-encryption-bucket-key-enabled must be true or false',
    SseHeaders.bucketKeyEnabled,
    value,
  );
}
