import {
  ErrorCodes,
  MalformedMessageError,
  SealflowError,
  WorkerError,
  type OffloadDecryptInit,
  type OffloadedBody,
} from '@sealflow/core';
import { BodyDecryptor, FINAL_FRAME_MARKER, readUint32, REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
import { BodyBatches } from './body-batches.js';
import { framesPerBatch, type BodySettings } from './body-settings.js';

const MARKER_LENGTH = 4;
const GROWTH_START = 64 * 1024;

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
  readonly #batches: BodyBatches;
  readonly #pipeline: BodyBatches['pipeline'];
  readonly #unit: number;
  readonly #batchBytes: number;
  #tail: BodyDecryptor | undefined;
  #released = 0;

  constructor(init: OffloadDecryptInit, settings: BodySettings) {
    this.#init = init;
    this.#settings = settings;
    const fl = init.header.frameLength;
    this.#unit = REGULAR_FRAME_OVERHEAD + fl;
    const runner = settings.runner.forMessage(init.keyBytes, init.header.messageId, fl);
    this.#batches = new BodyBatches(settings, runner, {
      operation: 'open',
      batchFrames: framesPerBatch(settings, fl, init.messageLength),
      inputUnit: this.#unit,
      outputUnit: fl,
      destination: init.destination,
      // The signature covers the frames in message order: hash them before they leave.
      beforeDispatch: (input) => init.verifier?.update(input),
      onPiece: (piece) => {
        this.#released += piece.length;
      },
    });
    this.#pipeline = this.#batches.pipeline;
    this.#batchBytes = this.#batches.batchBytes;
  }

  get plaintextBytes(): number {
    return this.#released + (this.#tail?.plaintextBytes ?? 0);
  }

  get frames(): number {
    return this.#tail?.frames ?? this.#batches.frames;
  }

  push(chunk: Uint8Array): Uint8Array[] | Promise<Uint8Array[]> {
    this.#pipeline.throwIfFailed();
    if (this.#tail !== undefined) return this.#tail.push(chunk);
    const out: Uint8Array[] = [];
    this.#pipeline.collect(out);
    // After a failure nothing more may come out: not even bytes that would not depend on the failed batch.
    if (this.#pipeline.failure !== undefined) return this.#pipeline.settle(out);
    if (this.#batches.nextSequence === 1 && this.#batches.fill === 0 && this.#batches.readsInPlace)
      return this.#inPlace(chunk, out);
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
      this.#batches.dispose();
    }
  }

  abort(): void {
    this.#pipeline.abort(new WorkerError(ErrorCodes.WORKER_FAILED, 'the message was aborted'));
    this.#batches.dispose();
  }

  /**
   * A one-shot call's body, on a runner that reads in place: the whole regular frames at
   * its start go out as a few big batches read straight from the caller's buffer (the
   * engine owns it until the call settles; the native code copies each frame into the
   * output once and opens it there, so no later change to the input can release plaintext
   * that did not verify), with no copy on this thread. The rest (the final frame and the
   * footer, or a cut frame) goes the usual way.
   */
  #inPlace(chunk: Uint8Array, out: Uint8Array[]): Uint8Array[] | Promise<Uint8Array[]> {
    const unit = this.#unit;
    let whole = 0;
    // The final frame's marker stands where a regular frame's sequence number would be.
    while ((whole + 1) * unit <= chunk.length && readUint32(chunk, whole * unit) !== FINAL_FRAME_MARKER) whole++;
    if (whole === 0) return this.#scan(chunk, 0, out);
    this.#batches.inPlace(chunk.subarray(0, whole * unit));
    const rest = chunk.subarray(whole * unit);
    // Frames end here only at the final frame: it waits for every batch, so output stays in order.
    if (rest.length >= MARKER_LENGTH && readUint32(rest, 0) === FINAL_FRAME_MARKER)
      return this.#startTailLater(rest, out);
    return this.#scan(rest, 0, out);
  }

  /** Cuts `chunk` from `offset` into frames; dispatches full batches; stops at the final frame's marker. */
  #scan(chunk: Uint8Array, offset: number, out: Uint8Array[]): Uint8Array[] | Promise<Uint8Array[]> {
    const unit = this.#unit;
    const batches = this.#batches;
    while (offset < chunk.length) {
      const frameStart = batches.fill - (batches.fill % unit);
      // First the 4 bytes that tell a regular frame (its sequence number) from the final frame, then the rest.
      const until = batches.fill - frameStart < MARKER_LENGTH ? frameStart + MARKER_LENGTH : frameStart + unit;
      const take = Math.min(until - batches.fill, chunk.length - offset);
      const batch = this.#room(batches.fill + take);
      batch.set(chunk.subarray(offset, offset + take), batches.fill);
      batches.fill += take;
      offset += take;
      if (batches.fill === frameStart + MARKER_LENGTH && readUint32(batch, frameStart) === FINAL_FRAME_MARKER) {
        return this.#startTail(chunk.subarray(offset), out);
      }
      if (batches.fill < this.#batchBytes) continue;
      if (!this.#pipeline.hasRoom(this.#batchBytes))
        return batches.dispatchLater(out, () => this.#scan(chunk, offset, out));
      batches.dispatch();
    }
    return this.#pipeline.settle(out);
  }

  /**
   * The batch buffer, with room for at least `bytes`. A recycled full-size buffer is used
   * when the pool has one (no new memory); otherwise the buffer starts at GROWTH_START and
   * doubles with the bytes that actually arrive, so a header that declares huge frames
   * cannot make a stream hold a whole batch for a few body bytes (the growth copies stop
   * once a full-size buffer has been through the pool).
   */
  #room(bytes: number): Uint8Array {
    const batch = (this.#batches.batch ??= this.#firstBuffer());
    if (batch.length >= bytes) return batch;
    const size = Math.max(bytes, Math.min(batch.length * 2, this.#batchBytes));
    // The full size comes from the pool's size classes, so it is recycled after the worker returns it.
    const grown = new Uint8Array(
      size >= this.#batchBytes ? this.#settings.buffers.take(this.#batchBytes) : new ArrayBuffer(size),
    );
    grown.set(batch.subarray(0, this.#batches.fill));
    this.#batches.batch = grown;
    return grown;
  }

  #firstBuffer(): Uint8Array {
    const recycled = this.#settings.buffers.takeFree(this.#batchBytes);
    if (recycled !== undefined) return new Uint8Array(recycled);
    return this.#batchBytes <= GROWTH_START
      ? new Uint8Array(this.#settings.buffers.take(this.#batchBytes))
      : new Uint8Array(GROWTH_START);
  }

  /**
   * The final frame began: the frames still in this thread's batch, the final frame and
   * the footer go to a BodyDecryptor, after every batch in flight was released (so output
   * stays in order).
   */
  #startTail(rest: Uint8Array, out: Uint8Array[]): Uint8Array[] | Promise<Uint8Array[]> {
    // Only for a message that used the pool already: for a shorter one a round trip costs more than it saves.
    const batches = this.#batches;
    const whole = batches.nextSequence === 1 ? 0 : Math.floor(batches.fill / this.#unit);
    if (whole > 0) return this.#dispatchRegular(whole, rest, out);
    if (!this.#pipeline.idle) return this.#startTailLater(rest, out);
    const { backend, key, header, verifier, limits } = this.#init;
    const tail = new BodyDecryptor({ backend, key, header, verifier, limits, firstSequence: batches.nextSequence });
    this.#tail = tail;
    const held = batches.batch?.subarray(0, batches.fill) ?? new Uint8Array(0);
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
    if (batches.batch !== undefined) this.#settings.buffers.give(batches.batch.buffer as ArrayBuffer);
    batches.batch = undefined;
    batches.fill = 0;
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
    const batches = this.#batches;
    const marker = (batches.batch as Uint8Array).slice(bytes, batches.fill);
    batches.dispatch(whole);
    const batch = new Uint8Array(this.#settings.buffers.take(this.#batchBytes));
    batch.set(marker);
    batches.batch = batch;
    batches.fill = marker.length;
    return this.#startTailLater(rest, out);
  }

  async #startTailLater(rest: Uint8Array, out: Uint8Array[]): Promise<Uint8Array[]> {
    if (!(await this.#pipeline.settleAll(out))) return this.#pipeline.settle(out);
    return this.#startTail(rest, out);
  }
}
