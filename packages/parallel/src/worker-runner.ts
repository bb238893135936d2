import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deserializeError, ErrorCodes, WorkerError } from '@sealflow/core';
import { Piscina } from 'piscina';
import { ownedInput, type Batch, type BatchOutput, type BatchRunner, type MessageRunner } from './batch-runner.js';
import { PREFIX_LENGTH, TAG_BYTES, type BatchReply, type BatchTask } from './batch-task.js';

/**
 * The worker file, as plain JavaScript: next to this module in `dist/`, or in the built
 * `dist/` when this module runs from its TypeScript source (the test runner does that;
 * worker threads cannot load TypeScript).
 */
export function defaultWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  return here.endsWith('.ts') ? join(dir, '..', 'dist', 'frame-worker.js') : join(dir, 'frame-worker.js');
}

export interface WorkerRunnerOptions {
  readonly threads: number;
  /** The worker module (a path); tests substitute one that crashes on purpose. */
  readonly filename: string;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Runs batches on a piscina pool of `threads` worker threads, started on first use. Each
 * task moves its input buffer and a private copy of the key to a worker (no copies through
 * the structured-clone serializer); the worker moves its output back, or writes it straight
 * into a one-shot result's shared memory.
 */
export class WorkerRunner implements BatchRunner {
  readonly name = 'workers' as const;
  readonly #options: WorkerRunnerOptions;
  #pool: Piscina<BatchTask, BatchReply> | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** Fails a batch handed to the threads and not yet settled; `close` calls what is left. */
  readonly #unsettled = new Set<(error: WorkerError) => void>();
  #batches = 0;
  #workerFailures = 0;

  constructor(options: WorkerRunnerOptions) {
    this.#options = options;
  }

  get parallelism(): number {
    return this.#options.threads;
  }

  get counters(): { readonly batches: number; readonly workerFailures: number } {
    return { batches: this.#batches, workerFailures: this.#workerFailures };
  }

  forMessage(keyBytes: Uint8Array, messageIdView: Uint8Array, frameLength: number): MessageRunner {
    // Every task clones the message ID: a private 32-byte copy, so a view into a large buffer
    // (the caller's chunk) is never cloned along with it.
    const messageId = Uint8Array.prototype.slice.call(messageIdView);
    let destroyed = false;
    return {
      run: (batch) => {
        if (destroyed) return Promise.reject(new WorkerError(ErrorCodes.WORKER_FAILED, 'the message was aborted'));
        return this.#run(batchTask(batch, keyBytes, messageId, frameLength), batch);
      },
      destroy: () => {
        destroyed = true;
        keyBytes.fill(0);
      },
    };
  }

  /** Shared memory: worker threads write a one-shot result in place. */
  allocate(length: number): Uint8Array {
    return new Uint8Array(new SharedArrayBuffer(length));
  }

  /**
   * Ends every thread at once; the batches still queued or running fail with
   * ERR_WORKER_FAILED (a message caught by the close fails anyway: its later batches
   * would be refused). Not piscina's `close()`: after a thread died, with tasks still
   * queued, it waited for its 30 s close timeout or spun the calling thread for good
   * (it loops asking for a replacement thread that a closing pool never starts).
   */
  close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    const failures = [...this.#unsettled];
    this.#unsettled.clear();
    const closed = new WorkerError(ErrorCodes.WORKER_FAILED, 'the frame pool was closed while a message was using it');
    for (const fail of failures) fail(closed);
    // destroy() drops the queue and terminates the threads; a task it cuts short never
    // settles on its own, which is why each was failed above.
    this.#closing ??= pool === undefined ? Promise.resolve() : pool.destroy();
    return this.#closing;
  }

  async #run(task: BatchTask, batch: Batch): Promise<BatchOutput> {
    if (this.#closed) {
      new Uint8Array(task.key).fill(0);
      throw new WorkerError(ErrorCodes.WORKER_FAILED, 'the frame pool was closed while a message was using it');
    }
    const pool = (this.#pool ??= this.#start());
    this.#batches++;
    let reply: BatchReply;
    try {
      reply = await this.#untilClosed(pool.run(task, { transferList: [task.key, task.input] }));
    } catch (error) {
      // The pool was closed under the task.
      if (error instanceof WorkerError) throw error;
      // The thread died (crash, exit, out of memory).
      this.#workerFailures++;
      const doing = batch.operation === 'seal' ? 'sealing' : 'opening';
      throw new WorkerError(
        ErrorCodes.WORKER_FAILED,
        `a worker thread failed while ${doing} frames ${batch.firstSequence}-${batch.firstSequence + batch.frames - 1}: ${describe(error)}`,
        { cause: error },
      );
    }
    return batchOutput(batch, task, reply);
  }

  /** `running`, or a WorkerError once the pool is closed, whichever comes first. */
  #untilClosed(running: Promise<BatchReply>): Promise<BatchReply> {
    return new Promise<BatchReply>((resolve, reject) => {
      this.#unsettled.add(reject);
      running.then(
        (reply) => {
          this.#unsettled.delete(reject);
          resolve(reply);
        },
        (error: unknown) => {
          this.#unsettled.delete(reject);
          reject(error);
        },
      );
    });
  }

