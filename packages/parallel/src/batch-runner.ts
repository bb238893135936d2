import type { SealflowError } from '@sealflow/core';
import type { BatchOperation } from './batch-task.js';

/** Consecutive regular frames of one message, handed to a runner. */
export interface Batch {
  readonly operation: BatchOperation;
  readonly firstSequence: number;
  readonly frames: number;
  /** Exactly the batch's bytes; ownership passes to the runner (it may come back in the output). */
  readonly input: ArrayBuffer;
}

/** A batch's result on the calling thread, ready to emit in order. */
export interface BatchOutput {
  /** `seal`: prefix, ciphertext and tag of each frame. `open`: the plaintext of each verified frame. */
  readonly pieces: readonly Uint8Array[];
  /** Frames the pieces cover. */
  readonly frames: number;
  /** The input buffer, back for reuse (undefined when it could not come back). */
  readonly input: ArrayBuffer | undefined;
  /** A frame failed (`open`); the pieces hold the frames before it. */
  readonly error: SealflowError | undefined;
}

/** One message's view of a runner: it holds the message key until `destroy`. */
export interface MessageRunner {
  /** Runs a batch. Rejects only with a `WorkerError` (the thread or the runtime failed). */
  run(batch: Batch): Promise<BatchOutput>;
  /** Zeroes the message key. Safe to call twice. */
  destroy(): void;
}

/** Where batches run: piscina worker threads or `crypto.subtle`. */
export interface BatchRunner {
  readonly name: 'workers' | 'subtle';
  /** Takes ownership of `keyBytes` (the derived message key) and zeroes them on `destroy`. */
  forMessage(keyBytes: Uint8Array, messageId: Uint8Array, frameLength: number): MessageRunner;
  /** Batches run so far, and batches that failed because their thread died. */
  readonly counters: { readonly batches: number; readonly workerFailures: number };
  close(): Promise<void>;
}
