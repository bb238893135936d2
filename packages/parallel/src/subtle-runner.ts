import { webcrypto } from 'node:crypto';
import { ErrorCodes, isSealflowError, WorkerError, type SealflowError } from '@sealflow/core';
import {
  authenticationFailed,
  BodyKind,
  FrameAad,
  openRegularFrame,
  sealRegularFrame,
  type FrameCipher,
} from '@sealflow/core/frames';
import { ownedInput, type Batch, type BatchOutput, type BatchRunner, type MessageRunner } from './batch-runner.js';
import { PREFIX_LENGTH, TAG_BYTES } from './batch-task.js';

const { subtle } = webcrypto;
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Runs batches through WebCrypto (`crypto.subtle`): every frame is its own AES-GCM job on
 * libuv's thread pool (UV_THREADPOOL_SIZE threads, 4 by default, process-wide), so the
 * calling thread only builds prefixes and AADs. WebCrypto copies each input when the call
 * is made and returns ciphertext and tag as one new buffer; decrypt returns plaintext only
 * after the tag verified.
 */
export class SubtleRunner implements BatchRunner {
  readonly name = 'subtle' as const;
  #batches = 0;

  /** libuv's thread pool size (4 unless UV_THREADPOOL_SIZE set it at start). */
  get parallelism(): number {
    const size = Number(process.env.UV_THREADPOOL_SIZE);
    return Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4;
  }

  get counters(): { readonly batches: number; readonly workerFailures: number } {
    return { batches: this.#batches, workerFailures: 0 };
  }

  forMessage(keyBytes: Uint8Array, messageId: Uint8Array, frameLength: number): MessageRunner {
    // Non-extractable: the bytes cannot be read back out of the CryptoKey.
    const key = subtle.importKey('raw', keyBytes, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    // Zeroed once the import has its own copy (WebCrypto copies on the call; waiting costs nothing).
    void key.then(
      () => keyBytes.fill(0),
      () => keyBytes.fill(0),
    );
    let destroyed = false;
    return {
      run: async (batch) => {
        if (destroyed) throw new WorkerError(ErrorCodes.WORKER_FAILED, 'the message was aborted');
        this.#batches++;
        try {
          return batch.operation === 'seal'
            ? await seal(await key, messageId, frameLength, batch)
            : await open(await key, messageId, frameLength, batch);
        } catch (error) {
          throw new WorkerError(ErrorCodes.WORKER_FAILED, `crypto.subtle failed: ${describe(error)}`, { cause: error });
        }
      },
      destroy: () => {
        destroyed = true;
        keyBytes.fill(0);
      },
    };
  }

  /** Ordinary memory: the calling thread writes each batch's output to its place. */
  allocate(length: number): Uint8Array {
    return new Uint8Array(length);
  }

  async close(): Promise<void> {}
}

const gcm = (iv: Uint8Array, additionalData: Uint8Array): webcrypto.AesGcmParams => ({
  name: 'AES-GCM',
  iv,
  additionalData,
  tagLength: TAG_BYTES * 8,
});

/**
 * WebCrypto's FrameCipher: each frame is a job on libuv's pool. WebCrypto copies its inputs
 * when called (so the reused AAD and the IV in place are safe to rewrite for the next
 * frame), answers ciphertext || tag as one buffer, and rejects on a tag mismatch (opened:
 * undefined). `openFrame` wants the tag right after the ciphertext, as frames lay them out.
 */
function subtleCipher(key: webcrypto.CryptoKey): FrameCipher<Promise<ArrayBuffer>, Promise<Uint8Array | undefined>> {
  return {
    sealFrame: (iv, aad, content) => subtle.encrypt(gcm(iv, aad), key, content),
    openFrame: (iv, aad, ciphertext, tag) =>
      subtle
        .decrypt(
          gcm(iv, aad),
          key,
          new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length + tag.length),
        )
        .then(
          (buffer) => new Uint8Array(buffer),
          () => undefined,
        ),
  };
}

async function seal(key: webcrypto.CryptoKey, messageId: Uint8Array, fl: number, batch: Batch): Promise<BatchOutput> {
  const unit = PREFIX_LENGTH + fl + TAG_BYTES;
  const input = new Uint8Array(ownedInput(batch));
  const output = batch.destination ?? new Uint8Array(batch.frames * unit);
  const cipher = subtleCipher(key);
  const aad = new FrameAad(messageId, BodyKind.REGULAR, fl);
  const jobs: Promise<ArrayBuffer>[] = [];
  for (let i = 0; i < batch.frames; i++) {
    jobs.push(
      sealRegularFrame(cipher, aad, output, i * unit, batch.firstSequence + i, input.subarray(i * fl, (i + 1) * fl)),
    );
  }
  // WebCrypto answers ciphertext || tag: exactly the frame's bytes after its prefix.
  const sealed = await Promise.all(jobs);
  sealed.forEach((buffer, i) => output.set(new Uint8Array(buffer), i * unit + PREFIX_LENGTH));
  return {
    pieces: [output.subarray(0, batch.frames * unit)],
    frames: batch.frames,
    input: ownedInput(batch),
    error: undefined,
  };
}

async function open(key: webcrypto.CryptoKey, messageId: Uint8Array, fl: number, batch: Batch): Promise<BatchOutput> {
  const unit = PREFIX_LENGTH + fl + TAG_BYTES;
  const input = new Uint8Array(ownedInput(batch));
  const cipher = subtleCipher(key);
  const aad = new FrameAad(messageId, BodyKind.REGULAR, fl);
  const jobs: Promise<Uint8Array | undefined>[] = [];
  let error: SealflowError | undefined;
  for (let i = 0; i < batch.frames; i++) {
    const frame = input.subarray(i * unit, (i + 1) * unit);
    try {
      jobs.push(openRegularFrame(cipher, aad, frame, batch.firstSequence + i, fl));
    } catch (thrown) {
      // Out of sequence (ERR_FRAME_SEQUENCE): the batch stops before this frame.
      if (!isSealflowError(thrown)) throw thrown;
      error = thrown;
      break;
    }
  }
  const opened = await Promise.all(jobs);
  let verified = opened.findIndex((plaintext) => plaintext === undefined);
  if (verified === -1) verified = opened.length;
  else error = authenticationFailed();
  // Output stops at the first failure (frames after it verified on their own, and are dropped).
  for (const plaintext of opened.slice(verified)) plaintext?.fill(0);
  const kept = opened.slice(0, verified) as Uint8Array[];
  const destination = batch.destination;
  if (destination === undefined) return { pieces: kept, frames: verified, input: ownedInput(batch), error };
  kept.forEach((plaintext, i) => {
    destination.set(plaintext, i * fl);
    plaintext.fill(0);
  });
  return {
    pieces: verified === 0 ? [] : [destination.subarray(0, verified * fl)],
    frames: verified,
    input: ownedInput(batch),
    error,
  };
}
