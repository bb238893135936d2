import * as multipart from '../multipart/multipart-operations.js';
import * as buckets from './bucket-operations.js';
import { aclOwner, assertOwnerOnlyAcl } from './bucket-owner-enforced.js';
import { copyObject, type CopyObjectInput, type CopyObjectResult } from './copy-object.js';
import { listObjects, type ListObjectsInput, type ListObjectsResult } from './listing.js';
import { rekeyObject, type RekeyInput } from './rekey.js';
import { OrphanSweeper, type SweepOptions, type SweepResult } from './orphan-sweeper.js';
import * as objects from './object-operations.js';
import { assertRequestContext, withRequest, type RequestContext } from './request-context.js';
import { ServiceCore, toS3Error, type S3ServiceOptions, type S3ServiceStats } from './service-core.js';
import { s3Error } from '../errors/s3-error.js';
import type { RequestHeaders } from '../rules/sse-headers.js';

/** DeleteObjects' result: the keys deleted, and each failure by key (not thrown). */
export interface DeleteObjectsResult {
  readonly deleted: string[];
  readonly errors: { key: string; code: string; message: string }[];
}

/**
 * Amazon S3's object and bucket operations with SSE-KMS / SSE-S3 semantics over a
 * `BlobStore` and key stores, with no HTTP inside: each method takes a `RequestContext`
 * and plain inputs (lower-case request headers, plaintext streams) and resolves to plain
 * results carrying the response headers to send, or rejects with an `S3Error` (`s3Code`,
 * `status`). See docs/S3-OBJECTS.md.
 */
export class S3Service {
  readonly #core: ServiceCore;
  readonly #sweeper = new OrphanSweeper();

  /** @throws {TypeError} for malformed options */
  constructor(options: S3ServiceOptions) {
    this.#core = new ServiceCore(options);
  }

  /** Counters for metrics: KMS calls per kind, bucket-key hits (KMS calls avoided), messages and bytes. */
  stats(): S3ServiceStats {
    return this.#core.stats();
  }

  /**
   * Removes what crashed or aborted writes left behind: body blobs no object record or live
   * upload references, part records of uploads that are gone, and (with `uploadExpiryMs`)
   * uploads older than that. Never a blob a committed object, a live upload or a write of
   * this service in progress references; a blob is removed only once two sweeps at least
   * `graceMs` apart found it unreferenced (docs/S3-OBJECTS.md "Orphan sweeper").
   * @throws {Error} (rejects) when the store fails (list, read, delete)
   */
  sweepOrphans(options: SweepOptions = {}): Promise<SweepResult> {
    return this.#sweeper.sweep(this.#core, options);
  }

  /** Wipes every cached data key and bucket key; later calls fail. */
  close(): Promise<void> {
    return this.#core.close();
  }

