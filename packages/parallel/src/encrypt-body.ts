import {
  ErrorCodes,
  InvalidArgumentError,
  WorkerError,
  type OffloadedBody,
  type OffloadEncryptInit,
} from '@sealflow/core';
import { FrameEncryptor, REGULAR_FRAME_OVERHEAD } from '@sealflow/core/frames';
import { BodyBatches } from './body-batches.js';
import { framesPerBatch, type BodySettings } from './body-settings.js';

/**
 * A message body encrypted by batches of whole regular frames sealed off the calling
 * thread, released in order. The calling thread copies plaintext into batch buffers
 * (the caller's buffers are never moved away) and absorbs the output into the signer in
 * order. At the end, the regular frames still held go out as one shorter batch, and the
 * final frame is sealed here with the core's FrameEncryptor, starting at the next sequence
 * number: the bytes are exactly the single-thread ones.
 */
export class OffloadedEncryptBody implements OffloadedBody {
  readonly #init: OffloadEncryptInit;
  readonly #settings: BodySettings;
  readonly #batches: BodyBatches;
  readonly #pipeline: BodyBatches['pipeline'];
  readonly #batchBytes: number;
  #header: readonly Uint8Array[] | undefined;
  #consumed = 0;
  #finalFrames: number | undefined;
  #ended = false;
  /** One-shot calls read in place: the bytes left for the final frame (a view of the caller's input). */
  #inPlaceRest: Uint8Array | undefined;

