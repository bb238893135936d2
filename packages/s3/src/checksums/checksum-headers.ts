import { s3Error } from '../errors/s3-error.js';
import { S3Limits } from '../limits.js';
import { header, type RequestHeaders } from '../rules/sse-headers.js';
import {
  CHECKSUM_ALGORITHMS,
  CHECKSUM_DIGEST_LENGTHS,
  checksumAlgorithmName,
  createChecksum,
  isChecksumAlgorithm,
  type ChecksumAlgorithm,
} from './checksum.js';

/** `x-amz-checksum-type`: one checksum of the whole object, or a checksum of the parts' checksums. */
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

/** The checksum a request asks the server to verify. */
export interface ChecksumRequest {
  readonly algorithm: ChecksumAlgorithm;
  /** Where the expected value comes: a request header, or a trailer after an aws-chunked body. */
  readonly location: 'header' | 'trailer';
  /** The expected base64 value (header location only; trailers arrive after the body). */
  readonly expected?: string;
  /** `x-amz-checksum-type`, when sent. */
  readonly type?: ChecksumType;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The header name of an algorithm's checksum: `x-amz-checksum-crc32`, ... */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm}`;
}

/**
 * Checks a base64 checksum value: canonical base64 of exactly the algorithm's digest length.
 *
 * @throws {S3Error} 400 `InvalidRequest` ("Value for x-amz-checksum-... header is invalid.").
 */
export function assertChecksumValue(algorithm: ChecksumAlgorithm, value: string): string {
  const trimmed = value.trim();
  if (
    trimmed.length > S3Limits.maxChecksumHeaderLength ||
    !BASE64.test(trimmed) ||
    Buffer.from(trimmed, 'base64').length !== CHECKSUM_DIGEST_LENGTHS[algorithm]
  ) {
    throw s3Error('InvalidRequest', `Value for ${checksumHeaderName(algorithm)} header is invalid.`);
  }
  return trimmed;
}

function parseSdkAlgorithm(value: string, name: string): ChecksumAlgorithm {
  const lower = value.trim().toLowerCase();
  if (!isChecksumAlgorithm(lower)) throw s3Error('InvalidRequest', `Value for ${name} header is invalid.`);
  return lower;
}

/**
 * Reads the flexible-checksum headers of an upload (PutObject, UploadPart, POST Object):
 * one `x-amz-checksum-<algorithm>` header with the expected value, or `x-amz-trailer` naming
 * one that follows an aws-chunked body; `x-amz-sdk-checksum-algorithm` (ignored when an
 * individual checksum is given, as S3 documents) and `x-amz-checksum-type`. Returns
 * `undefined` when the request asks for no checksum.
 *
 * @throws {S3Error} 400 `InvalidRequest`: more than one checksum header, a value that is not
 * base64 of the algorithm's digest length, an unknown `x-amz-sdk-checksum-algorithm`,
 * `x-amz-trailer` or `x-amz-checksum-type`, or `x-amz-sdk-checksum-algorithm` with no
 * checksum header nor trailer.
 */
