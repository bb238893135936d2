import { Readable, Writable } from 'node:stream';

/**
 * `total` bytes as the same `chunk` repeated: the source costs nothing, so the stream
 * workloads measure the engines. The chunk is never modified, so sharing it is safe.
 */
export function repeatingSource(total: number, chunk: Uint8Array): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: chunk.length,
    read() {
      if (sent >= total) {
        this.push(null);
        return;
      }
      const size = Math.min(chunk.length, total - sent);
      sent += size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}

/** A sink that counts what it receives. */
export function countingSink(): Writable & { readonly bytes: () => number } {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Uint8Array, _encoding, callback) {
      bytes += chunk.length;
      callback();
    },
    writev(chunks, callback) {
      for (const { chunk } of chunks) bytes += (chunk as Uint8Array).length;
      callback();
    },
  });
  return Object.assign(sink, { bytes: () => bytes });
}

/** A sink that keeps what it receives. */
export function collectingSink(): Writable & { readonly bytes: () => Uint8Array } {
  const parts: Uint8Array[] = [];
  const sink = new Writable({
    write(chunk: Uint8Array, _encoding, callback) {
      parts.push(chunk);
      callback();
    },
  });
  return Object.assign(sink, { bytes: () => new Uint8Array(Buffer.concat(parts)) });
}

/** `bytes` cut into `size`-byte chunks, as a Readable. */
export function chunkedSource(bytes: Uint8Array, size: number): Readable {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return Readable.from(chunks);
}
