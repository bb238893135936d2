import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import {
  ErrorCodes,
  LimitExceededError,
  SealflowError,
  serializeError,
  WorkerError,
  FormatLimits,
} from '@sealflow/core';
import {
  authenticationFailed,
  BodyKind,
  FrameAad,
  openRegularFrame,
  sealRegularFrame,
  type FrameCipher,
} from '@sealflow/core/frames';
import { PREFIX_LENGTH, TAG_BYTES, type BatchReply, type BatchTask } from './batch-task.js';

/**
 * Seals and opens batches of regular frames with node:crypto. Pure functions over the
 * task records: the worker thread runs them, and so can a test on the calling thread.
 * Per frame it is exactly what the core's FrameEncryptor/BodyDecryptor do: the same frame
 * layout (@sealflow/core/frames: prefix, sequence-number IV, body AAD) over this file's
 * node:crypto FrameCipher.
 */

const ALGORITHMS = { 16: 'aes-128-gcm', 24: 'aes-192-gcm', 32: 'aes-256-gcm' } as const;

/** Imports the task's key and zeroes the transferred bytes at once. */
function importKey(task: BatchTask): { key: KeyObject; algorithm: (typeof ALGORITHMS)[keyof typeof ALGORITHMS] } {
  const raw = new Uint8Array(task.key);
  try {
    const algorithm = ALGORITHMS[raw.length as keyof typeof ALGORITHMS];
    if (algorithm === undefined)
      throw new WorkerError(ErrorCodes.WORKER_FAILED, `batch task: a ${raw.length}-byte key is not an AES key`);
    // createSecretKey copies the bytes into OpenSSL memory (freed, not zeroed, when the
    // KeyObject is collected: the best JavaScript allows, as in the core backend).
    return { key: createSecretKey(raw), algorithm };
  } finally {
    raw.fill(0);
  }
}

/** Sealed: node:crypto writes the ciphertext straight to its place; the tag comes back. */
type WorkerSealed = Buffer;
/** Opened: the plaintext, zeroed and undefined when the tag does not verify. */
type WorkerOpened = Buffer | undefined;

/**
 * The worker threads' FrameCipher: node:crypto AES-GCM under the task's KeyObject. `sealFrame`
 * writes the ciphertext at `into` (the frame's place in the output) and returns the tag.
 */
