import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { assertString, invalidArgument } from '@sealflow/core/internal';
import type { BlobEntry, BlobStoreLike } from './blob-store-contract.js';

/** Options of {@link S3BlobStore}. */
export interface S3BlobStoreOptions {
  /** The backend bucket (it must exist). */
  readonly bucket: string;
  /** Prepended to every blob name ('' by default). */
  readonly prefix?: string;
  /** An S3 client, or the settings to make one. */
  readonly client: S3Client | S3ClientConfig;
}

/** Parts of an upload of unknown length (the S3 minimum part size). */
const PART_SIZE = 8 * 1024 * 1024;

/**
 * Blobs as objects of one bucket of an S3-compatible store (`s3` storage backend). The
 * gateway keeps no state of its own: several gateway processes over one bucket agree.
 *
 * Atomicity comes from the store: a PUT (or a completed multipart upload, for blobs over
 * one part) replaces the object whole, so readers and listings never see a part of one;
 * an aborted put aborts its multipart upload and leaves nothing.
 */
export class S3BlobStore implements BlobStoreLike {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  /** @throws {InvalidArgumentError} for a missing bucket. */
  constructor(options: S3BlobStoreOptions) {
    this.#bucket = assertString(options.bucket, 'S3BlobStore: bucket');
    this.#prefix = options.prefix ?? '';
    this.#client = options.client instanceof S3Client ? options.client : new S3Client(options.client);
  }

  /** Streams `source` to the store; rejects (storing nothing) on a source error or an abort. */
  async put(name: string, source: AsyncIterable<Uint8Array>, options: { readonly signal?: AbortSignal } = {}): Promise<void> {
    options.signal?.throwIfAborted();
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: this.#key(name), Body: toReadable(source) },
      partSize: PART_SIZE,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const onAbort = (): void => void upload.abort().catch(() => undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
      options.signal?.throwIfAborted();
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A stream of bytes `[start, end)` (whole blob by default); `undefined` when absent. */
  async get(name: string, range: { readonly start?: number; readonly end?: number } = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    const start = range.start ?? 0;
    if (range.end !== undefined && range.end <= start) return (await this.stat(name)) === undefined ? undefined : empty();
    const header = range.start === undefined && range.end === undefined ? undefined : `bytes=${start}-${range.end === undefined ? '' : range.end - 1}`;
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(name), ...(header === undefined ? {} : { Range: header }) }));
      return out.Body as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (isMissing(error)) return undefined;
      // A start at the end of the blob: S3 answers 416; the range is simply empty.
      if (statusOf(error) === 416) return empty();
      throw error;
    }
  }

  /**
   * Reads exactly `length` bytes at `position`.
   * @throws {InvalidArgumentError} (rejects) when the blob is absent or shorter.
   */
  async read(name: string, position: number, length: number): Promise<Uint8Array> {
    if (length === 0) return new Uint8Array(0);
    const stream = await this.get(name, { start: position, end: position + length });
    if (stream === undefined) throw invalidArgument(`S3BlobStore.read: no blob ${name}`);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of stream) {
      chunks.push(chunk);
      total += chunk.length;
    }
    if (total !== length) throw invalidArgument(`S3BlobStore.read: ${name} is shorter than ${position + length} bytes`);
    return Buffer.concat(chunks, total);
  }

  async stat(name: string): Promise<{ readonly size: number } | undefined> {
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(name) }));
      return { size: out.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(name: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(name) }));
  }

  /** Blobs whose name starts with `prefix`, after `startAfter`, in the store's (UTF-8 byte) order, at most `limit`. */
  async list(prefix: string, options: { readonly startAfter?: string; readonly limit?: number } = {}): Promise<readonly BlobEntry[]> {
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const found: BlobEntry[] = [];
    let token: string | undefined;
    do {
      const out = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.#bucket,
          Prefix: this.#key(prefix),
          MaxKeys: Math.min(1000, limit - found.length),
          ...(token === undefined && options.startAfter !== undefined ? { StartAfter: this.#key(options.startAfter) } : {}),
          ...(token === undefined ? {} : { ContinuationToken: token }),
        }),
      );
      for (const item of out.Contents ?? []) {
        if (item.Key === undefined) continue;
        found.push({ name: item.Key.slice(this.#prefix.length), size: item.Size ?? 0 });
      }
      token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
    } while (token !== undefined && found.length < limit);
    return found;
  }

  /** Releases the client's sockets (only when this store made the client). */
  close(): void {
    this.#client.destroy();
  }

  #key(name: string): string {
    return `${this.#prefix}${name}`;
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || statusOf(error) === 404;
}

async function* empty(): AsyncIterable<Uint8Array> {
  // A zero-length range.
}

function toReadable(source: AsyncIterable<Uint8Array>): Readable {
  // A Readable over the iterable: lib-storage pulls from it part by part (back-pressure).
  return source instanceof Readable ? source : Readable.from(source, { objectMode: false });
}
