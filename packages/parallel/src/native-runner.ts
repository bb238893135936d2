import {
  autoBackend,
  ErrorCodes,
  InvalidArgumentError,
  isSealflowError,
  WorkerError,
  type CipherBackend,
  type CipherKey,
} from '@sealflow/core';
import { authenticationFailed } from '@sealflow/core/frames';
import type { Batch, BatchOutput, BatchRunner, MessageRunner } from './batch-runner.js';
import { PREFIX_LENGTH, TAG_BYTES } from './batch-task.js';

type AsyncBatch = NonNullable<CipherBackend['sealRegularFramesAsync']>;
type AsyncOpen = NonNullable<CipherBackend['openRegularFramesAsync']>;
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
/** The batch's first `length` bytes: of its batch buffer, or of the view of the caller's input. */
const inputOf = (batch: Batch, length: number): Uint8Array =>
  batch.input instanceof ArrayBuffer ? new Uint8Array(batch.input, 0, length) : batch.input.subarray(0, length);
/** The batch buffer back for reuse (a view of the caller's input is not ours to reuse). */
const returned = (batch: Batch): ArrayBuffer | undefined =>
  batch.input instanceof ArrayBuffer ? batch.input : undefined;

/**
 * Runs batches through the native backend (`@sealflow/native`: ring's AES-GCM) as tasks on
 * libuv's thread pool, at most `threads` at once: a stream batch is one task that seals or
 * opens all its frames into a fresh buffer; a one-shot batch takes every free slot and is
 * shared by that many tasks, which claim runs of its frames until none is left and write
 * them at their place in the destination (no task waits for this thread between runs, so
 * the threads end together). No worker threads, no messages. A batch's input is either a batch buffer the pipeline
 * copied a stream's bytes into (nothing else holds it), or, for one-shot calls
 * (`readsInPlace`), a view of the caller's input, read where it is: the engine owns the
 * caller's input and output until the call settles, and the native code reads each input
 * byte exactly once (into the output, where it is sealed or opened in place), so even a
 * caller breaking that rule cannot get plaintext out that did not authenticate.
 */
export class NativeRunner implements BatchRunner {
  readonly name = 'native' as const;
  readonly parallelism: number;
  readonly readsInPlace = true;
  readonly #backend: CipherBackend;
  readonly #seal: AsyncBatch;
  readonly #open: AsyncOpen;
  #batches = 0;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  /** @throws {InvalidArgumentError} when the native backend is not loaded (import `@sealflow/native` first). */
  constructor(threads: number, backend: CipherBackend = autoBackend()) {
    const seal = backend.sealRegularFramesAsync;
    const open = backend.openRegularFramesAsync;
    if (backend.name !== 'native' || seal === undefined || open === undefined) {
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        "createFramePool mode 'native' needs the native backend: import '@sealflow/native' (built where cargo exists)",
      );
    }
    this.parallelism = threads;
    this.#backend = backend;
    this.#seal = seal;
    this.#open = open;
  }

  /**
   * A stream batch's output: the backend's batch memory, uninitialized (no zero fill on the
   * calling thread: it cost that thread as much as a copy). The native call writes every byte
   * of it before any is released: a sealed frame is prefix, ciphertext and tag; an opened
   * batch is all verified plaintext, or zeroed and released not at all.
   */
  #fresh(length: number): Uint8Array {
    return this.#backend.allocateBatchOutput?.(length) ?? new Uint8Array(length);
  }

  get counters(): { readonly batches: number; readonly workerFailures: number } {
    return { batches: this.#batches, workerFailures: 0 };
  }

  forMessage(keyBytes: Uint8Array, messageId: Uint8Array, frameLength: number): MessageRunner {
    // The native key schedule holds its own copy; ours is wiped at once.
    const key = this.#backend.importKey(keyBytes);
    keyBytes.fill(0);
    const id = Uint8Array.from(messageId);
    let destroyed = false;
    return {
      run: async (batch) => {
        await this.#slot();
        // A one-shot batch (a view of the caller's input: the whole message) also takes every
        // other free slot: its frames are shared by that many tasks.
        const tasks = 1 + (batch.input instanceof ArrayBuffer ? 0 : this.#takeFree());
        try {
          if (destroyed) throw new WorkerError(ErrorCodes.WORKER_FAILED, 'the message was aborted');
          this.#batches++;
          return batch.operation === 'seal'
            ? await this.#sealBatch(key, id, frameLength, batch, tasks)
            : await this.#openBatch(key, id, frameLength, batch, tasks);
        } finally {
          for (let i = 0; i < tasks; i++) this.#release();
        }
      },
      destroy: () => {
        destroyed = true;
      },
    };
  }

  /** Ordinary memory: the native tasks write each batch's output at its place. */
  allocate(length: number): Uint8Array {
    return new Uint8Array(length);
  }

  async close(): Promise<void> {}

  async #sealBatch(key: CipherKey, id: Uint8Array, fl: number, batch: Batch, tasks: number): Promise<BatchOutput> {
    const input = inputOf(batch, batch.frames * fl);
    const output = batch.destination ?? this.#fresh(batch.frames * (PREFIX_LENGTH + fl + TAG_BYTES));
    try {
      await this.#seal.call(this.#backend, key, id, fl, batch.firstSequence, input, output, tasks);
    } catch (error) {
      throw new WorkerError(ErrorCodes.WORKER_FAILED, `native seal failed: ${describe(error)}`, { cause: error });
    }
    return { pieces: [output], frames: batch.frames, input: returned(batch), error: undefined };
  }

  async #openBatch(key: CipherKey, id: Uint8Array, fl: number, batch: Batch, tasks: number): Promise<BatchOutput> {
    const input = inputOf(batch, batch.frames * (PREFIX_LENGTH + fl + TAG_BYTES));
    const output = batch.destination ?? this.#fresh(batch.frames * fl);
    try {
      // A failing batch releases none of its frames: the backend zeroed what it wrote.
      if (await this.#open.call(this.#backend, key, id, fl, batch.firstSequence, input, output, tasks))
        return { pieces: [output], frames: batch.frames, input: returned(batch), error: undefined };
      return { pieces: [], frames: 0, input: returned(batch), error: authenticationFailed() };
    } catch (error) {
      if (isSealflowError(error)) return { pieces: [], frames: 0, input: returned(batch), error };
      throw new WorkerError(ErrorCodes.WORKER_FAILED, `native open failed: ${describe(error)}`, { cause: error });
    }
  }

  /** Waits for one of the `threads` task slots. */
  async #slot(): Promise<void> {
    if (this.#running < this.parallelism) {
      this.#running++;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Takes every slot free right now (none is waited for); returns how many. */
  #takeFree(): number {
    const free = this.parallelism - this.#running;
    this.#running = this.parallelism;
    return free;
  }

  /** Hands the slot to the next waiting batch, or frees it. */
  #release(): void {
    const next = this.#waiting.shift();
    if (next === undefined) this.#running--;
    else next();
  }
}
