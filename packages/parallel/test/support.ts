// Test helpers for @sealflow/parallel. Not a test file: vitest only collects *.test.ts.
import { ErrorCodes, WorkerError, type FrameOffload } from '@sealflow/core';
import { ContentType } from '@sealflow/core/frames';
import { openBatch, sealBatch } from '../src/batch-crypto.js';
import type { Batch, BatchOutput, BatchRunner, MessageRunner } from '../src/batch-runner.js';
import { PREFIX_LENGTH, TAG_BYTES } from '../src/batch-task.js';
import { BufferPool } from '../src/buffer-pool.js';
import { OffloadedDecryptBody } from '../src/decrypt-body.js';
import { OffloadedEncryptBody } from '../src/encrypt-body.js';
import { batchOutput, batchTask } from '../src/worker-runner.js';

/** A batch the inline runner holds until the test lets it finish. */
export interface HeldBatch {
  readonly batch: Batch;
  /** Runs the batch (on this thread, with the worker's own code) and settles its promise. */
  finish(): void;
  /** Settles it as if its worker thread had died. */
  crash(): void;
}

/**
 * A BatchRunner that runs batches on the calling thread with the worker's code
 * (sealBatch/openBatch, and the worker runner's task and reply handling), and settles each only when the test says so: the test decides
 * the order in which batches finish, and sees every key and batch that was handed over.
 */
export class InlineRunner implements BatchRunner {
  readonly name = 'workers' as const;
  readonly held: HeldBatch[] = [];
  /** Every key copy given to a message (to check they are zeroed). */
  readonly keys: Uint8Array[] = [];
  /** Bytes handed over and not yet settled, and the most there ever were. */
  outstanding = 0;
  peakOutstanding = 0;
  batches = 0;
  /** Frames of each batch, in dispatch order. */
  readonly frames: number[] = [];
  /** When true, batches finish as soon as they are dispatched (on a microtask). */
  auto = false;

  readonly parallelism = 1;

  get counters(): { readonly batches: number; readonly workerFailures: number } {
    return { batches: this.batches, workerFailures: 0 };
  }

  forMessage(keyBytes: Uint8Array, messageId: Uint8Array, frameLength: number): MessageRunner {
    this.keys.push(keyBytes);
    return {
      run: (batch) => this.#run(keyBytes, messageId, frameLength, batch),
      destroy: () => keyBytes.fill(0),
    };
  }

  /** Shared memory, as the worker runner gives, so one-shot results are written in place. */
  allocate(length: number): Uint8Array {
    return new Uint8Array(new SharedArrayBuffer(length));
  }

  async close(): Promise<void> {}

  /** Finishes held batches in the given order of their indexes (default: all, last first). */
  finishAll(order: 'reverse' | 'forward' = 'reverse'): void {
    const batches = this.held.splice(0);
    for (const held of order === 'reverse' ? batches.reverse() : batches) held.finish();
  }

  #run(keyBytes: Uint8Array, messageId: Uint8Array, frameLength: number, batch: Batch): Promise<BatchOutput> {
    this.batches++;
    this.frames.push(batch.frames);
    // The batch's own bytes (its buffer may be longer: buffers come in size classes).
    const size = batch.frames * (batch.operation === 'seal' ? frameLength : frameLength + PREFIX_LENGTH + TAG_BYTES);
    this.outstanding += size;
    this.peakOutstanding = Math.max(this.peakOutstanding, this.outstanding);
    return new Promise<BatchOutput>((resolve, reject) => {
      const held: HeldBatch = {
        batch,
        finish: () => {
          this.outstanding -= size;
          const task = batchTask(batch, keyBytes, messageId, frameLength);
          resolve(batchOutput(batch, task, batch.operation === 'seal' ? sealBatch(task) : openBatch(task)));
        },
        crash: () => {
          this.outstanding -= size;
          reject(new WorkerError(ErrorCodes.WORKER_FAILED, 'a worker thread failed: worker exited with code 1'));
        },
      };
      if (this.auto) queueMicrotask(() => held.finish());
      else this.held.push(held);
    });
  }
}

/** Waits until pending promise reactions (and a macrotask turn) ran. */
export const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export const join = (parts: readonly Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

/**
 * A FrameOffload with the real bodies over `runner` (no size threshold: every message is
 * offloaded). One-shot results are written in place unless `inPlace` is false.
 */
export function inlineOffload(
  runner: BatchRunner,
  batchBytes: number,
  maxInFlightBytes: number,
  inPlace = true,
): FrameOffload & { buffers: BufferPool } {
  const buffers = new BufferPool(64 * 1024 * 1024);
  const settings = { runner, buffers, batchBytes, maxInFlightBytes };
  return {
    name: 'inline',
    buffers,
    encryptBody: (init) => new OffloadedEncryptBody(init, settings),
    decryptBody: (init) =>
      init.header.contentType === ContentType.FRAMED ? new OffloadedDecryptBody(init, settings) : undefined,
    ...(inPlace ? { allocate: (length: number) => runner.allocate(length) } : {}),
  };
}
