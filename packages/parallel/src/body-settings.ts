import type { BatchRunner } from './batch-runner.js';
import type { BufferPool } from './buffer-pool.js';

/** What every offloaded body of one pool shares. */
export interface BodySettings {
  readonly runner: BatchRunner;
  readonly buffers: BufferPool;
  /** Most bytes per batch (rounded down to whole frames, at least one frame). */
  readonly batchBytes: number;
  /** Cap on one message's bytes in flight. */
  readonly maxInFlightBytes: number;
  /**
   * A message of known size is cut into at least this many batches (smaller ones, when
   * `batchBytes` would give fewer), so every thread gets work; absent: no minimum.
   */
  readonly minBatches?: number;
}

/**
 * Whole frames per batch for `frameLength`-byte frames, for a message of `messageBytes`
 * bytes when known.
 */
export function framesPerBatch(settings: BodySettings, frameLength: number, messageBytes?: number): number {
  let bytes = settings.batchBytes;
  if (messageBytes !== undefined && settings.minBatches !== undefined)
    bytes = Math.min(bytes, Math.ceil(messageBytes / settings.minBatches));
  return Math.max(1, Math.floor(bytes / frameLength));
}

/**
 * The place of frames `first` to `first + frames - 1` in a one-shot destination where each
 * frame's output takes `unit` bytes, or undefined without a destination (or if it does not fit).
 */
export function placeOf(
  destination: Uint8Array | undefined,
  first: number,
  frames: number,
  unit: number,
): Uint8Array | undefined {
  if (destination === undefined) return undefined;
  const start = (first - 1) * unit;
  const end = start + frames * unit;
  return end <= destination.length ? destination.subarray(start, end) : undefined;
}
