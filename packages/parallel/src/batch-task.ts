import type { SerializedError } from '@sealflow/core';

/**
 * The plain records that cross the thread boundary. Everything here survives
 * `structuredClone`; the ArrayBuffers are moved (transferred), never copied.
 */

/** What a batch does: seal plaintext frames or open ciphertext frames. */
export type BatchOperation = 'seal' | 'open';

/** One run of consecutive regular frames of one message. */
export interface BatchTask {
  readonly operation: BatchOperation;
  /** The derived message key, in a buffer of its own that the worker zeroes after use. */
  readonly key: ArrayBuffer;
  readonly messageId: Uint8Array;
  readonly frameLength: number;
  /** Sequence number of the first frame in the batch. */
  readonly firstSequence: number;
  readonly frames: number;
  /**
   * `seal`: `frames * frameLength` plaintext bytes. `open`: `frames` whole regular frames
   * (sequence, IV, ciphertext, tag). The buffer may be longer than that; it comes back in
   * the result for reuse.
   */
  readonly input: ArrayBuffer;
}

/** A batch's answer. */
export interface BatchReply {
  /**
   * `seal`: per frame, its ciphertext. `open`: per verified frame, its plaintext; frames
   * after a failure are absent.
   */
  readonly outputs: readonly ArrayBuffer[];
  /** `seal`: per frame, its 16-byte prefix (sequence, IV) followed by its 16-byte tag. */
  readonly meta: ArrayBuffer | undefined;
  /** The task's input buffer, handed back so the next batch need not fault in fresh pages. */
  readonly input: ArrayBuffer;
  /** Set when a frame failed (`open`) or the task was refused; `outputs` holds what came before. */
  readonly error: SerializedError | undefined;
}

/** Bytes of prefix (sequence number and IV) and of tag around each regular frame's ciphertext. */
export const PREFIX_LENGTH = 16;
export const TAG_BYTES = 16;
