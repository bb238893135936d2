/**
 * The storage contract under `S3Service`: a flat namespace of named, immutable blobs.
 * The gateway implements it over a directory (`fs`) and over any S3-compatible store
 * (`s3`); `MemoryBlobStore` implements it in memory. Every implementation runs the same
 * `blobStoreConformance` suite (`@sealflow/s3/test-support`).
 *
 * Names: 1 to `MAX_BLOB_NAME_LENGTH` characters of `[A-Za-z0-9._-]` in segments joined by
 * `/`; no empty, `.` or `..` segment; no segment longer than `MAX_BLOB_SEGMENT_LENGTH`
 * (so a file system can hold each one). `assertBlobName` checks them.
 */

/** What `stat` and `list` report about one blob. */
export interface BlobInfo {
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
}

export interface BlobPutOptions {
  /** Aborting makes `put` reject, and nothing is stored. */
  readonly signal?: AbortSignal;
}

export interface BlobGetOptions {
  /** First byte (default 0). */
  readonly start?: number;
  /** End, exclusive (default: the blob's size; clipped to it). */
  readonly end?: number;
  readonly signal?: AbortSignal;
  /**
   * Preferred bytes per chunk of the stream: a hint a store may ignore. Readers of whole
   * messages ask for whole runs of frames, which the engine opens in one batch.
   */
  readonly chunkBytes?: number;
}

export interface BlobListOptions {
  /** Only names strictly greater than this one (code-unit order, which is byte order for these names). */
  readonly startAfter?: string;
  /** At most this many entries (1 to 1000; default 1000). */
  readonly limit?: number;
}

export interface BlobListing {
  /** Names starting with the prefix, ascending. */
  readonly entries: readonly BlobInfo[];
  /** True when more names follow the last entry. */
  readonly truncated: boolean;
}

/**
 * Decides whether a conditional put may replace a blob, from the blob's current bytes
 * (`undefined`: absent). Throws to refuse; it runs while the store holds the name, so it
 * must be synchronous and quick.
 */
export type BlobPutCondition = (current: Uint8Array | undefined) => void;

/**
 * A blob store. Guarantees every implementation must keep (the conformance suite checks):
 *
 * - `put` is atomic: until it resolves no reader sees the new blob, and afterwards every
 *   reader sees all of it; a failed or aborted `put` (source throws, signal aborts) leaves
 *   the previous blob (or none) in place. Of concurrent `put`s of one name, one complete
 *   blob wins.
 * - A blob never changes once written: `put` replaces it as a whole.
 * - `get` and `read` of a missing blob resolve to `undefined`; a blob replaced while a
 *   `get` streams it may end that stream with an error, never with mixed bytes.
 */
export interface BlobStore {
  /** Stores `source` under `name`, replacing any blob. Resolves once durable. @throws (rejects) on I/O errors and aborts */
  put(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: BlobPutOptions,
  ): Promise<BlobInfo>;
  /**
   * Optional: `put`, but only when `condition` accepts the blob's current bytes, the check
   * and the replacement atomic against every other `put`, `putConditionally` and `delete`
   * of `name` (S3 conditional writes commit through it). A store that cannot guarantee that
   * leaves it out, and conditional writes over it answer 501 NotImplemented.
   * @throws (rejects) with the condition's error (nothing stored), or as `put` does
   */
  putConditionally?(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    condition: BlobPutCondition,
    options?: BlobPutOptions,
  ): Promise<BlobInfo>;
  /** Streams bytes [start, end) of a blob, or `undefined` when it does not exist. */
  get(name: string, options?: BlobGetOptions): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Up to `length` bytes at `position` (fewer only at the end), or `undefined` when the blob does not exist. */
  read(name: string, position: number, length: number): Promise<Uint8Array | undefined>;
  stat(name: string): Promise<BlobInfo | undefined>;
  /** Deletes a blob; resolves `false` when there was none. */
  delete(name: string): Promise<boolean>;
  /** Names starting with `prefix`, ascending, paginated with `startAfter`. */
  list(prefix: string, options?: BlobListOptions): Promise<BlobListing>;
}

export const MAX_BLOB_NAME_LENGTH = 4096;
export const MAX_BLOB_SEGMENT_LENGTH = 200;
export const MAX_BLOB_LIST_LIMIT = 1000;

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** True when `name` is a valid blob name (see the module comment). */
export function isBlobName(name: unknown): name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_BLOB_NAME_LENGTH) return false;
  for (const segment of name.split('/')) {
    if (segment.length > MAX_BLOB_SEGMENT_LENGTH || segment === '.' || segment === '..' || !SEGMENT.test(segment))
      return false;
  }
  return true;
}

/** True when `prefix` may start a blob name ('' included; a trailing `/` is allowed). */
export function isBlobPrefix(prefix: unknown): prefix is string {
  if (prefix === '') return true;
  if (typeof prefix !== 'string') return false;
  return isBlobName(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix) || isBlobName(`${prefix}x`);
}
