import type { Command } from 'commander';
import { DEFAULT_DECRYPT_LIMITS, s3BucketContext } from '@sealflow/core';
import { printJson, type CliContext, type CliIo } from '../cli-context.js';
import { collect, parseContextPairs } from '../options/parse-context.js';
import { parseSize } from '../options/parse-size.js';
import { parseSuite } from '../options/parse-suite.js';
import { usageError } from '../options/usage-error.js';
import { contextOf, type CommandOptions } from './command-context.js';
import { pipeThroughEngine } from './engine-pipe.js';
import { addStoreOptions } from './store-options.js';
import { parseThreads, threadsOption } from './threads.js';

interface EncryptFlags {
  readonly output?: string;
  readonly context?: string[];
  readonly frameLength?: string;
  readonly suite?: string;
  readonly bucketKey?: boolean;
  readonly threads?: string;
  readonly force?: boolean;
  readonly json?: boolean;
}

/** `sealflow encrypt [FILE]`. */
export function registerEncrypt(program: Command, io: CliIo): void {
  const command = program
    .command('encrypt')
    .description('encrypt a file or stdin into an ESDK v2 message')
    .argument('[input]', 'file to encrypt (default: stdin, or "-")')
    .option('-o, --output <file>', 'write here, atomically (default: stdout)')
    .option('-c, --context <key=value>', 'encryption context pair, repeatable (authenticated, not secret)', collect)
    .option('--frame-length <size>', 'frame length, e.g. 65536 or 1MiB (default 64KiB)')
    .option('--suite <suite>', '0x0478 (default) or 0x0578 (adds an ECDSA P-384 signature)')
    .option('--bucket-key', 'serve the data key from a bucket key (needs an aws:s3:arn object context)');
  addStoreOptions(command);
  threadsOption(command)
    .option('-f, --force', 'overwrite the output file if it exists')
    .option('--json', 'print a JSON summary on stdout (needs -o)')
    .action(async (input: string | undefined, options: CommandOptions<EncryptFlags>, cmd: Command) => {
      await runEncrypt(contextOf(cmd, io), input, options);
    });
}

async function runEncrypt(
  context: CliContext,
  inputPath: string | undefined,
  flags: CommandOptions<EncryptFlags>,
): Promise<void> {
  // Every flag is checked before anything is opened, prompted for or created.
  const pairs = parseContextPairs(flags.context ?? [], '--context');
  const frameLength =
    flags.frameLength === undefined
      ? undefined
      : parseSize(flags.frameLength, '--frame-length', 1, DEFAULT_DECRYPT_LIMITS.maxFrameLength);
  const suite = flags.suite === undefined ? undefined : parseSuite(flags.suite);
  const threads = parseThreads(flags.threads, context, 'encrypt');
  if (flags.bucketKey === true) s3BucketContext(pairs);
  if (flags.json === true && (flags.output === undefined || flags.output === '-'))
    throw usageError('--json: needs -o FILE (stdout carries the ciphertext)');

  const run = await pipeThroughEngine(context, inputPath, flags, {
    operation: 'encrypt',
    engine: { frameLength, suite, bucketKeys: flags.bucketKey === true, threads },
    binary: true,
    transform: (engine, input) =>
      engine.encryptStream({
        context: pairs,
        ...(input.size === undefined ? {} : { plaintextLength: input.size }),
        ...(flags.bucketKey === true ? { bucketKey: true as const } : {}),
      }),
  });
  if (flags.json === true) {
    const stats = run.handle.engine.stats();
    await printJson(context, {
      input: run.input,
      output: run.output,
      plaintextBytes: run.inputBytes,
      ciphertextBytes: run.outputBytes,
      context: pairs,
      keyStoreCalls: stats.keyStoreCalls,
      bucketKeys: stats.bucketKeys,
      workerBatches: run.handle.workerBatches(),
    });
  }
}
