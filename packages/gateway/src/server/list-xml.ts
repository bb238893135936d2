import type { S3Request } from './s3-exchange.js';
import type { XmlElement } from '../http/xml-response.js';

/** S3 quotes ETags in XML and headers; the service may hand them either way. */
export function quoted(etag: string): string {
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

/**
 * `encoding-type=url`: keys and prefixes in listings are URL-encoded (`/` kept), so keys
 * with characters XML 1.0 cannot carry still list. Any other value is refused by the caller.
 */
export function encoderFor(request: S3Request): (value: string | undefined) => string | undefined {
  if (request.target.query.get('encoding-type') !== 'url') return (value) => value;
  return (value) => (value === undefined ? undefined : encodeURIComponent(value).replaceAll('%2F', '/'));
}

interface ObjectSummary {
  readonly key: string;
  readonly lastModified: Date;
  readonly etag: string;
  readonly size: number;
  readonly owner: string;
}

/** One `<Contents>` element. */
export function contentsXml(
  item: ObjectSummary,
  encode: (v: string | undefined) => string | undefined,
  withOwner: boolean,
): XmlElement {
  return {
    Key: encode(item.key),
    LastModified: item.lastModified.toISOString(),
    ETag: quoted(item.etag),
    Size: item.size,
    StorageClass: 'STANDARD',
    Owner: withOwner ? { ID: item.owner } : undefined,
  };
}

/** `max-keys`, `max-parts`, `max-uploads`: a non-negative integer (S3 caps at 1,000), or S3's InvalidArgument. */
export function maxParam(request: S3Request, name: string): number | undefined {
  const value = request.target.query.get(name);
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) return Number.NaN;
  return Math.min(Number(value), 1000);
}
