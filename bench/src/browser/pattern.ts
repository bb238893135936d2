/**
 * Deterministic test bytes, computed the same way in Node and in the page (this module is
 * bundled into it): byte i of a stream is the top byte of i × 2654435761 (Knuth's
 * multiplicative hash), so both sides agree on 32 MiB without shipping it.
 */
export function patternBytes(offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.imul(offset + i, 2654435761) >>> 24;
  return out;
}

/** The index of the first byte where `actual` differs from the pattern from 0, or -1. */
export function patternMismatch(actual: Uint8Array, length: number): number {
  if (actual.length !== length) return Math.min(actual.length, length);
  for (let i = 0; i < length; i++) if (actual[i] !== Math.imul(i, 2654435761) >>> 24) return i;
  return -1;
}