export function parseChecksumHeaders(headers: RequestHeaders): ChecksumRequest | undefined {
  const present = CHECKSUM_ALGORITHMS.filter(
    (algorithm) => header(headers, checksumHeaderName(algorithm)) !== undefined,
  );
  const trailerHeader = header(headers, 'x-amz-trailer');
  const sdkHeader = header(headers, 'x-amz-sdk-checksum-algorithm');
  const typeHeader = header(headers, 'x-amz-checksum-type');
  let trailer: ChecksumAlgorithm | undefined;
  if (trailerHeader !== undefined) {
    const name = trailerHeader.trim().toLowerCase();
    const algorithm = name.startsWith('x-amz-checksum-') ? name.slice('x-amz-checksum-'.length) : '';
    if (!isChecksumAlgorithm(algorithm))
      throw s3Error('InvalidRequest', 'The value specified in the x-amz-trailer header is not supported');
    trailer = algorithm;
  }
  if (present.length + (trailer === undefined ? 0 : 1) > 1) {
    throw s3Error(
      'InvalidRequest',
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  if (sdkHeader !== undefined) parseSdkAlgorithm(sdkHeader, 'x-amz-sdk-checksum-algorithm');
  let type: ChecksumType | undefined;
  if (typeHeader !== undefined) {
    const upper = typeHeader.trim().toUpperCase();
    if (upper !== 'FULL_OBJECT' && upper !== 'COMPOSITE')
      throw s3Error('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
    type = upper;
  }
  const typeField = type === undefined ? {} : { type };
  const [algorithm] = present;
  if (algorithm !== undefined) {
    const expected = assertChecksumValue(algorithm, header(headers, checksumHeaderName(algorithm)) ?? '');
    return { algorithm, location: 'header', expected, ...typeField };
  }
  if (trailer !== undefined) return { algorithm: trailer, location: 'trailer', ...typeField };
  if (sdkHeader !== undefined) {
    throw s3Error(
      'InvalidRequest',
      'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    );
  }
  return undefined;
}

/**
 * Reads `x-amz-checksum-algorithm` of CreateMultipartUpload (the algorithm every part uses).
 *
 * @throws {S3Error} 400 `InvalidRequest` for an unknown algorithm.
 */
export function parseChecksumAlgorithmHeader(headers: RequestHeaders): ChecksumAlgorithm | undefined {
  const value = header(headers, 'x-amz-checksum-algorithm');
  return value === undefined ? undefined : parseSdkAlgorithm(value, 'x-amz-checksum-algorithm');
}

/**
 * The expected value of a trailer checksum, from the trailers of an aws-chunked body.
 *
 * @throws {S3Error} 400 `InvalidRequest` when the trailer is missing or its value is invalid.
 */
export function checksumFromTrailers(request: ChecksumRequest, trailers: Readonly<Record<string, string>>): string {
  const name = checksumHeaderName(request.algorithm);
  const value = Object.hasOwn(trailers, name) ? trailers[name] : undefined;
  if (value === undefined)
    throw s3Error('InvalidRequest', `The trailer ${name} was declared in x-amz-trailer but not sent.`);
  return assertChecksumValue(request.algorithm, value);
}

/**
 * Compares the checksum the server computed with the one the client sent.
 *
 * @throws {S3Error} 400 `BadDigest` ("The CRC32 you specified did not match the calculated checksum.").
 */
export function verifyChecksum(algorithm: ChecksumAlgorithm, expected: string, computed: string): void {
  if (expected !== computed) {
    throw s3Error(
      'BadDigest',
      `The ${checksumAlgorithmName(algorithm)} you specified did not match the calculated checksum.`,
    );
  }
}

/**
 * The multipart `COMPOSITE` checksum S3 reports: the checksum of the concatenated raw part
 * checksums, base64, followed by `-<number of parts>`.
 *
 * @throws {S3Error} 400 `InvalidRequest` when a part checksum is not a valid value.
 */
export async function compositeChecksum(
  algorithm: ChecksumAlgorithm,
  partChecksums: readonly string[],
): Promise<string> {
  const checksum = createChecksum(algorithm);
  for (const part of partChecksums) checksum.update(Buffer.from(assertChecksumValue(algorithm, part), 'base64'));
  return `${await checksum.digestBase64()}-${partChecksums.length}`;
}

/**
 * Response headers reporting stored checksums (GET/HEAD with `x-amz-checksum-mode: ENABLED`,
 * and uploads): `x-amz-checksum-<algorithm>` for each, plus `x-amz-checksum-type` when given.
 * Never throws.
 */
export function checksumResponseHeaders(
  checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>>,
  type?: ChecksumType,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = checksums[algorithm];
    if (value !== undefined) headers[checksumHeaderName(algorithm)] = value;
  }
  if (type !== undefined && Object.keys(headers).length > 0) headers['x-amz-checksum-type'] = type;
  return headers;
}

/** Whether a GET/HEAD asks for stored checksums (`x-amz-checksum-mode: ENABLED`). */
export function checksumModeEnabled(headers: RequestHeaders): boolean {
  return header(headers, 'x-amz-checksum-mode')?.trim().toUpperCase() === 'ENABLED';
}
