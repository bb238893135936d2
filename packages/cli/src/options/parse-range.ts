import { parseSize } from './parse-size.js';
import { usageError } from './usage-error.js';

/**
 * A plaintext byte range as `engine.decryptRange` takes it: `start` to `end`, end
 * exclusive, or the last `suffixLength` bytes.
 */
export type ByteRange = { readonly start: number; readonly end: number } | { readonly suffixLength: number };

/**
 * Parses `--range` with HTTP/S3 `Range: bytes=` semantics: `START-END`, both ends
 * inclusive; `START-` to the end of the plaintext; `-N` the last N bytes. Sizes may
 * carry units (`1MiB-2MiB`, `-4KiB`). Returns an end-exclusive range or a suffix.
 * @throws {InvalidArgumentError} for anything else, END before START, or `-0`.
 */
export function parseRange(text: string, label = '--range'): ByteRange {
  const match = /^\s*([^-\s]*)\s*-\s*([^-\s]*)\s*$/.exec(text);
  if (match === null || (match[1] === '' && match[2] === '')) {
    throw usageError(
      `${label}: expected START-END (inclusive, like HTTP Range), START- (to the end) or -N (the last N bytes), got "${text}"`,
    );
  }
  if (match[1] === '') return { suffixLength: parseSize(match[2] as string, `${label} suffix length`, 1) };
  const start = parseSize(match[1] as string, `${label} start`);
  if (match[2] === '') return { start, end: Number.MAX_SAFE_INTEGER };
  const last = parseSize(match[2] as string, `${label} end`, 0, Number.MAX_SAFE_INTEGER - 1);
  if (last < start) throw usageError(`${label}: the end (${last}) is before the start (${start})`);
  return { start, end: last + 1 };
}
