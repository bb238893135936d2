import { FormatLimits, LimitExceededError } from '@sealflow/core';
import type { BatchOutput, MessageRunner } from './batch-runner.js';
import { BatchPipeline } from './batch-pipeline.js';
import type { BatchOperation } from './batch-task.js';
import { placeOf, type BodySettings } from './body-settings.js';

/** How one offloaded body (encrypt or decrypt) cuts its batches. */
export interface BatchShape {
  readonly operation: BatchOperation;
  /** Whole frames in a full batch. */
  readonly batchFrames: number;
  /** Input bytes per frame (`seal`: the frame length; `open`: a whole regular frame). */
  readonly inputUnit: number;
  /** Output bytes per frame at the one-shot destination. */
  readonly outputUnit: number;
  readonly destination: Uint8Array | undefined;
  /** Sees a batch's input (its frames only) just before it leaves (decrypt: the signature verifier). */
  readonly beforeDispatch?: ((input: Uint8Array) => void) | undefined;
  /** Sees each released piece, in message order, before it is emitted. */
  readonly onPiece?: ((piece: Uint8Array) => void) | undefined;
}

/**
 * What the offloaded encrypt and decrypt bodies share: the batch being filled on the
 * calling thread, the sequence numbers, the pipeline of batches in flight and the release
 * of their output in order, and the wipe at the end.
 */
export class BodyBatches {
  readonly pipeline: BatchPipeline;
  readonly #settings: BodySettings;
  readonly #runner: MessageRunner;
  readonly #shape: BatchShape;
  #batch: Uint8Array | undefined;
  #fill = 0;
  #nextSequence = 1;
  #frames = 0;

  /** Takes the runner of one message (it holds the message key until `dispose`). */
  constructor(settings: BodySettings, runner: MessageRunner, shape: BatchShape) {
    this.#settings = settings;
    this.#runner = runner;
    this.#shape = shape;
    this.pipeline = new BatchPipeline(runner, settings.maxInFlightBytes, settings.buffers, (output, out) =>
      this.#release(output, out),
    );
  }

  /** Input bytes of a full batch. */
  get batchBytes(): number {
    return this.#shape.batchFrames * this.#shape.inputUnit;
  }

  /** The batch being filled, if any. */
  get batch(): Uint8Array | undefined {
    return this.#batch;
  }

  set batch(batch: Uint8Array | undefined) {
    this.#batch = batch;
  }

  /** Bytes of the batch filled so far. */
  get fill(): number {
    return this.#fill;
  }

  set fill(fill: number) {
    this.#fill = fill;
  }

  /** The sequence number of the next frame to dispatch (1 while no batch left). */
  get nextSequence(): number {
    return this.#nextSequence;
  }

  /** Frames released so far. */
  get frames(): number {
    return this.#frames;
  }

  /**
   * Sends the first `frames` frames of the batch (a full batch by default) to the pool.
   * @throws {LimitExceededError} when the message would pass the format's frame count.
   */
  dispatch(frames: number = this.#shape.batchFrames): void {
    const batch = this.#batch as Uint8Array;
    const bytes = frames * this.#shape.inputUnit;
    this.#send(batch.buffer as ArrayBuffer, batch.subarray(0, bytes), frames, bytes);
    this.#batch = undefined;
    this.#fill = 0;
  }

  /**
   * Whether `inPlace` may be used: a one-shot body (it has a destination, which the engine
   * only gives one-shot calls, so the input is the caller's whole message, held until the
   * call settles) on a runner that reads its batches where they are.
   */
  get readsInPlace(): boolean {
    return this.#shape.destination !== undefined && this.#settings.runner.readsInPlace === true;
  }

  /**
   * One-shot calls on a runner that `readsInPlace`: sends the whole frames of `input` (a
   * view of the caller's message) as one batch read where it is, with no copy and no
   * batch buffer, so it counts nothing against the cap; the runner spreads it over its
   * free threads (see `BatchRunner.readsInPlace`). Nothing may be held in the batch buffer.
   * @throws {LimitExceededError} when the message would pass the format's frame count.
   */
  inPlace(input: Uint8Array): void {
    const frames = Math.floor(input.length / this.#shape.inputUnit);
    if (frames > 0) this.#send(input.subarray(0, frames * this.#shape.inputUnit), undefined, frames, 0);
  }

  /** Dispatches `frames` frames numbered from the next sequence number; `bytes` count against the cap. */
  #send(input: ArrayBuffer | Uint8Array, view: Uint8Array | undefined, frames: number, bytes: number): void {
    const first = this.#nextSequence;
    const last = first + frames - 1;
    if (last > FormatLimits.maxFrameCount)
      throw new LimitExceededError('maxFrameCount', FormatLimits.maxFrameCount, last);
    this.#shape.beforeDispatch?.(view ?? (input as Uint8Array));
    this.#nextSequence = last + 1;
    const destination = placeOf(this.#shape.destination, first, frames, this.#shape.outputUnit);
    this.pipeline.dispatch(
      { operation: this.#shape.operation, firstSequence: first, frames, input, destination },
      bytes,
    );
  }

  /**
   * Backpressure: the batch is full and the cap is reached; dispatches it once the oldest
   * batch is released, then goes on with `resume`.
   */
  async dispatchLater(out: Uint8Array[], resume: () => Uint8Array[] | Promise<Uint8Array[]>): Promise<Uint8Array[]> {
    if (!(await this.pipeline.makeRoom(this.batchBytes, out))) return this.pipeline.settle(out);
    this.dispatch();
    return resume();
  }

  /** Wipes the key and returns the partial batch buffer. */
  dispose(): void {
    this.#runner.destroy();
    if (this.#batch !== undefined) this.#settings.buffers.give(this.#batch.buffer as ArrayBuffer);
    this.#batch = undefined;
    this.#fill = 0;
  }

  /** Emits one batch's output in message order. */
  #release(output: BatchOutput, out: Uint8Array[]): void {
    for (const piece of output.pieces) {
      this.#shape.onPiece?.(piece);
      out.push(piece);
    }
    this.#frames += output.frames;
  }
}
