import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { ErrorCodes, LimitExceededError, MalformedMessageError, SealflowError, serializeError, WorkerError, FormatLimits } from '@sealflow/core';
import { authenticationFailed, bodyAad, BodyKind, readUint32, writeUint32 } from '@sealflow/core/internal';
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

/** A Buffer's bytes as an ArrayBuffer of their own (copied only when the Buffer shares one). */
function ownBuffer(bytes: Buffer): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.length && bytes.buffer instanceof ArrayBuffer) return bytes.buffer;
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
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

/** Seals `task.frames` plaintext frames. Never throws: failures come back as records. */
export function sealBatch(task: BatchTask): BatchReply {
  const outputs: ArrayBuffer[] = [];
  const meta = new Uint8Array(task.frames * (PREFIX_LENGTH + TAG_BYTES));
  try {
    checkTask(task, task.frameLength);
    const { key, algorithm } = importKey(task);
    const { aad, seqOffset } = regularAad(task.messageId, task.frameLength);
    const input = new Uint8Array(task.input);
    const fl = task.frameLength;
    for (let i = 0; i < task.frames; i++) {
      const sequence = task.firstSequence + i;
      const at = i * (PREFIX_LENGTH + TAG_BYTES);
      writeUint32(meta, at, sequence);
      writeUint32(meta, at + 12, sequence);
      writeUint32(aad, seqOffset, sequence);
      const cipher = createCipheriv(algorithm, key, meta.subarray(at + 4, at + PREFIX_LENGTH), { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      outputs.push(ownBuffer(cipher.update(input.subarray(i * fl, (i + 1) * fl))));
      cipher.final();
      meta.set(cipher.getAuthTag(), at + PREFIX_LENGTH);
    }
    return { outputs, meta: meta.buffer, input: task.input, error: undefined };
  } catch (error) {
    return { outputs: [], meta: undefined, input: task.input, error: asRecord(error) };
  }
}

/**
 * Opens `task.frames` regular frames in order. A frame's plaintext is kept only after its
 * tag verified; at the first failure it stops, and the reply carries the plaintext of the
 * frames before it and the error. Never throws.
 */
export function openBatch(task: BatchTask): BatchReply {
  const outputs: ArrayBuffer[] = [];
  const fl = task.frameLength;
  const unit = PREFIX_LENGTH + fl + TAG_BYTES;
  try {
    checkTask(task, unit);
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
      outputs.push(ownBuffer(plaintext));
    }
    return { outputs, meta: undefined, input: task.input, error: undefined };
  } catch (error) {
    return { outputs, meta: undefined, input: task.input, error: asRecord(error) };
  }
}
