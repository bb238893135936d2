import { LimitExceededError } from '@sealflow/core';
import type { BlobStore } from './blob-store.js';

/**
 * The first read of a whole blob. Object records are a few hundred bytes to a few KiB, so
 * nearly every record is read in this one call.
 */
export const FIRST_READ_BYTES: number = 16 * 1024;

/**
 * One version of a whole blob that a concurrent `put` may replace at any moment, or
 * `undefined` when there is none. Its size is never asked first: a `stat`, then a read of
 * that many bytes, can span two versions. A blob shorter than `FIRST_READ_BYTES` comes from
 * one `read`; a longer one is streamed by one `get`. Each of those sees a single version
 * (the `BlobStore` contract), so the bytes never mix two versions.
 * @throws {LimitExceededError} (rejects) with `limit` as its name once more than `maxBytes`
 * have arrived; nothing past that is buffered.
 */
export async function readWholeBlob(
  store: BlobStore,
  name: string,
  limit: string,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const first = await store.read(name, 0, FIRST_READ_BYTES);
  if (first === undefined || first.length < FIRST_READ_BYTES) return first;
  const stream = await store.get(name, { chunkBytes: FIRST_READ_BYTES });
  if (stream === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Leaving the loop by a throw ends the stream (its handle or response is released).
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > maxBytes)
      throw new LimitExceededError(
        limit,
        maxBytes,
        total,
        `${limit} exceeded: the blob holds more than ${maxBytes} bytes`,
      );
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
