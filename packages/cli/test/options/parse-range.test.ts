import { describe, expect, it } from 'vitest';
import { parseRange } from '../../src/options/parse-range.js';

describe('parseRange', () => {
  it('reads START-END with an inclusive end (HTTP Range) into an end-exclusive range', () => {
    expect(parseRange('0-0')).toEqual({ start: 0, end: 1 });
    expect(parseRange('100-199')).toEqual({ start: 100, end: 200 });
    expect(parseRange(' 1KiB - 2KiB ')).toEqual({ start: 1024, end: 2049 });
  });

  it('reads START- as "to the end"', () => {
    expect(parseRange('500-')).toEqual({ start: 500, end: Number.MAX_SAFE_INTEGER });
  });

  it('reads -N as "the last N bytes" (HTTP suffix range), with units', () => {
    expect(parseRange('-5')).toEqual({ suffixLength: 5 });
    expect(parseRange(' - 4KiB')).toEqual({ suffixLength: 4096 });
  });

  it.each(['', '-', '-0', '--5', '5', '1-2-3', 'a-b', '10-5', '-x'])('refuses %j', (text) => {
    expect(() => parseRange(text)).toThrow(/--range/);
  });
});
