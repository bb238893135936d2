import {
  autoBackend,
  createEngine,
  type BucketKeyOptions,
  type Engine,
  type EngineOptions,
  type FrameOffload,
  type KeyStore,
  type SuiteId,
} from '@sealflow/core';

/** Engine settings the command line can change. */
export interface EngineFlags {
  readonly frameLength?: number | undefined;
  readonly suite?: SuiteId | undefined;
  /** Enable the bucket-key cache (`--bucket-key`). */
  readonly bucketKeys?: boolean | undefined;
  /** `--threads N`: frames sealed and opened on N worker threads (1: this thread). */
  readonly threads?: number | undefined;
}

/** How long one bucket key serves new messages in a CLI process (S3 uses a short window too). */
const CLI_BUCKET_KEY_WINDOW: BucketKeyOptions = Object.freeze({ maxAgeMs: 5 * 60_000 });

/** An engine and what it holds (worker threads); `close()` releases both. */
export interface EngineHandle {
  readonly engine: Engine;
  /** Batches of frames the worker threads sealed or opened (0 without --threads). */
  workerBatches(): number;
  /** A one-line notice for `--verbose` when the native backend did not load (node:crypto instead). */
  readonly notice: string | undefined;
  close(): Promise<void>;
}

/** What the CLI uses of `@sealflow/parallel`'s FramePool. */
type Pool = FrameOffload & { close(): Promise<void>; stats(): { readonly batches: number } };

/**
 * A pool for `--threads N` (N > 1), or none: native tasks on libuv's thread pool where the
 * native backend loaded, else worker threads.
 */
async function framePool(threads: number | undefined): Promise<Pool | undefined> {
  if (threads === undefined || threads <= 1) return undefined;
  // Loaded on demand: only --threads needs a pool.
  const { createFramePool } = await import('@sealflow/parallel');
  return createFramePool({ threads, ...(nativeNotice() === undefined ? { mode: 'native' } : {}) });
}

/**
 * The one-line notice `--verbose` and `sealflow bench` print when `auto` (the default
 * backend) could not pick the native one: undefined when it did.
 */
export function nativeNotice(): string | undefined {
  return autoBackend().name === 'native'
    ? undefined
    : 'sealflow: note: the native backend (@sealflow/native) is not loaded; using node:crypto';
}

/** `createEngine` options for the flags (the pool, when there is one, as `offload`). */
function engineOptions(keyStore: KeyStore, flags: EngineFlags, offload?: FrameOffload): EngineOptions {
  return {
    keyStore,
    ...(flags.frameLength === undefined ? {} : { frameLength: flags.frameLength }),
    ...(flags.suite === undefined ? {} : { suite: flags.suite }),
    ...(flags.bucketKeys === true ? { bucketKeys: CLI_BUCKET_KEY_WINDOW } : {}),
    ...(offload === undefined ? {} : { offload }),
  };
}

/**
 * Registers the native backend when `@sealflow/native` and its binary are there (the
 * engine's `auto` default then picks it); nothing, and no error, where it is absent.
 * Every command that encrypts calls it first: encrypt, decrypt, gateway, demo.
 */
export async function loadNative(): Promise<void> {
  try {
    await import('@sealflow/native');
  } catch {
    // Not installed: node:crypto it is.
  }
}

/**
 * An engine for the flags, with a frame pool of `threads` workers when asked.
 * @throws {InvalidArgumentError} for options the engine or the pool refuses.
 */
export async function openEngine(keyStore: KeyStore, flags: EngineFlags): Promise<EngineHandle> {
  await loadNative();
  const pool = await framePool(flags.threads);
  try {
    const engine = createEngine(engineOptions(keyStore, flags, pool));
    return {
      engine,
      notice: nativeNotice(),
      workerBatches: () => pool?.stats().batches ?? 0,
      close: async () => {
        await engine.close();
        await pool?.close();
      },
    };
  } catch (error) {
    await pool?.close();
    throw error;
  }
}
