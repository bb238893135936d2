import { createHash } from 'node:crypto';
import { isSealflowError, type EncryptionContext, type EncryptOptions } from '@sealflow/core';
import { createChecksum, type ChecksumAlgorithm } from '../checksums/checksum.js';
import { verifyChecksum } from '../checksums/checksum-headers.js';
import { parseContentMd5 } from '../checksums/content-md5.js';
import { isS3Error, s3Error } from '../errors/s3-error.js';
import type { BlobStore } from '../store/blob-store.js';
import type { StoredPart } from './object-record.js';
import { messageSource } from './message-source.js';
import { encodeTrailer } from './sealed-trailer.js';
import { asWriteVerification } from './write-key-memo.js';
import type { MessageEngine } from './dual-layer-engine.js';

/** The checksum a write verifies: the algorithm and, when the client sent one, its value (a trailer arrives after the body). */
export interface ChecksumPlan {
  readonly algorithm: ChecksumAlgorithm;
  readonly expected?: () => Promise<string | undefined>;
}

export interface MessagePlan {
  readonly engine: MessageEngine;
  readonly encrypt: EncryptOptions;
  /** The context the stored header must authenticate (write-path verification checks it). */
  readonly expectContext: EncryptionContext;
  readonly store: BlobStore;
  readonly blob: string;
  readonly partNumber: number;
  readonly checksum: ChecksumPlan | undefined;
  /** The request's Content-MD5 (base64), verified against the plaintext. */
  readonly contentMd5: string | undefined;
  /** Whether the ETag is the plaintext MD5 (SSE-S3): the MD5 is only computed when this or `contentMd5` asks. */
  readonly md5Etag: boolean;
  /** Most plaintext bytes accepted (EntityTooLarge beyond). */
  readonly maxSize: number;
  /** Exactly this many plaintext bytes, when the request declared a length (IncompleteBody otherwise). */
  readonly declaredSize: number | undefined;
  readonly signal: AbortSignal | undefined;
}

export interface WrittenMessage {
  readonly part: Omit<StoredPart, 'etag'>;
  /** The plaintext MD5, hex, when `md5Etag` asked for it (the SSE-S3 ETag; never sent for SSE-KMS). */
  readonly md5: string | undefined;
  /** The computed checksum, base64, when one was asked for. */
  readonly checksum: string | undefined;
}

const MAX_HEADER_PROBE = 1024 * 1024;

/**
 * Encrypts one message (a whole object, or one part) into its body blob, the way every
 * write goes: plaintext is counted, hashed and checksummed as it streams; the checksums
 * are verified (BadDigest) and appended as the sealed trailer; the header is kept apart
 * for the record; then the write is verified by reading the stored header back,
 * unwrapping its data key through the key store, authenticating it and opening the
 * frames that hold the trailer. Any failure deletes the blob: nothing is acknowledged.
 * @throws {S3Error} BadDigest, EntityTooLarge, IncompleteBody, InternalError (verification)
 * @throws {SealflowError} key-store failures (the caller maps them)
 */
