import type { ChecksumAlgorithm } from './checksum.js';

/** The CRCs a multipart upload may report as `FULL_OBJECT` (S3: CRC-64/NVME, CRC-32, CRC-32C). */
export const FULL_OBJECT_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme'] as const;

/** One of {@link FULL_OBJECT_ALGORITHMS}. */
export type FullObjectAlgorithm = (typeof FULL_OBJECT_ALGORITHMS)[number];

/** Whether S3 allows `algorithm` as a multipart `FULL_OBJECT` checksum. */
export function isFullObjectAlgorithm(algorithm: ChecksumAlgorithm): algorithm is FullObjectAlgorithm {
  return (FULL_OBJECT_ALGORITHMS as readonly string[]).includes(algorithm);
}

/** Width and reflected polynomial of each CRC (all three: reflected, init and final XOR all ones). */
const CRCS: Readonly<Record<FullObjectAlgorithm, { readonly width: number; readonly poly: bigint }>> = {
  crc32: { width: 32, poly: 0xedb88320n },
  crc32c: { width: 32, poly: 0x82f63b78n },
  crc64nvme: { width: 64, poly: 0x9a6c9329ac4bc9b5n },
};

/** a·b mod P, polynomials in the reflected bit order (the x^0 term is the top bit), as zlib's multmodp. */
function multiply(a: bigint, b: bigint, width: number, poly: bigint): bigint {
  let m = 1n << BigInt(width - 1);
  let product = 0n;
  for (;;) {
    if ((a & m) !== 0n) {
      product ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = (b & 1n) !== 0n ? (b >> 1n) ^ poly : b >> 1n;
  }
  return product;
}

/** x^(8·bytes) mod P: the operator that appends `bytes` zero bytes to a CRC register. */
function shiftOperator(bytes: number, width: number, poly: bigint): bigint {
  let result = 1n << BigInt(width - 1); // x^0
  let base = 1n << BigInt(width - 2); // x^1
  let exponent = BigInt(bytes) * 8n;
  while (exponent > 0n) {
    if ((exponent & 1n) !== 0n) result = multiply(result, base, width, poly);
    base = multiply(base, base, width, poly);
    exponent >>= 1n;
  }
  return result;
}

const toBigInt = (digest: Uint8Array): bigint => BigInt(`0x${Buffer.from(digest).toString('hex') || '0'}`);

function toBytes(value: bigint, width: number): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(width / 4, '0'), 'hex'));
}

/**
 * The CRC of a concatenation from the CRCs of its pieces and their lengths (zlib's
 * crc32_combine, for CRC-32, CRC-32C and CRC-64/NVME): how a multipart upload's
 * `FULL_OBJECT` checksum is computed from its parts' checksums without reading the object.
 * Digests are big-endian, as S3 encodes them; an empty list gives the CRC of no bytes.
 *
 * @throws {TypeError} for a digest of the wrong length or a length that is not a non-negative safe integer.
 */
export function combineCrcs(
  algorithm: FullObjectAlgorithm,
  pieces: readonly { readonly digest: Uint8Array; readonly length: number }[],
): Uint8Array {
  const { width, poly } = CRCS[algorithm];
  let crc = 0n; // the CRC of no bytes is 0 for all three (init and final XOR cancel)
  for (const { digest, length } of pieces) {
    if (digest.length !== width / 8) throw new TypeError(`combineCrcs: a ${algorithm} digest is ${width / 8} bytes`);
    if (!Number.isSafeInteger(length) || length < 0) throw new TypeError('combineCrcs: bad piece length');
    crc = multiply(shiftOperator(length, width, poly), crc, width, poly) ^ toBigInt(digest);
  }
  return toBytes(crc, width);
}
