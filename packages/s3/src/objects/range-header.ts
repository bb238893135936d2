import { s3Error } from '../errors/s3-error.js';

/** A satisfiable byte range of an object: [start, end) plus what Content-Range says. */
export interface ByteRange {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly contentRange: string;
}

const RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads a `Range` header against an object of `size` plaintext bytes, as S3 does:
 * `bytes=a-b` (inclusive; an end past the size is clipped), `bytes=a-`, `bytes=-n` (the
 * last n bytes). A start at or past the size (or a suffix of 0) is 416 `InvalidRange`.
 * A header that is not one single range of this form is ignored (the whole object), as
 * S3 ignores it. Returns undefined for the whole object.
 * @throws {S3Error} InvalidRange (416)
 */
export function parseRange(value: string | undefined, size: number): ByteRange | undefined {
  if (value === undefined) return undefined;
  const match = RANGE.exec(value.trim());
  if (match === null) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first.length > 16 || last.length > 16) return undefined;
  let start: number;
  let end: number;
  if (first === '') {
    const n = Number(last);
    if (n === 0) throw invalidRange(size);
    start = Math.max(0, size - n);
    end = size;
  } else {
    start = Number(first);
    end = last === '' ? size : Number(last) + 1;
    if (last !== '' && end <= start) return undefined;
  }
  if (start >= size) throw invalidRange(size);
  end = Math.min(end, size);
  return { start, end, contentRange: `bytes ${start}-${end - 1}/${size}` };
}

function invalidRange(size: number): Error {
  return s3Error('InvalidRange', 'The requested range is not satisfiable', {
    extra: { 'content-range': `bytes */${size}` },
    fields: { ActualObjectSize: String(size) },
  });
}
