import { authError } from './auth-error.js';

/**
 * The request target as SigV4 for S3 canonicalizes it: the path is decoded and
 * re-encoded segment by segment (RFC 3986 unreserved characters kept, everything
 * else percent-encoded, `/` kept as the separator) and never normalized, so
 * `a//b` and `./` stay as they are; query names and values are percent-decoded
 * (a `+` stays a plus, as S3 reads it) for smithy to re-encode.
 */

/** URI-encodes one segment the way SigV4 canonical requests do. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The canonical URI of a raw request path (as received, percent-encoded).
 * @throws S3Error InvalidArgument when the path holds a malformed percent escape.
 */
export function canonicalPath(rawPath: string): string {
  return rawPath
    .split('/')
    .map((segment) => uriEncode(decodeComponent(segment)))
    .join('/');
}

/**
 * Decodes a raw query string into names and their values in order.
 * @throws S3Error InvalidArgument when a name or value holds a malformed percent escape.
 */
export function parseRawQuery(rawQuery: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (rawQuery === '') return out;
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decodeComponent(pair.slice(eq + 1));
    const values = out.get(name);
    if (values === undefined) out.set(name, [value]);
    else values.push(value);
  }
  return out;
}

/** The decoded query as smithy's canonicalizer takes it, without the named parameters. */
export function queryRecord(
  query: ReadonlyMap<string, readonly string[]>,
  omit: ReadonlySet<string> = new Set(),
): Record<string, string | string[]> {
  const out = Object.create(null) as Record<string, string | string[]>;
  for (const [name, values] of query) {
    if (omit.has(name)) continue;
    out[name] = values.length === 1 ? (values[0] as string) : [...values];
  }
  return out;
}

function decodeComponent(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw authError('InvalidArgument', 'The request URI holds a malformed percent-encoded sequence.');
  }
}
