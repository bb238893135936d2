import { availableParallelism } from 'node:os';
import { invalid, readOptions } from '@sealflow/core/validate';

/** How a pool runs batches. */
export type FramePoolMode = 'workers' | 'subtle' | 'native';

/** Options of `createFramePool`. */
export interface FramePoolOptions {
  /**
   * `'workers'` (default): piscina worker threads running node:crypto. `'subtle'`:
   * WebCrypto on libuv's thread pool (size set by UV_THREADPOOL_SIZE at process start).
   * `'native'`: the native backend (`@sealflow/native`, which must be imported first and
   * built: it throws INVALID_ARGUMENT otherwise), batches as native tasks on libuv's thread
   * pool, at most `threads` at once (a one-shot message is one batch its tasks share): no
   * worker threads, and no copies but the one of a stream's chunks into the pool's batch
   * buffers (one-shot calls are read in place: the engine owns their input until they
   * settle). Where the native backend is
   * present this replaces the worker path (keep UV_THREADPOOL_SIZE, 4 by default, at least
   * `threads`).
   */
  readonly mode?: FramePoolMode;
  /**
   * Worker threads (`'workers'` mode), or native tasks run at once (`'native'` mode: one
   * message's frames split across this many libuv pool tasks), 1 to 256; default:
   * `os.availableParallelism()`.
   */
  readonly threads?: number;
  /**
   * Most plaintext bytes per batch, rounded down to whole frames (at least one); default
   * 4 MiB with worker threads, 1 MiB with `'subtle'` and `'native'`. A message of known size is cut into at least two batches per thread (smaller
   * ones when this would give fewer), so every thread gets work. `'native'` one-shot calls
   * ignore it: one batch, read in place from the caller's input and shared by the free
   * threads.
   */
  readonly batchBytes?: number;
  /**
   * Cap on one message's bytes handed to the pool and not yet released (one batch may
   * always be in flight); default 12 MiB with worker threads (three default batches: one
   * running per thread of a 2-thread pool and one waiting), 8 MiB with `'subtle'`, 4 MiB
   * with `'native'`. Bounds memory per stream: the bench's 1 GiB encrypt -> decrypt chain
   * through a 2-thread pool peaked at 96 MiB over baseline with it (124 MiB at 16 MiB);
   * native, 67 to 89 MiB (2 and 8 MiB batches alike: fresh output buffers awaiting the
   * collector, whose external-memory trigger is about 64 MiB).
   */
  readonly maxInFlightBytes?: number;
  /**
   * Messages whose length is known and below this stay on the calling thread (one-shot
   * calls, streams with `plaintextLength`); default 4 MiB. Streams of unknown length
   * use the pool from their first full batch.
   */
  readonly minMessageBytes?: number;
  /**
   * One-shot results (`engine.encrypt` and `engine.decrypt` of unsigned messages the pool
   * takes) are written in place by the worker threads, in a SharedArrayBuffer of their own,
   * while the results handed out and not yet reclaimed by the garbage collector stay under
   * this many bytes; past it, results are ordinary memory joined on the calling thread (one
   * more copy of every byte there) until the collector catches up. V8 does not count
   * SharedArrayBuffers as memory pressure, so each result carries an untouched ordinary
   * buffer of its size that it does count (measured over 120 calls of 64 MiB: peak RSS
   * 1.3 GiB without it, 0.1 to 0.2 GiB with it, 0.3 GiB with ordinary results); this bound
   * is the second line (it counts results until their finalizer ran, which lags the
   * collection itself: at 256 MiB, a loop of 64 MiB calls fell back every few calls).
   * Default 1 GiB; 0 turns writing in place off.
   */
  readonly sharedOutputBytes?: number;
}

/** Validated options with defaults applied. */
export interface ResolvedPoolOptions {
  readonly mode: FramePoolMode;
  readonly threads: number;
  readonly batchBytes: number;
  readonly maxInFlightBytes: number;
  readonly minMessageBytes: number;
  readonly sharedOutputBytes: number;
}

const MiB = 1024 * 1024;
const KEYS = ['mode', 'threads', 'batchBytes', 'maxInFlightBytes', 'minMessageBytes', 'sharedOutputBytes'] as const;
/**
 * Per mode. Worker threads: big batches, as a batch costs a round trip to a thread (~0.3 ms
 * measured on the bench VM). crypto.subtle: smaller ones, as every frame of a batch is a
 * job holding its own copies of input and output at once.
 */
export const DEFAULTS: {
  readonly [M in FramePoolMode]: { readonly batchBytes: number; readonly maxInFlightBytes: number };
} = {
  workers: { batchBytes: 4 * MiB, maxInFlightBytes: 12 * MiB },
  subtle: { batchBytes: 1 * MiB, maxInFlightBytes: 8 * MiB },
  // Native: a batch costs one libuv task (microseconds), so small batches keep every
  // thread busy with little memory per stream.
  native: { batchBytes: 1 * MiB, maxInFlightBytes: 4 * MiB },
};
export const DEFAULT_MIN_MESSAGE_BYTES: number = 4 * MiB;
export const DEFAULT_SHARED_OUTPUT_BYTES: number = 1024 * MiB;

/**
 * Reads options by own properties only (a polluted prototype changes nothing) and rejects
 * unknown keys, with the core's argument checks (messages name `createFramePool.<option>`).
 * @throws {InvalidArgumentError}
 */
export function resolvePoolOptions(options: unknown): ResolvedPoolOptions {
  const o = readOptions(options, 'createFramePool', KEYS, { optional: true });
  const mode = o.raw('mode') ?? 'workers';
  if (mode !== 'workers' && mode !== 'subtle' && mode !== 'native')
    throw invalid(o.field('mode'), "'workers', 'subtle' or 'native'", mode);
  const defaults = DEFAULTS[mode];
  const batchBytes = o.integer('batchBytes', 1, 256 * MiB, defaults.batchBytes);
  return {
    mode,
    threads: o.integer('threads', 1, 256, availableParallelism()),
    batchBytes,
    maxInFlightBytes: o.integer('maxInFlightBytes', 1, 4096 * MiB, Math.max(defaults.maxInFlightBytes, batchBytes)),
    minMessageBytes: o.integer('minMessageBytes', 0, Number.MAX_SAFE_INTEGER, DEFAULT_MIN_MESSAGE_BYTES),
    sharedOutputBytes: o.integer('sharedOutputBytes', 0, Number.MAX_SAFE_INTEGER, DEFAULT_SHARED_OUTPUT_BYTES),
  };
}
