import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import {
  isBlobName,
  isBlobPrefix,
  MAX_BLOB_LIST_LIMIT,
  type BlobGetOptions,
  type BlobInfo,
  type BlobListing,
  type BlobListOptions,
  type BlobPutCondition,
  type BlobPutOptions,
  type BlobStore,
} from './blob-store.js';

/** Reads per blob name, for tests that prove a range touches only what it needs. */
export interface BlobReadLog {
  readonly name: string;
  readonly position: number;
  readonly length: number;
}

const CHUNK = 64 * 1024;

/**
 * A `BlobStore` in memory: for tests and for embedders that keep objects elsewhere. A put
 * collects its source privately and swaps the finished blob in (the atomic commit point).
 * It counts every ranged read (`reads`), which the range tests use to prove that a range
 * read touches only covering frames.
 */
export class MemoryBlobStore implements BlobStore {
  readonly #blobs = new Map<string, Uint8Array>();
  readonly #reads: BlobReadLog[] = [];

  /** Every `read` and `get` so far (name, position, length). */
  get reads(): readonly BlobReadLog[] {
    return this.#reads;
  }

  /** Forgets the read log. */
  resetReads(): void {
    this.#reads.length = 0;
  }

  /** Number of blobs held. */
  get size(): number {
    return this.#blobs.size;
  }

  /** Test hook for tamper tests: the stored bytes of a blob (the live array, not a copy). */
  peek(name: string): Uint8Array | undefined {
    return this.#blobs.get(name);
  }

  /** Test hook for tamper tests: replaces a blob's bytes without a put. */
  poke(name: string, bytes: Uint8Array): void {
    this.#blobs.set(assertName(name), bytes);
  }

  /** `put` after `condition` accepted the current bytes (checked and set in one synchronous step). */
  async putConditionally(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    condition: BlobPutCondition,
    options: BlobPutOptions = {},
  ): Promise<BlobInfo> {
    return this.#put(name, source, options, condition);
  }

  async put(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobInfo> {
    return this.#put(name, source, options, undefined);
  }

  // put and putConditionally: the condition, when given, runs where the blob is replaced.
  async #put(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: BlobPutOptions,
    condition: BlobPutCondition | undefined,
  ): Promise<BlobInfo> {
    assertName(name);
    const signal = options.signal;
    const parts: Uint8Array[] = [];
    let size = 0;
    signal?.throwIfAborted();
    for await (const chunk of source) {
      signal?.throwIfAborted();
      if (!(chunk instanceof Uint8Array))
        throw new InvalidArgumentError(
          ErrorCodes.INVALID_ARGUMENT,
          `blob ${name}: the source yielded a non-Uint8Array chunk`,
        );
      // Copied: the caller may reuse its buffer once the iterator moves on.
      parts.push(chunk.slice());
      size += chunk.length;
    }
    signal?.throwIfAborted();
    const blob = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) {
      blob.set(part, offset);
      offset += part.length;
    }
    condition?.(this.#blobs.get(name));
    this.#blobs.set(name, blob);
    return { name, size };
  }

  async get(name: string, options: BlobGetOptions = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    const blob = this.#blobs.get(assertName(name));
    if (blob === undefined) return undefined;
    const start = Math.min(bound(options.start ?? 0, Number.MAX_SAFE_INTEGER, 'start'), blob.length);
    const to = Math.max(
      start,
      Math.min(bound(options.end ?? blob.length, Number.MAX_SAFE_INTEGER, 'end'), blob.length),
    );
    this.#reads.push({ name, position: start, length: to - start });
    const signal = options.signal;
    return (async function* chunks() {
      for (let at = start; at < to; at += CHUNK) {
        signal?.throwIfAborted();
        yield blob.subarray(at, Math.min(to, at + CHUNK));
      }
    })();
  }

  async read(name: string, position: number, length: number): Promise<Uint8Array | undefined> {
    const blob = this.#blobs.get(assertName(name));
    bound(position, Number.MAX_SAFE_INTEGER, 'position');
    bound(length, Number.MAX_SAFE_INTEGER, 'length');
    if (blob === undefined) return undefined;
    const bytes = blob.subarray(Math.min(position, blob.length), Math.min(position + length, blob.length));
    this.#reads.push({ name, position, length: bytes.length });
    return bytes;
  }

  async stat(name: string): Promise<BlobInfo | undefined> {
    const blob = this.#blobs.get(assertName(name));
    return blob === undefined ? undefined : { name, size: blob.length };
  }

  async delete(name: string): Promise<boolean> {
    return this.#blobs.delete(assertName(name));
  }

  async list(prefix: string, options: BlobListOptions = {}): Promise<BlobListing> {
    if (!isBlobPrefix(prefix))
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        `blob list prefix: not a valid prefix: ${JSON.stringify(String(prefix)).slice(0, 80)}`,
      );
    const limit = options.limit ?? MAX_BLOB_LIST_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_BLOB_LIST_LIMIT) {
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        `blob list limit: expected an integer from 1 to ${MAX_BLOB_LIST_LIMIT}`,
      );
    }
    const after = options.startAfter;
    const names = [...this.#blobs.keys()]
      .filter((n) => n.startsWith(prefix) && (after === undefined || n > after))
      .sort();
    const entries = names.slice(0, limit).map((n) => ({ name: n, size: (this.#blobs.get(n) as Uint8Array).length }));
    return { entries, truncated: names.length > limit };
  }
}

function assertName(name: string): string {
  if (!isBlobName(name))
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      `blob name: not a valid name: ${JSON.stringify(String(name)).slice(0, 80)}`,
    );
  return name;
}

function bound(value: number, max: number, label: string): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max)
    throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, `blob ${label}: expected an integer from 0 to ${max}`);
  return value;
}