  #run<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
    // A scope of its own per call: the blobs it puts stay held until it returns (orphan sweeper).
    const scope = { ...assertRequestContext(ctx) };
    return withRequest(scope, async () => {
      try {
        return await fn();
      } catch (error) {
        throw toS3Error(error);
      } finally {
        this.#core.tracker.release(scope);
      }
    });
  }

  /** @throws {S3Error} (rejects) */
  listBuckets(ctx: RequestContext): Promise<{ buckets: buckets.BucketSummary[]; owner: { id: string } }> {
    return this.#run(ctx, () => buckets.listBuckets(this.#core, ctx));
  }
  /** @throws {S3Error} (rejects) InvalidBucketName, BucketAlreadyOwnedByYou, BucketAlreadyExists */
  createBucket(ctx: RequestContext, input: buckets.BucketInput): Promise<{ headers: Record<string, string> }> {
    return this.#run(ctx, () => buckets.createBucket(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchBucket, AccessDenied */
  headBucket(ctx: RequestContext, input: buckets.BucketInput): Promise<{ headers: Record<string, string> }> {
    return this.#run(ctx, () => buckets.headBucket(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchBucket, BucketNotEmpty */
  deleteBucket(ctx: RequestContext, input: buckets.BucketInput): Promise<{ headers: Record<string, string> }> {
    return this.#run(ctx, () => buckets.deleteBucket(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) MalformedXML, InvalidArgument */
  putBucketEncryption(
    ctx: RequestContext,
    input: buckets.BucketInput & { readonly body: string | Uint8Array },
  ): Promise<{ headers: Record<string, string> }> {
    return this.#run(ctx, () => buckets.putBucketEncryption(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  getBucketEncryption(
    ctx: RequestContext,
    input: buckets.BucketInput,
  ): Promise<{ xml: string; headers: Record<string, string> }> {
    return this.#run(ctx, () => buckets.getBucketEncryption(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  deleteBucketEncryption(
    ctx: RequestContext,
    input: buckets.BucketInput,
  ): Promise<{ headers: Record<string, string> }> {
    return this.#run(ctx, () => buckets.deleteBucketEncryption(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) MalformedPolicy */
  putBucketPolicy(
    ctx: RequestContext,
    input: buckets.BucketInput & { readonly body: string | Uint8Array },
  ): Promise<{ headers: Record<string, string> }> {
    return this.#run(ctx, () => buckets.putBucketPolicy(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchBucketPolicy */
  getBucketPolicy(
    ctx: RequestContext,
    input: buckets.BucketInput,
  ): Promise<{ policy: string; headers: Record<string, string> }> {
    return this.#run(ctx, () => buckets.getBucketPolicy(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  deleteBucketPolicy(ctx: RequestContext, input: buckets.BucketInput): Promise<{ headers: Record<string, string> }> {
    return this.#run(ctx, () => buckets.deleteBucketPolicy(this.#core, ctx, input));
  }
  /**
   * GetBucketAcl / GetObjectAcl: ACLs are disabled (bucket owner enforced), so the answer is
   * always the bucket owner with FULL_CONTROL. @throws {S3Error} (rejects) NoSuchBucket, NoSuchKey, AccessDenied
   */
  getAcl(ctx: RequestContext, input: { readonly bucket: string; readonly key?: string }): Promise<{ owner: string }> {
    const action = input.key === undefined ? 's3:GetBucketAcl' : 's3:GetObjectAcl';
    return this.#run(ctx, async () => ({ owner: await aclOwner(this.#core, ctx, input, action) }));
  }
  /**
   * PutBucketAcl / PutObjectAcl: accepted (and changing nothing) only when the ACL leaves the
   * owner sole holder with FULL_CONTROL. @throws {S3Error} (rejects) AccessControlListNotSupported
   */
  putAcl(
    ctx: RequestContext,
    input: {
      readonly bucket: string;
      readonly key?: string;
      readonly headers: RequestHeaders;
      readonly body: Uint8Array;
    },
  ): Promise<{ headers: Record<string, string> }> {
    const action = input.key === undefined ? 's3:PutBucketAcl' : 's3:PutObjectAcl';
    return this.#run(ctx, async () => {
      assertOwnerOnlyAcl(input.headers, input.body, await aclOwner(this.#core, ctx, input, action));
      return { headers: {} };
    });
  }
  /** Streams, verifies checksums, encrypts, verifies the stored header, then commits. @throws {S3Error} (rejects) */
  putObject(ctx: RequestContext, input: objects.PutObjectInput): Promise<objects.WriteResult> {
    return this.#run(ctx, () => objects.putObject(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchKey, InvalidRange, InvalidArgument (SSE headers), KMS errors */
  getObject(ctx: RequestContext, input: objects.GetObjectInput): Promise<objects.GetObjectResult> {
    return this.#run(ctx, () => objects.getObject(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  headObject(ctx: RequestContext, input: objects.GetObjectInput): Promise<objects.HeadObjectResult> {
    return this.#run(ctx, () => objects.headObject(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  deleteObject(
    ctx: RequestContext,
    input: { readonly bucket: string; readonly key: string },
  ): Promise<{ headers: Record<string, string> }> {
    return this.#run(ctx, () => objects.deleteObject(this.#core, ctx, input));
  }
  /**
   * DeleteObjects: each key deleted as DeleteObject would; per-key failures are reported, not thrown.
   * @throws {S3Error} (rejects) NoSuchBucket, AccessDenied, MalformedXML (more than 1000 keys)
   */
  deleteObjects(
    ctx: RequestContext,
    input: { readonly bucket: string; readonly keys: readonly string[] },
  ): Promise<DeleteObjectsResult> {
    return this.#run(ctx, async () => {
      await this.#core.bucket(input.bucket);
      if (!Array.isArray(input.keys) || input.keys.length === 0 || input.keys.length > 1000)
        throw s3Error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
        );
      const deleted: string[] = [];
      const errors: { key: string; code: string; message: string }[] = [];
      for (const key of input.keys) {
        try {
          await objects.deleteObject(this.#core, ctx, { bucket: input.bucket, key });
          deleted.push(key);
        } catch (error) {
          const e = toS3Error(error) as { s3Code?: string; message: string };
          errors.push({ key, code: e.s3Code ?? 'InternalError', message: e.message });
        }
      }
      return { deleted, errors };
    });
  }
  /** ListObjects (v1: `marker`) and ListObjectsV2 (`continuationToken`, `startAfter`): plaintext sizes, no KMS call. @throws {S3Error} (rejects) */
  listObjects(ctx: RequestContext, input: ListObjectsInput): Promise<ListObjectsResult> {
    return this.#run(ctx, () => listObjects(this.#core, ctx, input));
  }
  /** CopyObject (onto itself with new SSE headers: the re-key path). @throws {S3Error} (rejects) */
  copyObject(ctx: RequestContext, input: CopyObjectInput): Promise<CopyObjectResult> {
    return this.#run(ctx, () => copyObject(this.#core, ctx, input));
  }
  /** Re-keys an object by rewriting only its message headers (body untouched). @throws {S3Error} (rejects) */
  rekeyObject(
    ctx: RequestContext,
    input: RekeyInput,
  ): Promise<{ headers: Record<string, string>; etag: string; lastModified: Date }> {
    return this.#run(ctx, () => rekeyObject(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  createMultipartUpload(
    ctx: RequestContext,
    input: { readonly bucket: string; readonly key: string; readonly headers: RequestHeaders },
  ): Promise<{ uploadId: string; headers: Record<string, string> }> {
    return this.#run(ctx, () => multipart.createMultipartUpload(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchUpload, InvalidArgument (part number), BadDigest */
  uploadPart(ctx: RequestContext, input: multipart.UploadPartInput): Promise<objects.WriteResult> {
    return this.#run(ctx, () => multipart.uploadPart(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  uploadPartCopy(
    ctx: RequestContext,
    input: multipart.UploadPartCopyInput,
  ): Promise<objects.WriteResult & { lastModified: Date }> {
    return this.#run(ctx, () => multipart.uploadPartCopy(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) InvalidPart, InvalidPartOrder, EntityTooSmall, NoSuchUpload */
  completeMultipartUpload(
    ctx: RequestContext,
    input: multipart.UploadInput & {
      readonly parts: readonly multipart.CompletedPart[];
      readonly headers?: RequestHeaders;
    },
  ): Promise<objects.WriteResult & { location: string; bucket: string; key: string }> {
    return this.#run(ctx, () => multipart.completeMultipartUpload(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchUpload */
  abortMultipartUpload(
    ctx: RequestContext,
    input: multipart.UploadInput,
  ): Promise<{ headers: Record<string, string> }> {
    return this.#run(ctx, () => multipart.abortMultipartUpload(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchUpload */
  listParts(
    ctx: RequestContext,
    input: multipart.UploadInput & { readonly maxParts?: number; readonly partNumberMarker?: number },
  ): Promise<multipart.ListPartsResult> {
    return this.#run(ctx, () => multipart.listParts(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  listMultipartUploads(
    ctx: RequestContext,
    input: {
      readonly bucket: string;
      readonly prefix?: string;
      readonly maxUploads?: number;
      readonly keyMarker?: string;
      readonly uploadIdMarker?: string;
    },
  ): Promise<multipart.ListMultipartUploadsResult> {
    return this.#run(ctx, () => multipart.listMultipartUploads(this.#core, ctx, input));
  }
}
