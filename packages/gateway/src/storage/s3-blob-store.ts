import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { assertString, invalidArgument } from '@sealflow/core/validate';
import {
  isBlobName,
  isBlobPrefix,
  MAX_BLOB_LIST_LIMIT,
  type BlobGetOptions,
  type BlobInfo,
  type BlobListing,
  type BlobListOptions,
  type BlobPutOptions,
  type BlobStore,
} from '@sealflow/s3';

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
export class S3BlobStore implements BlobStore {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;

  /** @throws {InvalidArgumentError} for a missing bucket. */
  constructor(options: S3BlobStoreOptions) {
    this.#bucket = assertString(options.bucket, 'S3BlobStore: bucket');
    this.#prefix = options.prefix ?? '';
    this.#client = options.client instanceof S3Client ? options.client : new S3Client(options.client);
  }

  /**
   * Streams `source` to the store; rejects (storing nothing) on a source error or an abort.
   * @throws {InvalidArgumentError} (rejects) for an invalid name.
   */
  async put(
    name: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: BlobPutOptions = {},
  ): Promise<BlobInfo> {
    const key = this.#key(name);
    options.signal?.throwIfAborted();
    let size = 0;
    async function* counted(): AsyncIterable<Uint8Array> {
      for await (const chunk of source) {
        size += chunk.length;
        yield chunk;
      }
    }
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: key, Body: Readable.from(counted(), { objectMode: false }) },
      partSize: PART_SIZE,
      queueSize: 2,
      leavePartsOnError: false,
    });
    const onAbort = (): void => void upload.abort().catch(() => undefined);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
      options.signal?.throwIfAborted();
      return { name, size };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** A stream of bytes `[start, end)` (whole blob by default, clipped to it); `undefined` when absent. */
  async get(name: string, range: BlobGetOptions = {}): Promise<AsyncIterable<Uint8Array> | undefined> {
    const start = range.start ?? 0;
    if (range.end !== undefined && range.end <= start)
      return (await this.stat(name)) === undefined ? undefined : empty();
    const header =
      range.start === undefined && range.end === undefined
        ? undefined
        : `bytes=${start}-${range.end === undefined ? '' : range.end - 1}`;
    try {
      const out = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key(name),
          ...(header === undefined ? {} : { Range: header }),
        }),
        range.signal === undefined ? {} : { abortSignal: range.signal },
      );
      return out.Body as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (isMissing(error)) return undefined;
      // A start at the end of the blob: S3 answers 416; the range is simply empty.
      if (statusOf(error) === 416) return empty();
      throw error;
    }
  }

  /** Up to `length` bytes at `position` (fewer only at the end); `undefined` when the blob is absent. */
  async read(name: string, position: number, length: number): Promise<Uint8Array | undefined> {
    if (length === 0) return (await this.stat(name)) === undefined ? undefined : new Uint8Array(0);
    const stream = await this.get(name, { start: position, end: position + length });
    if (stream === undefined) return undefined;
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const chunk of stream) {
      chunks.push(chunk);
      total += chunk.length;
    }
    return Buffer.concat(chunks, total);
  }

  async stat(name: string): Promise<BlobInfo | undefined> {
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(name) }));
      return { name, size: out.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Deletes a blob; `false` when there was none (one HEAD first: S3's DELETE does not say). */
  async delete(name: string): Promise<boolean> {
    const existed = (await this.stat(name)) !== undefined;
    if (existed) await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(name) }));
    return existed;
  }

  /**
   * Blobs whose name starts with `prefix`, after `startAfter`, ascending (S3 lists in
   * byte order), at most `limit`.
   * @throws {InvalidArgumentError} (rejects) for an invalid prefix or limit.
   */
  async list(prefix: string, options: BlobListOptions = {}): Promise<BlobListing> {
    if (!isBlobPrefix(prefix)) throw invalidArgument('S3BlobStore.list: not a valid blob name prefix');
    const limit = options.limit ?? MAX_BLOB_LIST_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_BLOB_LIST_LIMIT)
      throw invalidArgument(`S3BlobStore.list: limit must be 1 to ${MAX_BLOB_LIST_LIMIT}`);
    const out = await this.#client.send(
      new ListObjectsV2Command({
        Bucket: this.#bucket,
        Prefix: `${this.#prefix}${prefix}`,
        MaxKeys: limit,
        ...(options.startAfter === undefined ? {} : { StartAfter: `${this.#prefix}${options.startAfter}` }),
      }),
    );
    const entries = (out.Contents ?? []).flatMap((item) =>
      item.Key === undefined ? [] : [{ name: item.Key.slice(this.#prefix.length), size: item.Size ?? 0 }],
    );
    return { entries, truncated: out.IsTruncated === true };
  }

  /** Releases the client's sockets (only when this store made the client). */
  close(): void {
    this.#client.destroy();
  }

  #key(name: string): string {
    if (!isBlobName(name)) throw invalidArgument('S3BlobStore: not a valid blob name');
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