  #start(): Piscina<BatchTask, BatchReply> {
    const { threads, filename } = this.#options;
    const pool = new Piscina<BatchTask, BatchReply>({
      filename: pathToFileURL(filename).href,
      minThreads: threads,
      maxThreads: threads,
      // Idle threads are unref'd by piscina, so an idle pool never keeps the process alive.
      idleTimeout: 60_000,
      // One task per thread at a time (the default, said on purpose): with more, a thread that
      // dies takes finished-but-undelivered batches down with it.
      concurrentTasksPerWorker: 1,
      // No per-task timing histograms: they cost the calling thread time on every batch.
      recordTiming: false,
    });
    // A thread that dies between tasks is replaced by piscina; without a listener the
    // 'error' event it emits would crash the process.
    pool.on('error', () => {
      this.#workerFailures++;
    });
    return pool;
  }
}

/**
 * The record a worker gets for `batch`: a private copy of the key (moved to the worker,
 * which zeroes it after importing it), and the batch's destination when it lies in
 * shared memory the worker can write.
 */
export function batchTask(batch: Batch, keyBytes: Uint8Array, messageId: Uint8Array, frameLength: number): BatchTask {
  const key = new Uint8Array(keyBytes.length);
  key.set(keyBytes);
  const shared = batch.destination?.buffer instanceof SharedArrayBuffer ? batch.destination : undefined;
  return {
    operation: batch.operation,
    key: key.buffer,
    messageId,
    frameLength,
    firstSequence: batch.firstSequence,
    frames: batch.frames,
    input: ownedInput(batch),
    output: shared?.buffer as SharedArrayBuffer | undefined,
    outputOffset: shared?.byteOffset ?? 0,
  };
}

/** A worker's reply to `task` as the batch's output on the calling thread. @throws {WorkerError} for a reply without its output */
export function batchOutput(batch: Batch, task: BatchTask, reply: BatchReply): BatchOutput {
  const error = reply.error === undefined ? undefined : deserializeError(reply.error);
  const bytes =
    reply.frames * (task.operation === 'seal' ? PREFIX_LENGTH + task.frameLength + TAG_BYTES : task.frameLength);
  if (bytes === 0) return { pieces: [], frames: 0, input: reply.input, error };
  // Written in place: the output is the batch's shared destination.
  if (task.output !== undefined)
    return {
      pieces: [(batch.destination as Uint8Array).subarray(0, bytes)],
      frames: reply.frames,
      input: reply.input,
      error,
    };
  const received = reply.output.map((buffer) => new Uint8Array(buffer));
  const length = received.reduce((n, piece) => n + piece.length, 0);
  if (task.operation === 'seal' ? length < bytes : length !== bytes)
    throw new WorkerError(ErrorCodes.WORKER_FAILED, 'a worker thread answered without its output');
  // A sealed batch is one buffer, zeroed past the frames done; opened frames are a buffer each.
  const pieces = task.operation === 'seal' ? received.map((piece) => piece.subarray(0, bytes)) : received;
  return { pieces, frames: reply.frames, input: reply.input, error };
}