  constructor(init: OffloadEncryptInit, settings: BodySettings) {
    this.#init = init;
    this.#settings = settings;
    this.#header = init.header;
    const runner = settings.runner.forMessage(init.keyBytes, init.messageId, init.frameLength);
    this.#batches = new BodyBatches(settings, runner, {
      operation: 'seal',
      batchFrames: framesPerBatch(settings, init.frameLength, init.plaintextLength),
      inputUnit: init.frameLength,
      outputUnit: REGULAR_FRAME_OVERHEAD + init.frameLength,
      destination: init.destination,
      // The signer absorbs the frames in message order.
      onPiece: (piece) => init.signer?.update(piece),
    });
    this.#pipeline = this.#batches.pipeline;
    this.#batchBytes = this.#batches.batchBytes;
  }

  get plaintextBytes(): number {
    return this.#consumed;
  }

  get frames(): number {
    return this.#finalFrames ?? this.#batches.frames;
  }

  push(chunk: Uint8Array): Uint8Array[] | Promise<Uint8Array[]> {
    this.#pipeline.throwIfFailed();
    if (this.#ended) throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'write after end');
    const known = this.#init.plaintextLength;
    if (known !== undefined && this.#consumed + chunk.length > known) {
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        `plaintext is longer than the declared plaintextLength ${known}`,
      );
    }
    const out = this.#takeHeader();
    this.#pipeline.collect(out);
    // After a failure nothing more may come out: not even bytes that would not depend on the failed batch.
    if (this.#pipeline.failure !== undefined) return this.#pipeline.settle(out);
    if (this.#consumed === 0 && chunk.length === known && this.#batches.readsInPlace) return this.#inPlace(chunk, out);
    return this.#fillFrom(chunk, 0, out);
  }

  async end(): Promise<Uint8Array[]> {
    this.#pipeline.throwIfFailed();
    if (this.#ended) return [];
    this.#ended = true;
    try {
      const known = this.#init.plaintextLength;
      if (known !== undefined && this.#consumed !== known) {
        throw new InvalidArgumentError(
          ErrorCodes.INVALID_ARGUMENT,
          `plaintext is ${this.#consumed} bytes, not the declared plaintextLength ${known}`,
        );
      }
      const out = this.#takeHeader();
      const rest = this.#inPlaceRest ?? (await this.#dispatchRegular(out));
      if (!(await this.#pipeline.settleAll(out))) this.#pipeline.throwIfFailed();
      // The final frame (and the footer) are sealed here, continuing the sequence.
      const { backend, key, messageId, frameLength, signer } = this.#init;
      const tail = new FrameEncryptor({
        backend,
        key,
        messageId,
        frameLength,
        header: [],
        signer,
        plaintextLength: known === undefined ? undefined : rest.length,
        firstSequence: this.#batches.nextSequence,
      });
      out.push(...tail.push(rest), ...tail.end());
      this.#finalFrames = tail.frames;
      return out;
    } finally {
      this.#batches.dispose();
    }
  }

  abort(): void {
    this.#ended = true;
    this.#pipeline.abort(new WorkerError(ErrorCodes.WORKER_FAILED, 'the message was aborted'));
    this.#batches.dispose();
  }

  /**
   * A one-shot call's whole plaintext, on a runner that reads in place: its regular frames
   * go out as a few big batches read straight from the caller's buffer (the engine owns it
   * until the call settles), with no copy on this thread; the final frame's bytes stay for
   * `end`. This is what lets 2 native threads run 2x one: the copy into batch buffers on
   * this thread took as long as the sealing on another.
   */
  #inPlace(chunk: Uint8Array, out: Uint8Array[]): Uint8Array[] {
    const fl = this.#init.frameLength;
    // A known length ends with a full final frame when it falls on a boundary.
    const regular = Math.max(0, Math.ceil(chunk.length / fl) - 1);
    this.#consumed = chunk.length;
    this.#batches.inPlace(chunk.subarray(0, regular * fl));
    this.#inPlaceRest = chunk.subarray(regular * fl);
    return this.#pipeline.settle(out);
  }

  /** Copies `chunk` from `offset` into batches, dispatching each full one; waits when the cap is reached. */
  #fillFrom(chunk: Uint8Array, offset: number, out: Uint8Array[]): Uint8Array[] | Promise<Uint8Array[]> {
    const batches = this.#batches;
    while (offset < chunk.length) {
      const batch = (batches.batch ??= new Uint8Array(this.#settings.buffers.take(this.#batchBytes)));
      const take = Math.min(this.#batchBytes - batches.fill, chunk.length - offset);
      batch.set(chunk.subarray(offset, offset + take), batches.fill);
      batches.fill += take;
      offset += take;
      this.#consumed += take;
      // A batch holding the last block of a known-length message stays for end(), which sends its regular frames.
      if (batches.fill < this.#batchBytes || this.#consumed === this.#init.plaintextLength) continue;
      if (!this.#pipeline.hasRoom(this.#batchBytes))
        return batches.dispatchLater(out, () => this.#fillFrom(chunk, offset, out));
      batches.dispatch();
    }
    return this.#pipeline.settle(out);
  }

  /**
   * At the end of a message that used the pool: the regular frames among the held bytes go
   * to it as one last, shorter batch, so only the final frame is sealed on this thread.
   * Resolves to the bytes that remain for the final frame (a private copy when a batch left).
   */
  async #dispatchRegular(out: Uint8Array[]): Promise<Uint8Array> {
    const fl = this.#init.frameLength;
    const fill = this.#batches.fill;
    const held = this.#batches.batch?.subarray(0, fill) ?? new Uint8Array(0);
    // A known length ends with a full final frame when it falls on a boundary; an unknown one, with an empty one.
    const regular =
      this.#init.plaintextLength === undefined ? Math.floor(fill / fl) : Math.max(0, Math.ceil(fill / fl) - 1);
    // A message that never filled a batch stays here whole: a round trip costs more than it saves.
    if (regular === 0 || this.#batches.nextSequence === 1) return held;
    const rest = held.slice(regular * fl);
    if (!(await this.#pipeline.makeRoom(regular * fl, out))) return rest;
    this.#batches.dispatch(regular);
    return rest;
  }

  #takeHeader(): Uint8Array[] {
    const out: Uint8Array[] = [];
    if (this.#header !== undefined) {
      for (const part of this.#header) {
        this.#init.signer?.update(part);
        out.push(part);
      }
      this.#header = undefined;
    }
    return out;
  }
}