function workerCipher(
  key: KeyObject,
  algorithm: (typeof ALGORITHMS)[keyof typeof ALGORITHMS],
  into: { view: Uint8Array; at: number },
): FrameCipher<WorkerSealed, WorkerOpened> {
  return {
    sealFrame: (iv, aad, content) => {
      const cipher = createCipheriv(algorithm, key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      into.view.set(cipher.update(content), into.at);
      cipher.final();
      return cipher.getAuthTag();
    },
    openFrame: (iv, aad, ciphertext, tag) => {
      const decipher = createDecipheriv(algorithm, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      const plaintext = decipher.update(ciphertext);
      try {
        decipher.final();
      } catch {
        // Tag mismatch: the unverified bytes never leave this function.
        plaintext.fill(0);
        return undefined;
      }
      return plaintext;
    },
  };
}

/**
 * The batch's output: a view of the task's shared output, or a buffer of the worker's own
 * (not zero-filled: every byte is written or zeroed before the reply).
 */
function outputFor(task: BatchTask, size: number): { view: Uint8Array; own: ArrayBuffer | undefined } {
  if (task.output === undefined) {
    const own = Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer;
    return { view: new Uint8Array(own, 0, size), own };
  }
  if (
    !Number.isSafeInteger(task.outputOffset) ||
    task.outputOffset < 0 ||
    task.outputOffset + size > task.output.byteLength
  ) {
    throw new WorkerError(ErrorCodes.WORKER_FAILED, 'batch task: the output does not fit in the shared memory');
  }
  return { view: new Uint8Array(task.output, task.outputOffset, size), own: undefined };
}

function checkTask(task: BatchTask, unit: number): void {
  const last = task.firstSequence + task.frames - 1;
  if (
    !Number.isSafeInteger(task.firstSequence) ||
    task.firstSequence < 1 ||
    task.frames < 1 ||
    last > FormatLimits.maxFrameCount
  ) {
    throw new LimitExceededError('maxFrameCount', FormatLimits.maxFrameCount, last);
  }
  if (task.input.byteLength < task.frames * unit)
    throw new WorkerError(ErrorCodes.WORKER_FAILED, 'batch task: the input is shorter than its frames');
}

const asRecord = (error: unknown): BatchReply['error'] =>
  serializeError(
    error instanceof SealflowError
      ? error
      : new WorkerError(
          ErrorCodes.WORKER_FAILED,
          `batch task failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
  );

/** Seals `task.frames` plaintext frames into whole frames. Never throws: failures come back as records. */
export function sealBatch(task: BatchTask): BatchReply {
  const fl = task.frameLength;
  const unit = PREFIX_LENGTH + fl + TAG_BYTES;
  let output: { view: Uint8Array; own: ArrayBuffer | undefined } | undefined;
  let done = 0;
  try {
    checkTask(task, fl);
    output = outputFor(task, task.frames * unit);
    const { view } = output;
    const { key, algorithm } = importKey(task);
    const aad = new FrameAad(task.messageId, BodyKind.REGULAR, fl);
    const into = { view, at: 0 };
    const cipher = workerCipher(key, algorithm, into);
    const input = new Uint8Array(task.input);
    for (let i = 0; i < task.frames; i++) {
      const at = i * unit;
      into.at = at + PREFIX_LENGTH;
      const tag = sealRegularFrame(cipher, aad, view, at, task.firstSequence + i, input.subarray(i * fl, (i + 1) * fl));
      view.set(tag, at + PREFIX_LENGTH + fl);
      done++;
    }
    return { output: output.own === undefined ? [] : [output.own], frames: done, input: task.input, error: undefined };
  } catch (error) {
    output?.view.fill(0, done * unit);
    return {
      output: output?.own === undefined ? [] : [output.own],
      frames: done,
      input: task.input,
      error: asRecord(error),
    };
  }
}

/** A Buffer's bytes as an ArrayBuffer of their own (copied only when the Buffer shares one). */
function ownBuffer(bytes: Buffer): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length && bytes.buffer instanceof ArrayBuffer)
    return bytes.buffer;
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  bytes.fill(0);
  return copy.buffer;
}

/**
 * Opens `task.frames` regular frames in order. A frame's plaintext is kept only after its
 * tag verified: written to the shared output when the task names one, else handed back as
 * the buffer node:crypto returned (no copy). At the first failure it stops, and the reply
 * counts the frames before it and carries the error. Never throws.
 */
export function openBatch(task: BatchTask): BatchReply {
  const fl = task.frameLength;
  const unit = PREFIX_LENGTH + fl + TAG_BYTES;
  const plaintexts: ArrayBuffer[] = [];
  let shared: Uint8Array | undefined;
  let done = 0;
  try {
    checkTask(task, unit);
    shared = task.output === undefined ? undefined : outputFor(task, task.frames * fl).view;
    const { key, algorithm } = importKey(task);
    const aad = new FrameAad(task.messageId, BodyKind.REGULAR, fl);
    const cipher = workerCipher(key, algorithm, { view: new Uint8Array(0), at: 0 });
    const input = new Uint8Array(task.input);
    for (let i = 0; i < task.frames; i++) {
      const frame = input.subarray(i * unit, (i + 1) * unit);
      const plaintext = openRegularFrame(cipher, aad, frame, task.firstSequence + i, fl);
      if (plaintext === undefined) throw authenticationFailed();
      if (shared === undefined) {
        plaintexts.push(ownBuffer(plaintext));
      } else {
        // Verified: now it may reach the output. The temporary copy does not outlive this frame.
        shared.set(plaintext, i * fl);
        plaintext.fill(0);
      }
      done++;
    }
    return { output: plaintexts, frames: done, input: task.input, error: undefined };
  } catch (error) {
    return { output: plaintexts, frames: done, input: task.input, error: asRecord(error) };
  }
}
