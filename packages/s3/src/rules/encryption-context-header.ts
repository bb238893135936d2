import { RESERVED_CONTEXT_PREFIX } from '@sealflow/core';
import { invalidArgument, type S3Error } from '../errors/s3-error.js';
import { S3Limits } from '../limits.js';
import { SseHeaders } from './sse-headers.js';

/** The default context pair S3 adds to every SSE-KMS object (object ARN, or bucket ARN with a bucket key). */
export const S3_ARN_CONTEXT_KEY = 'aws:s3:arn';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MALFORMED =
  "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map";

function malformed(value: string): S3Error {
  return invalidArgument(MALFORMED, SseHeaders.context, value);
}

/**
 * Decodes an `x-amz-server-side-encryption-context` header: base64 (strict, padded) of a
 * UTF-8 JSON object whose values are all strings. Returns the pairs as a null-prototype
 * record (a `__proto__` key is an ordinary key). `{}` is valid and yields no pairs.
 *
 * Refused with 400 `InvalidArgument` (spec: s3-gateway.md "Request headers"): a value over
 * {@link S3Limits.maxContextHeaderLength} characters (checked before decoding), bad base64,
 * bad UTF-8, JSON that is not an object of strings, an empty key, more than
 * {@link S3Limits.maxContextPairs} pairs, the key `aws:s3:arn` (S3 sets that pair itself)
 * or a key with the reserved ESDK prefix `aws-crypto-`.
 *
 * @throws {S3Error} `InvalidArgument` as above.
 */
export function parseEncryptionContextHeader(value: string): Record<string, string> {
  if (typeof value !== 'string') throw malformed('');
  if (value.length > S3Limits.maxContextHeaderLength) {
    throw invalidArgument(
      `The header 'x-amz-server-side-encryption-context' exceeds the maximum length of ${S3Limits.maxContextHeaderLength} characters`,
      SseHeaders.context,
    );
  }
  const trimmed = value.trim();
  if (trimmed.length === 0 || !BASE64.test(trimmed)) throw malformed(value);
  let json: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(trimmed, 'base64'));
    json = JSON.parse(text);
  } catch {
    throw malformed(value);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw malformed(value);
  const entries = Object.entries(json);
  if (entries.length > S3Limits.maxContextPairs) {
    throw invalidArgument(`The encryption context has more than ${S3Limits.maxContextPairs} pairs`, SseHeaders.context);
  }
  const context: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, pairValue] of entries) {
    if (typeof pairValue !== 'string' || key.length === 0) throw malformed(value);
    if (key === S3_ARN_CONTEXT_KEY) {
      throw invalidArgument(
        `The encryption context key '${S3_ARN_CONTEXT_KEY}' is set by the server and cannot be given`,
        SseHeaders.context,
      );
    }
    if (key.startsWith(RESERVED_CONTEXT_PREFIX)) {
      throw invalidArgument(
        `Encryption context keys starting with '${RESERVED_CONTEXT_PREFIX}' are reserved`,
        SseHeaders.context,
      );
    }
    context[key] = pairValue;
  }
  return context;
}

/**
 * Encodes a context as the `x-amz-server-side-encryption-context` response header: base64 of
 * its JSON, keys in UTF-8 byte order so the same context always gives the same header.
 * Never throws.
 */
export function encodeEncryptionContextHeader(context: Readonly<Record<string, string>>): string {
  const keys = Object.keys(context).sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  const ordered: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of keys) ordered[key] = context[key] ?? '';
  return Buffer.from(JSON.stringify(ordered), 'utf8').toString('base64');
}
