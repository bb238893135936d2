import type { Command } from 'commander';
import { ErrorCodes, MalformedMessageError, type DecryptedHeader, type DecryptOptions } from '@sealflow/core';
import { printJson, verboseNote, type CliContext, type CliIo } from '../cli-context.js';
import { openEngine, type EngineHandle } from '../engine-options.js';
import { FileSource } from '../io/file-source.js';
import { openOutput, type Output } from '../io/streams.js';
import { withAwsKmsHint } from '../inspect/aws-kms-hint.js';
import { Env } from '../keystore/keystore-path.js';
import { openStore } from '../keystore/open-store.js';
import { collect, parseContextPairs } from '../options/parse-context.js';
import { parseRange, type ByteRange } from '../options/parse-range.js';
import { suiteHex } from '../options/parse-suite.js';
import { usageError } from '../options/usage-error.js';
import { contextOf, type CommandOptions } from './command-context.js';
import { pipeThroughEngine } from './engine-pipe.js';
import { addStoreOptions, storeFlags } from './store-options.js';
import { parseThreads, threadsOption } from './threads.js';

interface DecryptFlags {
  readonly output?: string;
  readonly expectContext?: string[];
  readonly range?: string;
  readonly threads?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

interface DecryptSummary {
  readonly input: string;
  readonly output: string;
  readonly plaintextBytes: number;
  /** Batches of frames worker threads opened (--threads). */
  readonly workerBatches?: number;
  /**
   * The plaintext bytes returned: `start` through `last` inclusive (as `--range` takes
   * them) and `end` = last + 1 (as `engine.decryptRange` does); `suffixLength` when
   * `--range -N` asked for them.
   */
  readonly range?: {
    readonly start?: number;
    readonly last?: number;
    readonly end?: number;
    readonly suffixLength?: number;
  };
  readonly messageId?: string;
  readonly suite?: string;
  readonly context?: Readonly<Record<string, string>>;
}

/** `sealflow decrypt [FILE]`. */
export function registerDecrypt(program: Command, io: CliIo): void {
  const command = program
    .command('decrypt')
    .description('decrypt and verify a message from a file or stdin')
    .argument('[input]', 'file to decrypt (default: stdin, or "-")')
    .option('-o, --output <file>', 'write here, atomically: nothing is left behind on failure (default: stdout)')
    .option(
      '--expect-context <key=value>',
      'fail unless the authenticated context holds this pair, repeatable',
      collect,
    )
    .option(
      '--range <start-end>',
      'decrypt only plaintext bytes START through END (inclusive, like HTTP Range; "START-" to the end, "-N" the last N bytes); needs a FILE',
    );
  addStoreOptions(command);
  threadsOption(command)
    .option('-f, --force', 'overwrite the output file if it exists')
    .option('--json', 'print a JSON summary (context, message ID) on stdout (needs -o)')
    .action(async (input: string | undefined, options: CommandOptions<DecryptFlags>, cmd: Command) => {
      await runDecrypt(contextOf(cmd, io), input, options);
    });
}

async function runDecrypt(
  context: CliContext,
  inputPath: string | undefined,
  flags: CommandOptions<DecryptFlags>,
): Promise<void> {
  const expect =
    flags.expectContext === undefined ? undefined : parseContextPairs(flags.expectContext, '--expect-context');
  const range = flags.range === undefined ? undefined : parseRange(flags.range);
  const threads = parseThreads(flags.threads, context, 'decrypt');
  const toStdout = flags.output === undefined || flags.output === '-';
  if (range !== undefined && (inputPath === undefined || inputPath === '-'))
    throw usageError('--range: needs a FILE input (a range read seeks; stdin cannot)');
  if (flags.json === true && toStdout) throw usageError('--json: needs -o FILE (stdout carries the plaintext)');
  const options: DecryptOptions = {
    ...(expect === undefined ? {} : { expectContext: expect }),
    signal: context.io.signal,
  };

  let summary: DecryptSummary;
  try {
    if (range !== undefined) {
      summary = await decryptRange(context, inputPath as string, range, options, flags, threads);
    } else {
      summary = await decryptWhole(context, inputPath, options, flags, threads);
    }
  } catch (error) {
    // On the embedded store, a header naming AWS KMS keys most likely wants --kms aws.
    const local = flags.kms === undefined && flags.xks === undefined && !context.io.env[Env.kms];
    throw local && inputPath !== undefined && inputPath !== '-' ? await withAwsKmsHint(error, inputPath) : error;
  }
  if (flags.json === true) await printJson(context, summary);
}

async function decryptWhole(
  context: CliContext,
  inputPath: string | undefined,
  options: DecryptOptions,
  flags: CommandOptions<DecryptFlags>,
  threads: number | undefined,
): Promise<DecryptSummary> {
  let header: DecryptedHeader | undefined;
  const run = await pipeThroughEngine(context, inputPath, flags, {
    operation: 'decrypt',
    engine: { threads },
    binary: false,
    transform: (engine) =>
      engine.decryptStream(options).once('header', (h: DecryptedHeader) => {
        header = h;
      }),
  });
  return {
    input: run.input,
    output: run.output,
    plaintextBytes: run.outputBytes,
    workerBatches: run.handle.workerBatches(),
    ...(header === undefined
      ? {}
      : { messageId: header.info.messageId, suite: suiteHex(header.info.suiteId), context: header.context }),
  };
}

async function decryptRange(
  context: CliContext,
  inputPath: string,
  range: ByteRange,
  options: DecryptOptions,
  flags: DecryptFlags,
  threads: number | undefined,
): Promise<DecryptSummary> {
  const source = await FileSource.open(inputPath);
  let handle: EngineHandle | undefined;
  let output: Output | undefined;
  try {
    const opened = await openStore(context, storeFlags(flags as Record<string, unknown>), 'decrypt');
    try {
      handle = await openEngine(opened.store, { threads });
      verboseNote(context, handle.notice);
      // Reads the header, the final frame and the frames covering the range; each is
      // verified before any byte of it is returned.
      const bytes = await handle.engine.decryptRange(source, { ...options, ...range });
      // The requested range is never empty (END >= START, N >= 1), so no bytes means the
      // start is at the plaintext size (past it, the engine already refused): HTTP's 416.
      if (bytes.length === 0) throw notSatisfiable(range);
      output = await openOutput(context.io, flags.output, {
        binary: false,
        force: flags.force === true,
        input: inputPath,
      });
      await writeAll(output, bytes);
      await output.file?.commit();
      return {
        input: inputPath,
        output: output.label,
        plaintextBytes: bytes.length,
        range:
          'suffixLength' in range
            ? { suffixLength: range.suffixLength }
            : { start: range.start, last: range.start + bytes.length - 1, end: range.start + bytes.length },
      };
    } finally {
      await handle?.close();
      await opened.close();
    }
  } catch (error) {
    await output?.file?.abort();
    throw error;
  } finally {
    await source.close();
  }
}

function notSatisfiable(range: ByteRange): MalformedMessageError {
  const message =
    'suffixLength' in range
      ? 'range: the plaintext is empty, so it has no last bytes'
      : `range start ${range.start} is at the plaintext size ${range.start}`;
  return new MalformedMessageError(ErrorCodes.RANGE_NOT_SATISFIABLE, message);
}

function writeAll(output: Output, bytes: Uint8Array): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    output.stream.write(bytes, (error) => (error ? reject(error) : resolve()));
  });
}
