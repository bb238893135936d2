import * as buckets from './bucket-operations.js';
import * as objects from './object-operations.js';
import { assertRequestContext, withRequest, type RequestContext } from './request-context.js';
import { ServiceCore, toS3Error, type S3ServiceOptions } from './service-core.js';

/**
 * Amazon S3's object and bucket operations with SSE-KMS / SSE-S3 semantics over a
 * `BlobStore` and key stores, with no HTTP inside: each method takes a `RequestContext`
 * and plain inputs (lower-case request headers, plaintext streams) and resolves to plain
 * results carrying the response headers to send, or rejects with an `S3Error` (`s3Code`,
 * `status`). See docs/S3-OBJECTS.md.
 */
export class S3Service {
  readonly #core: ServiceCore;

  /** @throws {TypeError} for malformed options */
  constructor(options: S3ServiceOptions) {
    this.#core = new ServiceCore(options);
  }

  /** @internal shared with the multipart, listing, copy and re-key modules */
  get core(): ServiceCore {
    return this.#core;
  }

  #run<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
    return withRequest(assertRequestContext(ctx), async () => {
      try {
        return await fn();
      } catch (error) {
        throw toS3Error(error);
      }
    });
  }

  /** @throws {S3Error} (rejects) */
  listBuckets(ctx: RequestContext) {
    return this.#run(ctx, () => buckets.listBuckets(this.#core, ctx));
  }
  /** @throws {S3Error} (rejects) InvalidBucketName, BucketAlreadyOwnedByYou, BucketAlreadyExists */
  createBucket(ctx: RequestContext, input: buckets.BucketInput) {
    return this.#run(ctx, () => buckets.createBucket(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchBucket, AccessDenied */
  headBucket(ctx: RequestContext, input: buckets.BucketInput) {
    return this.#run(ctx, () => buckets.headBucket(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchBucket, BucketNotEmpty */
  deleteBucket(ctx: RequestContext, input: buckets.BucketInput) {
    return this.#run(ctx, () => buckets.deleteBucket(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) MalformedXML, InvalidArgument */
  putBucketEncryption(ctx: RequestContext, input: buckets.BucketInput & { readonly body: string | Uint8Array }) {
    return this.#run(ctx, () => buckets.putBucketEncryption(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  getBucketEncryption(ctx: RequestContext, input: buckets.BucketInput) {
    return this.#run(ctx, () => buckets.getBucketEncryption(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  deleteBucketEncryption(ctx: RequestContext, input: buckets.BucketInput) {
    return this.#run(ctx, () => buckets.deleteBucketEncryption(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) MalformedPolicy */
  putBucketPolicy(ctx: RequestContext, input: buckets.BucketInput & { readonly body: string | Uint8Array }) {
    return this.#run(ctx, () => buckets.putBucketPolicy(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchBucketPolicy */
  getBucketPolicy(ctx: RequestContext, input: buckets.BucketInput) {
    return this.#run(ctx, () => buckets.getBucketPolicy(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  deleteBucketPolicy(ctx: RequestContext, input: buckets.BucketInput) {
    return this.#run(ctx, () => buckets.deleteBucketPolicy(this.#core, ctx, input));
  }
  /** Streams, verifies checksums, encrypts, verifies the stored header, then commits. @throws {S3Error} (rejects) */
  putObject(ctx: RequestContext, input: objects.PutObjectInput) {
    return this.#run(ctx, () => objects.putObject(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) NoSuchKey, InvalidRange, InvalidArgument (SSE headers), KMS errors */
  getObject(ctx: RequestContext, input: objects.GetObjectInput) {
    return this.#run(ctx, () => objects.getObject(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  headObject(ctx: RequestContext, input: objects.GetObjectInput) {
    return this.#run(ctx, () => objects.headObject(this.#core, ctx, input));
  }
  /** @throws {S3Error} (rejects) */
  deleteObject(ctx: RequestContext, input: { readonly bucket: string; readonly key: string }) {
    return this.#run(ctx, () => objects.deleteObject(this.#core, ctx, input));
  }
}
