import type { ChecksumAlgorithm } from '../checksums/checksum.js';
import {
  checksumHeaderName,
  checksumResponseHeaders,
  compositeChecksum,
  verifyChecksum,
  type ChecksumType,
} from '../checksums/checksum-headers.js';
import { combineCrcs, isFullObjectAlgorithm } from '../checksums/crc-combine.js';
import { s3Error } from '../errors/s3-error.js';
import { header, type RequestHeaders } from '../rules/sse-headers.js';
import type { SealedChecksums } from '../objects/sealed-trailer.js';

/**
 * The checksum type of a new multipart upload, from CreateMultipartUpload's
 * `x-amz-checksum-algorithm` and `x-amz-checksum-type` (S3, "Checking object integrity"):
 * `FULL_OBJECT` is allowed for CRC-32, CRC-32C and CRC-64/NVME, `COMPOSITE` for CRC-32,
 * CRC-32C, SHA-1 and SHA-256; without a type CRC-64/NVME is `FULL_OBJECT` and the others
 * `COMPOSITE`.
 * @throws {S3Error} 400 `InvalidRequest` for an invalid type, a type without an algorithm, or a combination S3 refuses.
 */
export function multipartChecksumType(
  algorithm: ChecksumAlgorithm | undefined,
  headers: RequestHeaders,
): ChecksumType | undefined {
  const sent = header(headers, 'x-amz-checksum-type')?.trim().toUpperCase();
  if (sent !== undefined && sent !== 'FULL_OBJECT' && sent !== 'COMPOSITE')
    throw s3Error('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
  if (algorithm === undefined) {
    if (sent !== undefined)
      throw s3Error(
        'InvalidRequest',
        'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.',
      );
    return undefined;
  }
  const type = sent ?? (algorithm === 'crc64nvme' ? 'FULL_OBJECT' : 'COMPOSITE');
  if (
    (type === 'FULL_OBJECT' && !isFullObjectAlgorithm(algorithm)) ||
    (type === 'COMPOSITE' && algorithm === 'crc64nvme')
  )
    throw s3Error(
      'InvalidRequest',
      `The ${type} checksum type cannot be used with the ${algorithm} checksum algorithm.`,
    );
  return type;
}

/** One chosen part as the checksum sees it: its sealed trailer and its plaintext length. */
export interface PartChecksumInput {
  readonly trailer: SealedChecksums;
  readonly plaintextLength: number;
}

/**
 * The object checksum of a completed multipart upload (base64; COMPOSITE ends in `-N`):
 * FULL_OBJECT combines the parts' CRCs with their lengths (the CRC of the whole plaintext),
 * COMPOSITE is the checksum of the parts' checksums. `undefined` when a part has none.
 * @throws {S3Error} InternalError for a part checksum of the wrong size
 */
export async function multipartChecksum(
  algorithm: ChecksumAlgorithm,
  type: ChecksumType,
  parts: readonly PartChecksumInput[],
): Promise<string | undefined> {
  const digests = parts.map((p) => p.trailer[algorithm]);
  if (digests.some((d) => d === undefined)) return undefined;
  if (type === 'FULL_OBJECT' && isFullObjectAlgorithm(algorithm)) {
    const pieces = parts.map((p, i) => ({ digest: digests[i] as Uint8Array, length: p.plaintextLength }));
    try {
      return Buffer.from(combineCrcs(algorithm, pieces)).toString('base64');
    } catch (cause) {
      throw s3Error('InternalError', 'We encountered an internal error. Please try again.', { cause });
    }
  }
  return compositeChecksum(
    algorithm,
    digests.map((d) => Buffer.from(d as Uint8Array).toString('base64')),
  );
}

/**
 * CompleteMultipartUpload's checksum: the type must be the upload's (`x-amz-checksum-type`,
 * when sent), and a `FULL_OBJECT` value the client sends (`x-amz-checksum-<algorithm>`) must
 * equal the combined CRC. Returns the response headers.
 * @throws {S3Error} 400 `InvalidRequest` (another type or algorithm), 400 `BadDigest` (another value)
 */
export function completeChecksumHeaders(
  algorithm: ChecksumAlgorithm,
  type: ChecksumType,
  computed: string | undefined,
  headers: RequestHeaders,
): Record<string, string> {
  const sentType = header(headers, 'x-amz-checksum-type')?.trim().toUpperCase();
  if (sentType !== undefined && sentType !== type)
    throw s3Error(
      'InvalidRequest',
      `The upload was created using the ${type} checksum mode. The complete request must use the same checksum mode.`,
    );
  for (const name of ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const) {
    const sent = header(headers, checksumHeaderName(name));
    if (sent === undefined) continue;
    if (name !== algorithm)
      throw s3Error(
        'InvalidRequest',
        `The upload was created using a ${algorithm} checksum. The complete request specified a ${name} checksum.`,
      );
    if (type === 'FULL_OBJECT' && computed !== undefined) verifyChecksum(algorithm, sent.trim(), computed);
  }
  return computed === undefined ? {} : checksumResponseHeaders({ [algorithm]: computed }, type);
}
