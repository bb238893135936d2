import { createEngine, type BucketKeyOptions, type Engine, type EngineOptions, type KeyStore, type SuiteId } from '@sealflow/core';

/** Engine settings the command line can change. */
export interface EngineFlags {
  readonly frameLength?: number | undefined;
  readonly suite?: SuiteId | undefined;
  /** Enable the bucket-key cache (`--bucket-key`). */
  readonly bucketKeys?: boolean | undefined;
  /** `--threads N`: frames sealed and opened on N worker threads. */
  readonly threads?: number | undefined;
}

/** How long one bucket key serves new messages in a CLI process (S3 uses a short window too). */
export const CLI_BUCKET_KEY_WINDOW: BucketKeyOptions = Object.freeze({ maxAgeMs: 5 * 60_000 });

/** `createEngine` options for the flags (without threads). */
export function engineOptions(keyStore: KeyStore, flags: EngineFlags): EngineOptions {
  return {
    keyStore,
    ...(flags.frameLength === undefined ? {} : { frameLength: flags.frameLength }),
    ...(flags.suite === undefined ? {} : { suite: flags.suite }),
    ...(flags.bucketKeys === true ? { bucketKeys: CLI_BUCKET_KEY_WINDOW } : {}),
  };
}

/**
 * An engine for the flags. `engine.close()` also releases worker threads.
 * @throws {InvalidArgumentError} for options the engine refuses.
 */
export async function createEngineFor(keyStore: KeyStore, flags: EngineFlags): Promise<Engine> {
  return createEngine(engineOptions(keyStore, flags));
}
