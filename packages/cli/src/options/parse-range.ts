import { parseSize } from './parse-size.js';
import { usageError } from './usage-error.js';

/** A plaintext byte range; `end` is exclusive (as `engine.decryptRange` takes it). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * Parses `--range START-END` with HTTP/S3 `Range: bytes=` semantics: both ends
 * inclusive, `START-` means to the end of the plaintext. Sizes may carry units
 * (`1MiB-2MiB`). Returns an end-exclusive range.
 * @throws {InvalidArgumentError} for anything else, or END before START.
 */
export function parseRange(text: string, label = '--range'): ByteRange {
  const match = /^\s*([^-\s]+)\s*-\s*([^-\s]*)\s*$/.exec(text);
  if (match === null) throw usageError(`${label}: expected START-END (inclusive, like HTTP Range) or START-, got "${text}"`);
  const start = parseSize(match[1] as string, `${label} start`);
  if (match[2] === '') return { start, end: Number.MAX_SAFE_INTEGER };
  const last = parseSize(match[2] as string, `${label} end`, 0, Number.MAX_SAFE_INTEGER - 1);
  if (last < start) throw usageError(`${label}: the end (${last}) is before the start (${start})`);
  return { start, end: last + 1 };
}
