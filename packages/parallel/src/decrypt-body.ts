import { ErrorCodes, FormatLimits, LimitExceededError, MalformedMessageError, SealflowError, WorkerError, type OffloadDecryptInit, type OffloadedBody } from '@sealflow/core';
import { BodyDecryptor, FINAL_FRAME_MARKER, readUint32, REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
import type { BatchOutput, MessageRunner } from './batch-runner.js';
import { BatchPipeline } from './batch-pipeline.js';
import { framesPerBatch, placeOf, type BodySettings } from './body-settings.js';

const MARKER_LENGTH = 4;

/**
 * A framed message body decrypted by batches of whole regular frames opened off the
 * calling thread. Each frame's plaintext leaves a worker only after its tag verified, and
 * is released here strictly in message order; a failing frame stops the output right
 * before it. The calling thread cuts the stream into frames and feeds the signature
 * verifier in order before a batch leaves. When the final frame begins, the regular frames
 * still held go out as one shorter batch, and the final frame and the footer go to the
 * core's BodyDecryptor, starting at the next sequence number, once every batch before it
 * was released.
 */
export class OffloadedDecryptBody implements OffloadedBody {
  readonly #init: OffloadDecryptInit;
  readonly #settings: BodySettings;
  readonly #runner: MessageRunner;
  readonly #pipeline: BatchPipeline;
  readonly #unit: number;
  readonly #batchFrames: number;
  readonly #batchBytes: number;
  #batch: Uint8Array | undefined;
  #fill = 0;
  #nextSequence = 1;
  #tail: BodyDecryptor | undefined;
  #released = 0;
  #frames = 0;

  constructor(init: OffloadDecryptInit, settings: BodySettings) {
    this.#init = init;
    this.#settings = settings;
    const fl = init.header.frameLength;
    this.#unit = REGULAR_FRAME_OVERHEAD + fl;
    this.#batchFrames = framesPerBatch(settings, fl, init.messageLength);
    this.#batchBytes = this.#batchFrames * this.#unit;
    this.#runner = settings.runner.forMessage(init.keyBytes, init.header.messageId, fl);
    this.#pipeline = new BatchPipeline(this.#runner, settings.maxInFlightBytes, settings.buffers, (output, out) => this.#release(output, out));
  }

  get plaintextBytes(): number {
    return this.#released + (this.#tail?.plaintextBytes ?? 0);
  }

  get frames(): number {
    return this.#tail?.frames ?? this.#frames;
  }

  push(chunk: Uint8Array): Uint8Array[] | Promise<Uint8Array[]> {
    this.#pipeline.throwIfFailed();
    if (this.#tail !== undefined) return this.#tail.push(chunk);
    const out: Uint8Array[] = [];
    this.#pipeline.collect(out);
    // After a failure nothing more may come out: not even bytes that would not depend on the failed batch.
    if (this.#pipeline.failure !== undefined) return this.#pipeline.settle(out);
    return this.#scan(chunk, 0, out);
  }

  async end(): Promise<Uint8Array[]> {
    this.#pipeline.throwIfFailed();
    try {
      if (this.#tail === undefined) {
        // No final frame arrived. A failing batch before the cut is the better report.
        if (!(await this.#pipeline.settleAll([]))) this.#pipeline.throwIfFailed();
        throw new MalformedMessageError(ErrorCodes.TRUNCATED, 'the message is truncated');
      }
      return this.#tail.end();
    } finally {
      this.#dispose();
    }
  }

  abort(): void {
    this.#pipeline.abort(new WorkerError(ErrorCodes.WORKER_FAILED, 'the message was aborted'));
    this.#dispose();
  }

  /** Cuts `chunk` from `offset` into frames; dispatches full batches; stops at the final frame's marker. */
  #scan(chunk: Uint8Array, offset: number, out: Uint8Array[]): Uint8Array[] | Promise<Uint8Array[]> {
    const unit = this.#unit;
    while (offset < chunk.length) {
      const batch = (this.#batch ??= new Uint8Array(this.#settings.buffers.take(this.#batchBytes)));
      const frameStart = this.#fill - (this.#fill % unit);
      // First the 4 bytes that tell a regular frame (its sequence number) from the final frame, then the rest.
      const until = this.#fill - frameStart < MARKER_LENGTH ? frameStart + MARKER_LENGTH : frameStart + unit;
      const take = Math.min(until - this.#fill, chunk.length - offset);
      batch.set(chunk.subarray(offset, offset + take), this.#fill);
      this.#fill += take;
      offset += take;
      if (this.#fill === frameStart + MARKER_LENGTH && readUint32(batch, frameStart) === FINAL_FRAME_MARKER) {
        return this.#startTail(chunk.subarray(offset), out);
      }
      if (this.#fill < this.#batchBytes) continue;
      if (!this.#pipeline.hasRoom(this.#batchBytes)) return this.#scanLater(chunk, offset, out);
      this.#dispatch();
    }
    return this.#pipeline.settle(out);
  }

  /** Backpressure: the batch is full and the cap is reached; dispatch once the oldest batch is released. */
  async #scanLater(chunk: Uint8Array, offset: number, out: Uint8Array[]): Promise<Uint8Array[]> {
    if (!(await this.#pipeline.makeRoom(this.#batchBytes, out))) return this.#pipeline.settle(out);
    this.#dispatch();
    return this.#scan(chunk, offset, out);
  }

  /**
   * The final frame began: the frames still in this thread's batch, the final frame and
   * the footer go to a BodyDecryptor, after every batch in flight was released (so output
   * stays in order).
   */
  #startTail(rest: Uint8Array, out: Uint8Array[]): Uint8Array[] | Promise<Uint8Array[]> {
    // Only for a message that used the pool already: for a shorter one a round trip costs more than it saves.
    const whole = this.#nextSequence === 1 ? 0 : Math.floor(this.#fill / this.#unit);
    if (whole > 0) return this.#dispatchRegular(whole, rest, out);
    if (!this.#pipeline.idle) return this.#startTailLater(rest, out);
    const { backend, key, header, verifier, limits } = this.#init;
    const tail = new BodyDecryptor({ backend, key, header, verifier, limits, firstSequence: this.#nextSequence });
    this.#tail = tail;
    const held = (this.#batch as Uint8Array).subarray(0, this.#fill);
    try {
      out.push(...tail.push(held));
      if (rest.length > 0) out.push(...tail.push(rest));
    } catch (error) {
      // Deferred like a batch's failure, so the frames released before it still come out.
      if (!(error instanceof SealflowError)) throw error;
      this.#pipeline.fail(error);
      return this.#pipeline.settle(out);
    }
    // The tail copied what it keeps (a partial unit); the batch buffer is free again.
    this.#settings.buffers.give((this.#batch as Uint8Array).buffer as ArrayBuffer);
    this.#batch = undefined;
    this.#fill = 0;
    return out;
  }

  /**
   * The whole regular frames held before the final frame go to the pool as one last,
   * shorter batch; the held marker bytes stay here for the tail, which starts once every
   * batch was released.
   */
  async #dispatchRegular(whole: number, rest: Uint8Array, out: Uint8Array[]): Promise<Uint8Array[]> {
    const bytes = whole * this.#unit;
    if (!(await this.#pipeline.makeRoom(bytes, out))) return this.#pipeline.settle(out);
    const marker = (this.#batch as Uint8Array).slice(bytes, this.#fill);
    this.#dispatch(whole);
    this.#batch = new Uint8Array(this.#settings.buffers.take(this.#batchBytes));
    this.#batch.set(marker);
    this.#fill = marker.length;
    return this.#startTailLater(rest, out);
  }

  async #startTailLater(rest: Uint8Array, out: Uint8Array[]): Promise<Uint8Array[]> {
    if (!(await this.#pipeline.settleAll(out))) return this.#pipeline.settle(out);
    return this.#startTail(rest, out);
  }

  #dispatch(frames = this.#batchFrames): void {
    const first = this.#nextSequence;
    const last = first + frames - 1;
    if (last > FormatLimits.maxFrameCount) throw new LimitExceededError('maxFrameCount', FormatLimits.maxFrameCount, last);
    const batch = this.#batch as Uint8Array;
    // The signature covers the frames in message order: hash them before they leave.
    this.#init.verifier?.update(batch.subarray(0, frames * this.#unit));
    this.#batch = undefined;
    this.#fill = 0;
    this.#nextSequence = last + 1;
    const destination = placeOf(this.#init.destination, first, frames, this.#init.header.frameLength);
    this.#pipeline.dispatch({ operation: 'open', firstSequence: first, frames, input: batch.buffer as ArrayBuffer, destination }, frames * this.#unit);
  }

  #release(output: BatchOutput, out: Uint8Array[]): void {
    for (const piece of output.pieces) {
      out.push(piece);
      this.#released += piece.length;
    }
    this.#frames += output.frames;
  }

  #dispose(): void {
    this.#runner.destroy();
    if (this.#batch !== undefined) this.#settings.buffers.give(this.#batch.buffer as ArrayBuffer);
    this.#batch = undefined;
    this.#fill = 0;
  }
}
