import type { RandomAccessSource } from '@sealflow/core';
import { s3Error } from '../errors/s3-error.js';
import type { BlobStore } from '../store/blob-store.js';
import type { StoredPart } from './object-record.js';

const missing = new WeakSet<object>();

/** A stored body blob that is gone or shorter than its record says: 500, never wrong data. */
export const missingBody = (): Error => {
  const error = s3Error('InternalError', 'We encountered an internal error. Please try again.');
  missing.add(error);
  return error;
};

/**
 * Whether `error` (or an error it wraps) is a body blob gone under a reader: what a GET
 * sees when an overwrite commits and deletes the old body between its record read and
 * its first body read. Such a GET reads the record again.
 */
export function isMissingBody(error: unknown): boolean {
  for (
    let e: unknown = error, depth = 0;
    typeof e === 'object' && e !== null && depth < 4;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if (missing.has(e)) return true;
  }
  return false;
}

/**
 * One stored message as the engine's range reader sees it: the header from the record,
 * then the body from its blob, read only where asked (so a range read touches only the
 * frames it needs, plus the final frame).
 */
export function messageSource(store: BlobStore, part: StoredPart): RandomAccessSource {
  const header = part.header;
  return {
    size: header.length + part.bodyLength,
    async read(position, length) {
      // The range reader probes the first 4 KiB for the header: answered from the record
      // alone (the header parses from it), so a range read costs no body bytes outside
      // its covering frames and the final frame.
      if (position === 0 && length > header.length) return header;
      const end = Math.min(position + length, header.length + part.bodyLength);
      const pieces: Uint8Array[] = [];
      if (position < header.length) pieces.push(header.subarray(position, Math.min(end, header.length)));
      const from = Math.max(position, header.length) - header.length;
      const to = end - header.length;
      if (to > from) {
        const body = await store.read(part.blob, from, to - from);
        if (body === undefined || body.length !== to - from) throw missingBody();
        pieces.push(body);
      }
      return pieces.length === 1 ? (pieces[0] as Uint8Array) : Buffer.concat(pieces);
    },
  };
}

/**
 * The whole message as a stream: its header, then its body blob, asked for in chunks of
 * `chunkBytes` (a hint to the store).
 */
export async function* messageStream(
  store: BlobStore,
  part: StoredPart,
  signal?: AbortSignal,
  chunkBytes?: number,
): AsyncIterable<Uint8Array> {
  yield part.header;
  const body = await store.get(part.blob, {
    ...(signal === undefined ? {} : { signal }),
    ...(chunkBytes === undefined ? {} : { chunkBytes }),
  });
  if (body === undefined) throw missingBody();
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    yield chunk;
  }
  if (seen !== part.bodyLength) throw missingBody();
}
