import { createHash, type Hash } from 'node:crypto';
import { Transform, Writable, type TransformCallback } from 'node:stream';

/** A pass-through that hashes what flows through it (SHA-256). */
export class HashTap extends Transform {
  readonly #hash: Hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  /** Hex digest; call once, after the stream ended. */
  digest(): string {
    return this.#hash.digest('hex');
  }
}

/** A sink that only hashes (SHA-256) and counts. */
export class HashSink extends Writable {
  readonly #hash: Hash = createHash('sha256');
  bytes = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    callback();
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}
