import { usageError } from './usage-error.js';

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/**
 * Parses a byte count: a non-negative integer with an optional unit (`4096`, `64KiB`,
 * `64k`, `1MB`, `300MiB`). `K`/`M`/`G`/`T` alone are binary (1024-based), `KB`/`MB`/...
 * decimal, `KiB`/`MiB`/... binary.
 * @throws {InvalidArgumentError} naming `label`, for anything else or a value out of range.
 */
export function parseSize(text: string, label: string, min = 0, max: number = Number.MAX_SAFE_INTEGER): number {
  const match = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match === null ? undefined : UNITS[(match[2] as string).toLowerCase()];
  if (match === null || unit === undefined) {
    throw usageError(`${label}: expected a byte count such as 4096, 64KiB or 300MiB, got "${text}"`);
  }
  const value = Number(match[1]) * unit;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw usageError(`${label}: expected ${min} to ${max} bytes, got "${text}"`);
  }
  return value;
}

/**
 * Parses a positive integer count (threads, objects).
 * @throws {InvalidArgumentError} naming `label`.
 */
export function parseCount(text: string, label: string, min: number, max: number): number {
  if (!/^\s*\d+\s*$/.test(text)) throw usageError(`${label}: expected an integer from ${min} to ${max}, got "${text}"`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw usageError(`${label}: expected an integer from ${min} to ${max}, got "${text}"`);
  return value;
}
