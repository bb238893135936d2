import { Transform, type TransformCallback } from 'node:stream';
import type { StreamSession } from '../engine/stream-session.js';
import { invalid } from '../assert.js';

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
  #failed = false;

  constructor(session: StreamSession) {
    super();
    this.#session = session;
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#run(() => this.#session.push(toBytes(chunk)), callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#run(() => this.#session.end(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
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

  #fail(error: unknown, callback: TransformCallback): void {
    this.#failed = true;
    this.#session.fail(error);
    callback(error instanceof Error ? error : new Error(String(error)));
  }
}