export async function writeMessage(source: AsyncIterable<Uint8Array>, plan: MessagePlan): Promise<WrittenMessage> {
  let failure: unknown;
  let size = 0;
  let trailer: Uint8Array | undefined;
  let computed: string | undefined;
  let computedMd5: string | undefined;
  // MD5 runs at a third of AES-GCM's speed: only when the ETag or a Content-MD5 needs it.
  const md5 = plan.md5Etag || plan.contentMd5 !== undefined ? createHash('md5') : undefined;
  const checksum = plan.checksum === undefined ? undefined : createChecksum(plan.checksum.algorithm);
  async function* plaintext(): AsyncIterable<Uint8Array> {
    try {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > plan.maxSize)
          throw s3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
        md5?.update(chunk);
        checksum?.update(chunk);
        yield chunk;
      }
      if (plan.declaredSize !== undefined && size !== plan.declaredSize) {
        throw s3Error(
          'IncompleteBody',
          'You did not provide the number of bytes specified by the Content-Length HTTP header.',
        );
      }
      const sealed: Partial<Record<ChecksumAlgorithm, Uint8Array>> = {};
      if (checksum !== undefined && plan.checksum !== undefined) {
        const digest = await checksum.digest();
        computed = Buffer.from(digest).toString('base64');
        const expected = await plan.checksum.expected?.();
        if (expected !== undefined) verifyChecksum(plan.checksum.algorithm, expected, computed);
        sealed[plan.checksum.algorithm] = digest;
      }
      const md5Bytes = md5?.digest();
      if (plan.contentMd5 !== undefined && parseContentMd5(plan.contentMd5) !== md5Bytes?.toString('base64')) {
        throw s3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
      }
      if (plan.md5Etag) computedMd5 = md5Bytes?.toString('hex');
      trailer = encodeTrailer(sealed);
      yield trailer;
    } catch (error) {
      failure = error;
      throw error;
    }
  }
  let header: Uint8Array | undefined;
  async function* body(): AsyncIterable<Uint8Array> {
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    for await (const chunk of plan.engine.encryptIterable(plaintext(), plan.encrypt)) {
      if (header !== undefined) {
        yield chunk;
        continue;
      }
      // Copied: the engine may reuse its output buffers, and the header outlives this chunk.
      pending.push(chunk.slice());
      pendingBytes += chunk.length;
      const joined = Buffer.concat(pending);
      let length: number | undefined;
      try {
        length = plan.engine.inspect(joined).headerLength;
      } catch (error) {
        if (!isSealflowError(error) || error.code !== 'ERR_TRUNCATED' || pendingBytes > MAX_HEADER_PROBE) throw error;
      }
      if (length === undefined) continue;
      header = new Uint8Array(joined.subarray(0, length));
      pending = [];
      if (joined.length > length) yield joined.subarray(length);
    }
  }
  let bodyLength: number;
  try {
    bodyLength = (await plan.store.put(plan.blob, body(), plan.signal === undefined ? {} : { signal: plan.signal }))
      .size;
  } catch (error) {
    throw failure ?? error;
  }
  const part = {
    partNumber: plan.partNumber,
    header: header as Uint8Array,
    blob: plan.blob,
    bodyLength,
    plaintextLength: size,
    trailerLength: (trailer as Uint8Array).length,
  };
  await verifyWrite(plan, { ...part, etag: '' }, trailer as Uint8Array);
  return { part, md5: computedMd5, checksum: computed };
}

/**
 * Write-path verification (peers have acknowledged objects they could not read back:
 * MinIO#17377, SeaweedFS#7499): reads the stored header and the final frames back through
 * the engine, which unwraps the data key via the key store, checks the commitment, the
 * header tag and the context, and opens the frames holding the trailer; the trailer read
 * back must be the one written. On any failure the blob is deleted and 500 answered.
 */
async function verifyWrite(plan: MessagePlan, part: StoredPart, trailer: Uint8Array): Promise<void> {
  try {
    // In `verifyWrites: 'local'` mode the key store answers from the key it just generated,
    // and only for the byte-identical EDK and context (write-key-memo.ts).
    const back = await asWriteVerification(() =>
      plan.engine.decryptRange(messageSource(plan.store, part), {
        start: part.plaintextLength,
        end: part.plaintextLength + part.trailerLength,
        expectContext: plan.expectContext,
      }),
    );
    if (!Buffer.from(back).equals(Buffer.from(trailer)))
      throw new Error('the trailer read back differs from the one written');
  } catch (error) {
    await plan.store.delete(part.blob).catch(() => false);
    if (isS3Error(error)) throw error;
    if (isSealflowError(error) && error.name === 'KeyStoreError') throw error;
    throw s3Error('InternalError', 'We encountered an internal error. Please try again.', { cause: error });
  }
}
