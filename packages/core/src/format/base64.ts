/**
 * Standard padded base64 (RFC 4648 section 4) over `btoa`/`atob`, which browsers, workers
 * and Node all have: shared code must not reach for `Buffer`. For short values only
 * (public keys, KMS blobs), not message bodies.
 */

const CHUNK = 0x8000;

/** Encodes `bytes` as standard padded base64. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}

/** Decodes canonical padded standard base64 only (what `toBase64` writes); `undefined` for anything else. */
export function fromBase64(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  // atob forgives whitespace, missing padding and non-zero trailing bits; the round trip does not.
  return toBase64(bytes) === text ? bytes : undefined;
}
