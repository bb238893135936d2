import { Transform, type TransformCallback } from 'node:stream';
import type { StreamSession } from '../engine/stream-session.js';
import { invalid } from '../assert.js';
import type { SealflowError } from '../errors.js';
import { IdleTimer } from './idle-timer.js';

const toBytes = (chunk: unknown): Uint8Array => {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk);
  throw invalid('stream chunk', 'a Uint8Array or Buffer', chunk);
};

/**
 * A Node `Transform` over a session. Backpressure is Node's own: the transform callback
 * runs after the output was pushed, and Transform holds further writes while the readable
 * side is over its high-water mark, so memory stays O(frame length + high-water marks).
 */
export class SessionTransform extends Transform {
  readonly #session: StreamSession;
  readonly #idle: IdleTimer | undefined;
  #failed = false;

  /** `idleTimeoutMs`: fail with ERR_TIMEOUT when the source stalls that long (see IdleTimer); armed from now on. */
  constructor(session: StreamSession, idleTimeoutMs?: number) {
    super();
    this.#session = session;
    if (idleTimeoutMs !== undefined) {
      // The consumer is behind when the readable side is full: Transform then holds the next write back.
      this.#idle = new IdleTimer(
        idleTimeoutMs,
        (error) => this.#timedOut(error),
        () => this.readableLength >= this.readableHighWaterMark,
      );
      this.#idle.arm();
    }
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    const idle = this.#idle;
    if (idle === undefined) {
      this.#run(() => this.#session.push(toBytes(chunk)), callback);
      return;
    }
    idle.disarm();
    this.#run(
      () => this.#session.push(toBytes(chunk)),
      (error?: Error | null) => {
        if (error === undefined || error === null) idle.arm();
        callback(error);
      },
    );
  }

  override _flush(callback: TransformCallback): void {
    this.#idle?.stop();
    this.#run(() => this.#session.end(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#idle?.stop();
    if (error !== null && !this.#failed) {
      this.#failed = true;
      this.#session.fail(error);
    } else if (error === null && !this.#failed) {
      // Destroyed without an error: finished, or dropped early by its consumer.
      this.#session.abandon();
    }
    callback(error);
  }

  #run(step: () => Uint8Array[] | Promise<Uint8Array[]>, callback: TransformCallback): void {
    let result: Uint8Array[] | Promise<Uint8Array[]>;
    try {
      result = step();
    } catch (error) {
      this.#fail(error, callback);
      return;
    }
    if (Array.isArray(result)) {
      this.#emit(result);
      callback();
      return;
    }
    result.then(
      (out) => {
        this.#emit(out);
        callback();
      },
      (error: unknown) => this.#fail(error, callback),
    );
  }

  #emit(pieces: Uint8Array[]): void {
    for (const piece of pieces) this.push(piece);
  }

  #timedOut(error: SealflowError): void {
    if (this.#failed || this.destroyed) return;
    this.#failed = true;
    this.#session.fail(error);
    this.destroy(error);
  }

  #fail(error: unknown, callback: TransformCallback): void {
    this.#idle?.stop();
    this.#failed = true;
    this.#session.fail(error);
    callback(error instanceof Error ? error : new Error(String(error)));
  }
}
