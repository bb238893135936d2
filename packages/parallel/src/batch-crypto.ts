import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { ErrorCodes, LimitExceededError, MalformedMessageError, SealflowError, serializeError, WorkerError, FormatLimits } from '@sealflow/core';
import { authenticationFailed, bodyAad, BodyKind, readUint32, writeUint32 } from '@sealflow/core/frames';
import { PREFIX_LENGTH, TAG_BYTES, type BatchReply, type BatchTask } from './batch-task.js';

/**
 * Seals and opens batches of regular frames with node:crypto. Pure functions over the
 * task records: the worker thread runs them, and so can a test on the calling thread.
 * Per frame it is exactly what the core's FrameEncryptor/BodyDecryptor do (spec: esdk
 * message-body.md#regular-frame, message-body-aad.md): IV = 8 zero bytes || uint32 seq,
 * AAD = message ID || "AWSKMSEncryptionClient Frame" || uint32 seq || uint64 frame length.
 */

const ALGORITHMS = { 16: 'aes-128-gcm', 24: 'aes-192-gcm', 32: 'aes-256-gcm' } as const;

/** Imports the task's key and zeroes the transferred bytes at once. */
function importKey(task: BatchTask): { key: KeyObject; algorithm: (typeof ALGORITHMS)[keyof typeof ALGORITHMS] } {
  const raw = new Uint8Array(task.key);
  try {
    const algorithm = ALGORITHMS[raw.length as keyof typeof ALGORITHMS];
    if (algorithm === undefined) throw new WorkerError(ErrorCodes.WORKER_FAILED, `batch task: a ${raw.length}-byte key is not an AES key`);
    // createSecretKey copies the bytes into OpenSSL memory (freed, not zeroed, when the
    // KeyObject is collected: the best JavaScript allows, as in the core backend).
    return { key: createSecretKey(raw), algorithm };
  } finally {
    raw.fill(0);
  }
}

/** Regular-frame AAD with a sequence slot the loop rewrites. */
function regularAad(messageId: Uint8Array, frameLength: number): { aad: Uint8Array; seqOffset: number } {
  return { aad: bodyAad(messageId, BodyKind.REGULAR, 0, frameLength), seqOffset: messageId.length + BodyKind.REGULAR.length };
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
  if (!Number.isSafeInteger(task.outputOffset) || task.outputOffset < 0 || task.outputOffset + size > task.output.byteLength) {
    throw new WorkerError(ErrorCodes.WORKER_FAILED, 'batch task: the output does not fit in the shared memory');
  }
  return { view: new Uint8Array(task.output, task.outputOffset, size), own: undefined };
}

function checkTask(task: BatchTask, unit: number): void {
  const last = task.firstSequence + task.frames - 1;
  if (!Number.isSafeInteger(task.firstSequence) || task.firstSequence < 1 || task.frames < 1 || last > FormatLimits.maxFrameCount) {
    throw new LimitExceededError('maxFrameCount', FormatLimits.maxFrameCount, last);
  }
  if (task.input.byteLength < task.frames * unit) throw new WorkerError(ErrorCodes.WORKER_FAILED, 'batch task: the input is shorter than its frames');
}

const asRecord = (error: unknown): BatchReply['error'] =>
  serializeError(error instanceof SealflowError ? error : new WorkerError(ErrorCodes.WORKER_FAILED, `batch task failed: ${error instanceof Error ? error.message : String(error)}`));

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
    const { aad, seqOffset } = regularAad(task.messageId, fl);
    const input = new Uint8Array(task.input);
    for (let i = 0; i < task.frames; i++) {
      const sequence = task.firstSequence + i;
      const at = i * unit;
      // Sequence number, then the IV: 8 zero bytes || the sequence number again.
      writeUint32(view, at, sequence);
      view.fill(0, at + 4, at + 12);
      writeUint32(view, at + 12, sequence);
      writeUint32(aad, seqOffset, sequence);
      const cipher = createCipheriv(algorithm, key, view.subarray(at + 4, at + PREFIX_LENGTH), { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      view.set(cipher.update(input.subarray(i * fl, (i + 1) * fl)), at + PREFIX_LENGTH);
      cipher.final();
      view.set(cipher.getAuthTag(), at + PREFIX_LENGTH + fl);
      done++;
    }
    return { output: output.own === undefined ? [] : [output.own], frames: done, input: task.input, error: undefined };
  } catch (error) {
    output?.view.fill(0, done * unit);
    return { output: output?.own === undefined ? [] : [output.own], frames: done, input: task.input, error: asRecord(error) };
  }
}

/** A Buffer's bytes as an ArrayBuffer of their own (copied only when the Buffer shares one). */
function ownBuffer(bytes: Buffer): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
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
    const { aad, seqOffset } = regularAad(task.messageId, fl);
    const input = new Uint8Array(task.input);
    for (let i = 0; i < task.frames; i++) {
      const sequence = task.firstSequence + i;
      const frame = input.subarray(i * unit, (i + 1) * unit);
      if (readUint32(frame, 0) !== sequence) {
        throw new MalformedMessageError(ErrorCodes.FRAME_SEQUENCE, 'malformed body: frames are out of sequence');
      }
      writeUint32(aad, seqOffset, sequence);
      // spec: esdk decrypt.md: the IV is used exactly as it appears in the frame.
      const decipher = createDecipheriv(algorithm, key, frame.subarray(4, PREFIX_LENGTH), { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(frame.subarray(PREFIX_LENGTH + fl));
      const plaintext = decipher.update(frame.subarray(PREFIX_LENGTH, PREFIX_LENGTH + fl));
      try {
        decipher.final();
      } catch {
        // Tag mismatch: the unverified bytes never leave this function.
        plaintext.fill(0);
        throw authenticationFailed();
      }
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
