import type { Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '@sealflow/core';
import { progressTarget, verboseNote, type CliContext } from '../cli-context.js';
import { openEngine, type EngineFlags, type EngineHandle } from '../engine-options.js';
import { ProgressMeter } from '../io/progress.js';
import { openInput, openOutput, type Input } from '../io/streams.js';
import { openStore } from '../keystore/open-store.js';
import { storeFlags } from './store-options.js';

/** The flags `encrypt` and `decrypt` share for a whole-stream run. */
export interface PipeFlags {
  readonly output?: string | undefined;
  readonly force?: boolean | undefined;
  readonly json?: boolean | undefined;
}

/** How one command runs its input through an engine stream. */
export interface PipeSpec {
  readonly operation: 'encrypt' | 'decrypt';
  readonly engine: EngineFlags;
  /** The output is binary (ciphertext): stdout must not be a terminal. */
  readonly binary: boolean;
  /** The engine's Transform for this input (called once, after everything is open). */
  readonly transform: (engine: Engine, input: Input) => Duplex;
}

/** What a finished run did; the engine is closed, its stats still readable. */
export interface PipeResult {
  readonly input: string;
  readonly output: string;
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly handle: EngineHandle;
}

/**
 * Opens the input, the key store, the engine and the output, in that order (each opened
 * thing is released if a later one fails), then streams input → progress → engine →
 * output. A file output is committed only after the last byte verified; on any failure
 * it is aborted, so nothing partial is left behind.
 * @throws whatever opening or the pipeline throws, after releasing what was opened.
 */
export async function pipeThroughEngine(
  context: CliContext,
  inputPath: string | undefined,
  flags: PipeFlags & Record<string, unknown>,
  spec: PipeSpec,
): Promise<PipeResult> {
  const input = await openInput(context.io, inputPath);
  const opened = await openStore(context, storeFlags(flags), spec.operation).catch((error: unknown) => {
    input.stream.destroy();
    throw error;
  });
  try {
    const handle = await openEngine(opened.store, spec.engine);
    verboseNote(context, handle.notice);
    const output = await openOutput(context.io, flags.output, {
      binary: spec.binary,
      force: flags.force === true,
      input: inputPath,
    }).catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    const meter = new ProgressMeter(progressTarget(context, flags.json === true), spec.operation, input.size);
    const counter = new ProgressMeter({ stream: context.io.stderr, enabled: false }, '', undefined);
    try {
      await pipeline(input.stream, meter, spec.transform(handle.engine, input), counter, output.stream, {
        signal: context.io.signal,
      });
      await output.file?.commit();
    } catch (error) {
      await output.file?.abort();
      throw error;
    } finally {
      meter.stop();
      await handle.close();
    }
    return { input: input.label, output: output.label, inputBytes: meter.bytes, outputBytes: counter.bytes, handle };
  } finally {
    input.stream.destroy();
    await opened.close();
  }
}
