import { ErrorCodes, WorkerError, type SealflowError } from '@sealflow/core';
import type { BatchOperation } from './batch-task.js';

/** Consecutive regular frames of one message, handed to a runner. */
export interface Batch {
  readonly operation: BatchOperation;
  readonly firstSequence: number;
  readonly frames: number;
  /**
   * The batch's bytes: a batch buffer whose ownership passes to the runner (it may come
   * back in the output), or, for runners that read in place (`readsInPlace`), a view of
   * the caller's one-shot input, which the engine owns until the one-shot call settles.
   */
  readonly input: ArrayBuffer | Uint8Array;
  /**
   * The batch's output bytes at their final place in a one-shot result (`seal`:
   * `frames` whole frames; `open`: `frames * frameLength` bytes), when there is one.
   */
  readonly destination: Uint8Array | undefined;
}

/** A batch's result on the calling thread, ready to emit in order. */
export interface BatchOutput {
  /**
   * `seal`: the batch's whole frames, as one piece. `open`: the plaintext of the frames
   * that verified, a piece per frame. One view of the batch's destination when it had one.
   */
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

/** Where batches run: piscina worker threads, `crypto.subtle` or the native backend on libuv's pool. */
export interface BatchRunner {
  readonly name: 'workers' | 'subtle' | 'native';
  /** Batches it runs at once (threads). */
  readonly parallelism: number;
  /**
   * Whether batches may be views of the caller's one-shot input, read where they are (the
   * native runner: libuv tasks share the process's memory). A one-shot message then goes
   * as one batch, which such a runner spreads over its free threads (their tasks claim
   * runs of its frames), so no thread waits for the calling thread between batches.
   * Absent or false: batches are batch buffers the body copied the bytes into, moved to
   * the runner.
   */
  readonly readsInPlace?: boolean;
  /** Takes ownership of `keyBytes` (the derived message key) and zeroes them on `destroy`. */
  forMessage(keyBytes: Uint8Array, messageId: Uint8Array, frameLength: number): MessageRunner;
  /**
   * Memory for a one-shot result that this runner's batches can write in place
   * (shared memory for worker threads), or undefined when it cannot.
   */
  allocate(length: number): Uint8Array | undefined;
  /** Batches run so far, and batches that failed because their thread died. */
  readonly counters: { readonly batches: number; readonly workerFailures: number };
  close(): Promise<void>;
}

/**
 * The batch's input buffer, for runners that move it elsewhere (worker threads) or read it
 * later (crypto.subtle): they never get a view (`readsInPlace` is not set for them).
 * @throws {WorkerError} WORKER_FAILED when the batch is a view (a bug in the caller).
 */
export function ownedInput(batch: Batch): ArrayBuffer {
  if (batch.input instanceof ArrayBuffer) return batch.input;
  throw new WorkerError(ErrorCodes.WORKER_FAILED, 'this runner does not read batches in place');
}
