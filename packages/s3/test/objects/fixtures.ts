import { randomBytes } from 'node:crypto';
import { MemoryKms } from '@sealflow/keystore-memory';
import {
  kmsKeyProvider,
  MemoryBlobStore,
  type BlobStore,
  S3Service,
  type RequestContext,
  type S3KmsAuditRecord,
  type S3ServiceOptions,
} from '@sealflow/s3';

export const ACCOUNT = '111122223333';
export const OTHER_ACCOUNT = '444455556666';
export const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
export const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;

let counter = 0;

/** A request context for `principal` (a fresh request ID each call). */
export function ctx(principal = ALICE, over: Partial<RequestContext> = {}): RequestContext {
  const account = /^arn:aws:iam::(\d{12}):/.exec(principal)?.[1] ?? ACCOUNT;
  return {
    principal,
    accountId: account,
    requestId: `req-${++counter}`,
    secureTransport: true,
    anonymous: false,
    ...over,
  };
}

export interface Harness {
  readonly kms: MemoryKms;
  readonly store: MemoryBlobStore;
  readonly service: S3Service;
  readonly audit: S3KmsAuditRecord[];
}

/** A service over a MemoryBlobStore and an in-process KMS, with a bucket `b` owned by ALICE's account. */
export async function harness(options: Partial<S3ServiceOptions> = {}): Promise<Harness> {
  const kms = new MemoryKms({ principal: `arn:aws:iam::${ACCOUNT}:root` });
  const store = new MemoryBlobStore();
  const audit: S3KmsAuditRecord[] = [];
  const service = new S3Service({
    store,
    keys: kmsKeyProvider({ clientFor: (p) => kms.as(p), audit: (r) => audit.push(r) }),
    region: 'us-east-1',
    sseS3Key: randomBytes(32),
    frameLength: 1024,
    minPartSize: 1,
    ...options,
  });
  await service.createBucket(ctx(), { bucket: 'bkt' });
  return { kms, store, service, audit };
}

export async function* chunks(bytes: Uint8Array, size = 777): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

export async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of body) parts.push(c);
  return Buffer.concat(parts);
}

export function pattern(size: number, seed = 1): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + seed + (i >>> 10)) & 0xff;
  return out;
}

/** The S3 error code a promise rejects with. */
export async function s3CodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as { s3Code?: string; code?: string };
    return e.s3Code ?? e.code ?? String(error);
  }
  return 'no error';
}

/**
 * A `BlobStore` passing every call to `inner` but those `over` replaces. It never offers
 * `putConditionally` (the contract without the optional conditional put, as the s3
 * backend is).
 */
export function storeOver(inner: BlobStore, over: Partial<BlobStore> = {}): BlobStore {
  return {
    put: (...a) => inner.put(...a),
    get: (...a) => inner.get(...a),
    read: (...a) => inner.read(...a),
    stat: (...a) => inner.stat(...a),
    delete: (...a) => inner.delete(...a),
    list: (...a) => inner.list(...a),
    ...over,
  };
}
