import { s3Error } from '@sealflow/s3';
import type { S3Request } from './s3-exchange.js';

/**
 * GetObject / HeadObject query parameters that override response headers, and the header
 * each sets (S3 API reference, GetObject "Overriding response header values").
 */
const OVERRIDES = {
  'response-content-type': 'content-type',
  'response-content-language': 'content-language',
  'response-expires': 'expires',
  'response-cache-control': 'cache-control',
  'response-content-disposition': 'content-disposition',
  'response-content-encoding': 'content-encoding',
} as const;

/**
 * The response headers the request's `response-*` parameters set (read before the object is
 * opened, so a refusal opens nothing). S3 honours them only on signed requests (an
 * Authorization header or a presigned URL): an anonymous request naming one is refused.
 * @throws {S3Error} 400 InvalidRequest for an anonymous request with an override, 400
 * InvalidArgument for a value no HTTP header can carry
 */
export function responseOverrides(request: S3Request): Record<string, string> {
  const out: Record<string, string> = {};
  const q = request.target.query;
  for (const [param, name] of Object.entries(OVERRIDES)) {
    const value = q.get(param);
    if (value === undefined) continue;
    if (request.caller.anonymous)
      throw s3Error('InvalidRequest', 'Request specific response headers cannot be used for anonymous GET requests.');
    // A header value carries no control characters nor code points past U+00FF (node would
    // refuse it mid-response): refuse up front.
    if (/[^\t\x20-\x7e\x80-\xff]/.test(value))
      throw s3Error('InvalidArgument', `Invalid value for ${param}`, { fields: { ArgumentName: param } });
    out[name] = value;
  }
  return out;
}
