import { s3Error } from '../errors/s3-error.js';
import { header, type RequestHeaders } from '../rules/sse-headers.js';
import { httpDate } from './object-headers.js';

/** What a precondition is evaluated against: the current object's ETag and modification time. */
export interface ConditionTarget {
  /** The ETag, quoted as stored (`"…"`). */
  readonly etag: string;
  /** Last-Modified, ms since the epoch. */
  readonly lastModified: number;
}

/** The ETag's opaque value, without quotes (and without `W/`, which the caller handles). */
function opaque(tag: string): string {
  const t = tag.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/**
 * Whether an `If-Match` / `If-None-Match` list names `etag`: `*` matches any existing
 * object; entries are comma-separated, quoted or not (S3 accepts both). `weak`: the weak
 * comparison of RFC 7232 §2.3.2 (If-None-Match), where `W/"x"` matches `"x"`; under the
 * strong comparison (If-Match) a weak tag never matches.
 */
export function etagListMatches(list: string, etag: string, weak: boolean): boolean {
  const want = opaque(etag);
  for (const raw of list.split(',')) {
    const entry = raw.trim();
    if (entry === '*') return true;
    if (entry.startsWith('W/')) {
      if (weak && opaque(entry.slice(2)) === want) return true;
      continue;
    }
    if (entry !== '' && opaque(entry) === want) return true;
  }
  return false;
}

/** An HTTP date in seconds, or undefined when it does not parse (RFC 7232: an invalid date is ignored). */
function dateSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

function notModified(target: ConditionTarget): Error {
  // spec: a 304 carries the validators and no body (RFC 7232 §4.1).
  return s3Error('NotModified', 'Not Modified', {
    extra: { etag: target.etag, 'last-modified': httpDate(target.lastModified) },
  });
}

function preconditionFailed(condition: string): Error {
  return s3Error('PreconditionFailed', undefined, { fields: { Condition: condition } });
}

/**
 * GetObject / HeadObject preconditions, in RFC 7232 §6 order as S3 documents them:
 * `If-Match` false: 412; else (no `If-Match`) `If-Unmodified-Since` later than the object:
 * 412; then `If-None-Match` matching: 304; else (no `If-None-Match`) `If-Modified-Since` not
 * older than the object: 304. So If-Match true with If-Unmodified-Since false answers 200,
 * and If-None-Match false with If-Modified-Since true answers 304 (S3's documented pairs).
 * Dates compare in whole seconds (Last-Modified's precision).
 * @throws {S3Error} PreconditionFailed (412), NotModified (304)
 */
export function checkReadConditions(headers: RequestHeaders, target: ConditionTarget): void {
  const modified = Math.floor(target.lastModified / 1000);
  const ifMatch = header(headers, 'if-match');
  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, target.etag, false)) throw preconditionFailed('If-Match');
  } else {
    const since = dateSeconds(header(headers, 'if-unmodified-since'));
    if (since !== undefined && modified > since) throw preconditionFailed('If-Unmodified-Since');
  }
  const ifNoneMatch = header(headers, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, target.etag, true)) throw notModified(target);
  } else {
    const since = dateSeconds(header(headers, 'if-modified-since'));
    if (since !== undefined && modified <= since) throw notModified(target);
  }
}

/**
 * CopyObject / UploadPartCopy source preconditions (`x-amz-copy-source-if-*`). Every failure
 * is 412 PreconditionFailed. As S3 documents: if-match true with if-unmodified-since false
 * copies; if-none-match false with if-modified-since true fails (412).
 * @throws {S3Error} PreconditionFailed
 */
export function checkCopySourceConditions(headers: RequestHeaders, source: ConditionTarget): void {
  const p = 'x-amz-copy-source-';
  const modified = Math.floor(source.lastModified / 1000);
  const ifMatch = header(headers, `${p}if-match`);
  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, source.etag, false)) throw preconditionFailed(`${p}If-Match`);
  } else {
    const since = dateSeconds(header(headers, `${p}if-unmodified-since`));
    if (since !== undefined && modified > since) throw preconditionFailed(`${p}If-Unmodified-Since`);
  }
  const ifNoneMatch = header(headers, `${p}if-none-match`);
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, source.etag, true)) throw preconditionFailed(`${p}If-None-Match`);
  } else {
    const since = dateSeconds(header(headers, `${p}if-modified-since`));
    if (since !== undefined && modified <= since) throw preconditionFailed(`${p}If-Modified-Since`);
  }
}
