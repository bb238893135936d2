import { describe, expect, it } from 'vitest';
import { parseCount, parseSize } from '../../src/options/parse-size.js';

describe('parseSize', () => {
  it.each([
    ['0', 0],
    ['4096', 4096],
    ['64k', 64 * 1024],
    ['64KiB', 64 * 1024],
    ['64kb', 64_000],
    ['1MiB', 1024 ** 2],
    ['1M', 1024 ** 2],
    ['2MB', 2_000_000],
    ['300MiB', 300 * 1024 ** 2],
    ['1GiB', 1024 ** 3],
    [' 12 b ', 12],
  ])('reads %j as %i bytes', (text, bytes) => {
    expect(parseSize(text, '--size')).toBe(bytes);
  });

  it.each(['', 'abc', '-1', '1.5MiB', '10 parsecs', '0x10'])('refuses %j naming the option', (text) => {
    expect(() => parseSize(text, '--frame-length')).toThrow(/^--frame-length: expected a byte count/);
  });

  it('enforces the bounds it is given', () => {
    expect(() => parseSize('0', '--frame-length', 1)).toThrow(/expected 1 to/);
    expect(() => parseSize('17MiB', '--frame-length', 1, 16 * 1024 ** 2)).toThrow(/--frame-length/);
    expect(parseSize('16MiB', '--frame-length', 1, 16 * 1024 ** 2)).toBe(16 * 1024 ** 2);
  });

  it('refuses values past 2^53 instead of rounding', () => {
    expect(() => parseSize('99999999999TiB', '--size')).toThrow(/--size/);
  });
});

describe('parseCount', () => {
  it('reads integers in range and refuses the rest', () => {
    expect(parseCount('4', '--threads', 1, 64)).toBe(4);
    for (const bad of ['0', '65', '2.5', 'two', ''])
      expect(() => parseCount(bad, '--threads', 1, 64)).toThrow(/^--threads: expected an integer from 1 to 64/);
  });
});
