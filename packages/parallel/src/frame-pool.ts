import type { FrameOffload, OffloadDecryptInit, OffloadedBody, OffloadEncryptInit } from '@sealflow/core';
import { ContentType } from '@sealflow/core/frames';
import type { BatchRunner } from './batch-runner.js';
import type { BodySettings } from './body-settings.js';
import { BufferPool } from './buffer-pool.js';
import { OffloadedDecryptBody } from './decrypt-body.js';
import { OffloadedEncryptBody } from './encrypt-body.js';
import { resolvePoolOptions, type FramePoolMode, type FramePoolOptions, type ResolvedPoolOptions } from './options.js';
import { NativeRunner } from './native-runner.js';
import { SubtleRunner } from './subtle-runner.js';
import { defaultWorkerFile, WorkerRunner } from './worker-runner.js';

/** Per shared result, an untouched ordinary buffer that makes the collector see its size (see `allocate`). */
const pressure = new WeakMap<SharedArrayBuffer, ArrayBuffer>();

/** Test hook: a worker module to load instead of the real one (a symbol no public type names). */
export const WORKER_FILE: unique symbol = Symbol('sealflow.parallel.workerFile');

/** Counters of a pool. */
export interface FramePoolStats {
  /** Message bodies the pool took (encrypt, decrypt). */
  readonly messages: { readonly encrypt: number; readonly decrypt: number };
  /** Messages left on the calling thread (small, non-framed, or the pool was closed). */
  readonly declined: number;
  /** Batches run off the calling thread. */
  readonly batches: number;
  /** Batches lost because their worker thread died. */
  readonly workerFailures: number;
}

/**
 * A pool that seals and opens the frames of large messages off the calling thread. Give
 * it to `createEngine({ offload: pool })`; one pool may serve many engines. The engine
 * API, and the bytes it produces, stay exactly the same.
 */
export class FramePool implements FrameOffload {
  readonly name: FramePoolMode;
  readonly #options: ResolvedPoolOptions;
  readonly #runner: BatchRunner;
  readonly #buffers: BufferPool;
  #closed = false;
  #sharedBytes = 0;
  /** Counts shared results down once the collector has reclaimed them. */
  readonly #reclaimed = new FinalizationRegistry<number>((bytes) => {
    this.#sharedBytes -= bytes;
  });
  #encrypts = 0;
  #decrypts = 0;
  #declined = 0;

  /** @throws {InvalidArgumentError} for invalid options. */
  constructor(options?: FramePoolOptions) {
    this.#options = resolvePoolOptions(options);
    const filename =
      options === undefined ? undefined : ((options as Record<symbol, unknown>)[WORKER_FILE] as string | undefined);
    this.name = this.#options.mode;
    const { mode, threads } = this.#options;
    this.#runner =
      mode === 'subtle'
        ? new SubtleRunner()
        : mode === 'native'
          ? new NativeRunner(threads)
          : new WorkerRunner({ threads, filename: filename ?? defaultWorkerFile() });
    // Every buffer a message can hold at once: those in flight, one past the cap, one filling (plus class rounding).
    this.#buffers = new BufferPool(1.25 * (this.#options.maxInFlightBytes + 2 * this.#options.batchBytes));
  }

  /** The resolved options (defaults applied). */
  get options(): ResolvedPoolOptions {
    return this.#options;
  }

  stats(): FramePoolStats {
    const { batches, workerFailures } = this.#runner.counters;
    return {
      messages: { encrypt: this.#encrypts, decrypt: this.#decrypts },
      declined: this.#declined,
      batches,
      workerFailures,
    };
  }

  /** Part of FrameOffload: called by the engine, not by applications. */
  encryptBody(init: OffloadEncryptInit): OffloadedBody | undefined {
    if (this.#declines(init.plaintextLength)) return undefined;
    this.#encrypts++;
    return new OffloadedEncryptBody(init, this.#settings());
  }

  /** Part of FrameOffload: called by the engine, not by applications. */
  decryptBody(init: OffloadDecryptInit): OffloadedBody | undefined {
    // A non-framed body is one AES-GCM operation over the whole message: nothing to split.
    if (this.#declines(init.header.contentType === ContentType.FRAMED ? init.messageLength : 0)) return undefined;
    this.#decrypts++;
    return new OffloadedDecryptBody(init, this.#settings());
  }

  /**
   * Part of FrameOffload: memory for a one-shot result that the threads write in place,
   * for a message the pool would take, while the shared results not yet reclaimed stay
   * under `sharedOutputBytes` (see that option).
   */
  allocate(length: number): Uint8Array | undefined {
    const { sharedOutputBytes, minMessageBytes } = this.#options;
    if (this.#closed || length === 0 || length < minMessageBytes || this.#sharedBytes + length > sharedOutputBytes)
      return undefined;
    const memory = this.#runner.allocate(length);
    if (memory?.buffer instanceof SharedArrayBuffer) {
      this.#sharedBytes += length;
      this.#reclaimed.register(memory.buffer, length);
      // V8 reclaims SharedArrayBuffers lazily: it does not count them as memory pressure,
      // so a loop of large calls would hold dropped results for long. An ordinary buffer of
      // the same size, alive exactly as long as the result, is counted; it is never written,
      // so its pages are never touched (allocUnsafeSlow: no zero fill).
      pressure.set(memory.buffer, Buffer.allocUnsafeSlow(length).buffer);
    }
    return memory;
  }

  /** Bytes of shared one-shot results handed out and not yet reclaimed by the garbage collector. */
  get sharedOutputBytes(): number {
    return this.#sharedBytes;
  }

  /**
   * Ends the threads at once and drops recycled buffers: a message still using the pool
   * fails with ERR_WORKER_FAILED (its batches queued or running are cut short). Settles
   * as soon as the threads are gone, also after a thread died. Messages started
   * afterwards stay on the calling thread. Safe to call twice.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#buffers.clear();
    await this.#runner.close();
  }

  /** Whether a message of `length` bytes (undefined: unknown) stays on the calling thread; counts it if so. */
  #declines(length: number | undefined): boolean {
    const declined = this.#closed || (length !== undefined && (length === 0 || length < this.#options.minMessageBytes));
    if (declined) this.#declined++;
    return declined;
  }

  #settings(): BodySettings {
    const { batchBytes, maxInFlightBytes } = this.#options;
    return {
      runner: this.#runner,
      buffers: this.#buffers,
      batchBytes,
      maxInFlightBytes,
      minBatches: 2 * this.#runner.parallelism,
    };
  }
}

/**
 * Creates a frame pool (see {@link FramePool}).
 * @throws {InvalidArgumentError} for invalid options.
 */
export function createFramePool(options?: FramePoolOptions): FramePool {
  return new FramePool(options);
}
