import { s3Error } from '@sealflow/s3';
import { GatewayLimits } from './limits.js';

/** Where a request points: bucket and key (either may be absent), query, addressing style. */
export interface RequestTarget {
  readonly bucket: string | undefined;
  readonly key: string | undefined;
  /** Query parameters, decoded; a repeated name keeps its first value. */
  readonly query: ReadonlyMap<string, string>;
  readonly style: 'path' | 'virtual-host';
  /** The path as sent (still percent-encoded), for SigV4 and error `Resource`s. */
  readonly rawPath: string;
}

/**
 * Bucket names S3 accepts today (general purpose buckets): 3 to 63 characters of lower-case
 * letters, digits, dots and hyphens, starting and ending with a letter or digit, not an IP
 * address, no `..`, no `xn--`/`sthree-` prefix, no `-s3alias`/`--ol-s3` suffix.
 */
export function isValidBucketName(name: string): boolean {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) return false;
  if (name.includes('..') || name.includes('.-') || name.includes('-.')) return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return false;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|--x-s3)$/.test(name)) return false;
  return true;
}

/**
 * Splits a request target into bucket, key and query.
 *
 * Virtual-host style when the `Host` header (port removed) is `<bucket>.<base>` for one of
 * `baseHosts`; otherwise path style (`/<bucket>/<key>`). The path is decoded once, after
 * the split on the first `/`: `%2F` inside a key is a `/` of the key, inside a bucket name
 * it makes the name invalid. Dot segments are not resolved: `/b/../x` is key `../x` of
 * bucket `b` (as S3 stores it), and a key never leaves its bucket.
 *
 * @throws {S3Error} 400 `InvalidURI` for a malformed target or bad percent-encoding (or
 * bytes that are not UTF-8), 400 `InvalidBucketName`, 400 `KeyTooLongError`.
 */
export function parseRequestTarget(url: string, host: string | undefined, baseHosts: readonly string[]): RequestTarget {
  if (url.length > GatewayLimits.maxUrlLength || !url.startsWith('/')) throw s3Error('InvalidURI');
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
  const hostName = stripPort(host ?? '').toLowerCase();
  const base = baseHosts.find((candidate) => hostName.endsWith(`.${candidate.toLowerCase()}`));
  let bucket: string | undefined;
  let rawKey: string | undefined;
  let style: RequestTarget['style'] = 'path';
  if (base !== undefined) {
    style = 'virtual-host';
    bucket = hostName.slice(0, hostName.length - base.length - 1);
    rawKey = rawPath.length > 1 ? rawPath.slice(1) : undefined;
  } else {
    const rest = rawPath.slice(1);
    const slash = rest.indexOf('/');
    const rawBucket = slash < 0 ? rest : rest.slice(0, slash);
    bucket = rawBucket === '' ? undefined : decode(rawBucket);
    rawKey = slash < 0 || slash === rest.length - 1 ? undefined : rest.slice(slash + 1);
  }
  if (bucket !== undefined && !isValidBucketName(bucket)) {
    throw s3Error('InvalidBucketName', undefined, { fields: { BucketName: bucket.slice(0, 255) } });
  }
  const key = rawKey === undefined ? undefined : decode(rawKey);
  if (key !== undefined && Buffer.byteLength(key, 'utf8') > GatewayLimits.maxKeyBytes) {
    throw s3Error('KeyTooLongError', undefined, {
      fields: { Size: String(Buffer.byteLength(key, 'utf8')), MaxSizeAllowed: String(GatewayLimits.maxKeyBytes) },
    });
  }
  return { bucket, key, query, style, rawPath };
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** Percent-decodes strictly: malformed escapes and non-UTF-8 bytes are `InvalidURI`. */
function decode(text: string): string {
  try {
    const out = decodeURIComponent(text);
    // A NUL or other C0 control in a name is refused (S3 rejects them in XML responses anyway).
    if (/[\u0000]/.test(out)) throw new Error('NUL');
    return out;
  } catch {
    throw s3Error('InvalidURI');
  }
}

function parseQuery(text: string): Map<string, string> {
  const out = new Map<string, string>();
  if (text === '') return out;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode((eq < 0 ? part : part.slice(0, eq)).replaceAll('+', ' '));
    const value = eq < 0 ? '' : decode(part.slice(eq + 1).replaceAll('+', ' '));
    if (!out.has(name)) out.set(name, value);
  }
  return out;
}
