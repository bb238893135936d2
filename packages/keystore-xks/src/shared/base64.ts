/**
 * Strict standard Base64 (RFC 4648 section 4, padded), as XKS requires
 * (spec: xks-api.md §5). The URL-safe alphabet, missing padding, whitespace and
 * non-zero trailing bits are all refused, so every accepted string has exactly one
 * decoding and re-encodes to itself.
 */

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Characters needed to encode `bytes` raw bytes: 4 * ceil(n / 3). */
export function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** Decodes strict standard Base64; undefined when `text` is not canonical Base64. */
export function decodeBase64Strict(text: string): Uint8Array | undefined {
  if (!STANDARD_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Rejects non-zero pad bits ("QQ==" vs "QR=="): the re-encoding must match exactly.
  if (bytes.toString('base64') !== text) return undefined;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Standard padded Base64 of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64');
}
