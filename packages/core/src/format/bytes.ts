/** Small big-endian helpers over Uint8Array; no allocation beyond what is asked for. */

const textEncoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is data (a context key or value may start with it); the
// default decoder would drop it, and the parsed context would no longer match its bytes.
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8Encode(value: string): Uint8Array {
  return textEncoder.encode(value);
}

/** Strict UTF-8 decode: returns undefined for invalid sequences instead of U+FFFD. */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function readUint16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

export function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] ?? 0) * 0x1000000 +
      (((bytes[offset + 1] ?? 0) << 16) | ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0))) >>>
    0
  );
}

/** A uint64 as a JS number; callers compare it with a cap below 2^53 first. */
export function readUint64(bytes: Uint8Array, offset: number): number {
  return readUint32(bytes, offset) * 0x1_0000_0000 + readUint32(bytes, offset + 4);
}

export function writeUint16(target: Uint8Array, offset: number, value: number): void {
  target[offset] = (value >>> 8) & 0xff;
  target[offset + 1] = value & 0xff;
}

export function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = (value >>> 24) & 0xff;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

export function writeUint64(target: Uint8Array, offset: number, value: number): void {
  writeUint32(target, offset, Math.floor(value / 0x1_0000_0000));
  writeUint32(target, offset + 4, value >>> 0);
}

/** Unsigned bytewise comparison; a prefix sorts first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * A private copy of `bytes[start, end)`. `Uint8Array.prototype.slice` on purpose: a
 * Buffer's own `slice` returns a view, which would keep (and follow changes to) the
 * caller's memory.
 */
export function copyBytes(bytes: Uint8Array, start = 0, end: number = bytes.length): Uint8Array {
  return Uint8Array.prototype.slice.call(bytes, start, end);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * Memory for a result, left uninitialized (no zero fill): for callers that write every
 * byte before they hand it out, and never hand it out otherwise. A plain Uint8Array, not
 * a Buffer (whose `slice` would return views).
 */
export function uninitializedBytes(length: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(length).buffer, 0, length);
}

/**
 * `parts` joined into `output`, copying only the parts that are not already views of
 * `output` at their final place. When the parts do not fill `output` exactly, a fresh
 * concatenation is returned instead (`output` is then left as it was).
 */
export function joinInto(output: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  if (total !== output.length) return concatBytes(parts);
  let offset = 0;
  for (const p of parts) {
    if (p.buffer !== output.buffer || p.byteOffset !== output.byteOffset + offset) output.set(p, offset);
    offset += p.length;
  }
  return output;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
