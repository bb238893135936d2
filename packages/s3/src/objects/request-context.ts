import { AsyncLocalStorage } from 'node:async_hooks';
import { s3Error } from '../errors/s3-error.js';

/** Who is asking, and how: every `S3Service` call takes one. */
export interface RequestContext {
  /** The caller's principal ARN: what the key store sees (key policies, audit, bucket-key partitions). */
  readonly principal: string;
  /** The caller's account (12 digits): where `alias/aws/s3` is resolved and created. */
  readonly accountId: string;
  /** The S3 request ID: every KMS call made for the request is audited with it. */
  readonly requestId: string;
  /** The request came over TLS (SSE-KMS requires it). */
  readonly secureTransport: boolean;
  /** An unsigned request: it needs a bucket policy that allows it. */
  readonly anonymous: boolean;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `ctx` as the current request (the KMS audit reads the request ID from it). */
export function withRequest<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(ctx, fn);
}

/** The request being served on this async path, if any. */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

const ACCOUNT = /^\d{12}$/;

/** @throws {S3Error} InternalError when the embedding passed a malformed context (a programming error). */
export function assertRequestContext(ctx: RequestContext): RequestContext {
  const ok =
    ctx !== null &&
    typeof ctx === 'object' &&
    typeof ctx.principal === 'string' &&
    ctx.principal.startsWith('arn:') &&
    typeof ctx.accountId === 'string' &&
    ACCOUNT.test(ctx.accountId) &&
    typeof ctx.requestId === 'string' &&
    ctx.requestId.length > 0 &&
    ctx.requestId.length <= 256 &&
    typeof ctx.secureTransport === 'boolean' &&
    typeof ctx.anonymous === 'boolean';
  if (!ok) throw s3Error('InternalError', 'The request context is malformed.');
  return ctx;
}
