import { ErrorCodes, SealflowError, WorkerError } from '@sealflow/core';
import type { Batch, BatchOutput, MessageRunner } from './batch-runner.js';
import type { BufferPool } from './buffer-pool.js';

interface InFlight {
  /** Bytes this batch counts against the cap. */
  readonly bytes: number;
  readonly settled: Promise<void>;
  done: boolean;
  output: BatchOutput | undefined;
  failure: SealflowError | undefined;
}

/**
 * The batches of one message that are in flight, in dispatch order. Results are released
 * strictly in that order, whatever order they finish in; the bytes in flight (dispatched
 * and not yet released) stay under a cap, except that one batch may always be in flight.
 *
 * Failures are deferred by one call: when a batch fails, everything before it is still
 * handed back, and the failure is thrown by the next call (or at once when there was
 * nothing to hand back). So output that completed before a worker died is never dropped.
 */
export class BatchPipeline {
  readonly #runner: MessageRunner;
  readonly #maxBytes: number;
  readonly #buffers: BufferPool;
  readonly #release: (output: BatchOutput, out: Uint8Array[]) => void;
  #queue: InFlight[] = [];
  #bytes = 0;
  #failure: SealflowError | undefined;

  /** `release` moves one batch's output into `out` (and may count or hash it). */
  constructor(
    runner: MessageRunner,
    maxBytes: number,
    buffers: BufferPool,
    release: (output: BatchOutput, out: Uint8Array[]) => void,
  ) {
    this.#runner = runner;
    this.#maxBytes = maxBytes;
    this.#buffers = buffers;
    this.#release = release;
  }

  /** Bytes dispatched and not yet released. */
  get inFlightBytes(): number {
    return this.#bytes;
  }

  /** Whether nothing is in flight. */
  get idle(): boolean {
    return this.#queue.length === 0;
  }

  get failure(): SealflowError | undefined {
    return this.#failure;
  }

  /** @throws the recorded failure, if any. */
  throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Whether a batch of `bytes` may be dispatched now without passing the cap. */
  hasRoom(bytes: number): boolean {
    return this.#queue.length === 0 || this.#bytes + bytes <= this.#maxBytes;
  }

  /** Starts a batch. Ownership of `batch.input` passes to the runner. */
  dispatch(batch: Batch, bytes: number): void {
    // The callbacks run after `entry` is assigned below (promise reactions are asynchronous).
    let entry: InFlight;
    const settled = this.#runner.run(batch).then(
      (output) => {
        entry.output = output;
        entry.done = true;
      },
      (error: unknown) => {
        entry.failure =
          error instanceof SealflowError
            ? error
            : new WorkerError(ErrorCodes.WORKER_FAILED, 'a worker task failed', { cause: error });
        entry.done = true;
      },
    );
    entry = { bytes, settled, done: false, output: undefined, failure: undefined };
    this.#queue.push(entry);
    this.#bytes += bytes;
  }

  /** Releases every finished batch at the head of the queue into `out`, in order; stops at a failure. */
  collect(out: Uint8Array[]): void {
    while (this.#failure === undefined) {
      const head = this.#queue[0];
      if (head === undefined || !head.done) return;
      this.#queue.shift();
      this.#bytes -= head.bytes;
      if (head.output === undefined) {
        this.#failure = head.failure;
        return;
      }
      if (head.output.input !== undefined) this.#buffers.give(head.output.input);
      this.#release(head.output, out);
      this.#failure = head.output.error;
    }
  }

  /**
   * Waits until a batch of `bytes` fits under the cap, releasing finished batches into
   * `out`. Resolves false when a batch failed instead (the failure is recorded).
   */
  async makeRoom(bytes: number, out: Uint8Array[]): Promise<boolean> {
    while (this.#failure === undefined && !this.hasRoom(bytes)) {
      await (this.#queue[0] as InFlight).settled;
      this.collect(out);
    }
    return this.#failure === undefined || this.#drain();
  }

  /**
   * Waits for every batch, releasing them into `out` in order. Resolves false at a failure,
   * once no batch of the message is running any more (see `#drain`).
   */
  async settleAll(out: Uint8Array[]): Promise<boolean> {
    while (this.#failure === undefined && this.#queue.length > 0) {
      await (this.#queue[0] as InFlight).settled;
      this.collect(out);
    }
    return this.#failure === undefined || this.#drain();
  }

  /** The end of a call: hands `out` back, or throws the failure when there is nothing to hand back. */
  settle(out: Uint8Array[]): Uint8Array[] {
    if (this.#failure !== undefined && out.length === 0) throw this.#failure;
    return out;
  }

  /**
   * After a failure: stops the batches still waiting for a thread (`destroy` wipes the key,
   * so they fail at once) and waits for those running, so that when the failure reaches
   * the caller nothing writes its one-shot output or reads its input any more (the engine
   * zeroes the output next, and then it is the caller's again). Resolves false.
   */
  async #drain(): Promise<false> {
    this.#runner.destroy();
    await Promise.all(this.#queue.map((entry) => entry.settled));
    return false;
  }

  /** Records a failure found on the calling thread, deferred like a batch's. */
  fail(error: SealflowError): void {
    this.#failure ??= error;
  }

  /** Forgets everything in flight (late results are dropped) and records `reason` as the failure. */
  abort(reason: SealflowError): void {
    this.#queue = [];
    this.#bytes = 0;
    this.#failure ??= reason;
  }
}
