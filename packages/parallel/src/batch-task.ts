import type { SerializedError } from '@sealflow/core';

/**
 * The plain records that cross the thread boundary. Everything here survives
 * `structuredClone`; the ArrayBuffers are moved (transferred), never copied, and a
 * SharedArrayBuffer destination is shared.
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
   * the reply for reuse.
   */
  readonly input: ArrayBuffer;
  /**
   * Where the output goes, when the message's result lives in shared memory (one-shot
   * calls): written from `outputOffset` on. Otherwise the worker allocates the output.
   */
  readonly output: SharedArrayBuffer | undefined;
  readonly outputOffset: number;
}

/** A batch's answer. */
export interface BatchReply {
  /**
   * The output, when the task named no shared output (else empty). `seal`: one buffer of
   * whole regular frames (sequence, IV, ciphertext, tag), bytes past the `frames` done
   * zeroed. `open`: per verified frame, its plaintext, in the very buffer node:crypto
   * returned (no copy).
   */
  readonly output: readonly ArrayBuffer[];
  /** `seal`: frames sealed. `open`: frames verified, in order, before any failure. */
  readonly frames: number;
  /** The task's input buffer, handed back so the next batch need not fault in fresh pages. */
  readonly input: ArrayBuffer;
  /** Set when a frame failed (`open`) or the task was refused; `frames` counts what came before. */
  readonly error: SerializedError | undefined;
}

/** Bytes of prefix (sequence number and IV) and of tag around each regular frame's ciphertext. */
export const PREFIX_LENGTH = 16;
export const TAG_BYTES = 16;
