import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { DEFAULT_DECRYPT_LIMITS, s3BucketContext, type EncryptOptions } from '@sealflow/core';
import { printJson, progressTarget, type CliContext, type CliIo } from '../cli-context.js';
import { openEngine } from '../engine-options.js';
import { ProgressMeter } from '../io/progress.js';
import { openInput, openOutput } from '../io/streams.js';
import { openStore } from '../keystore/open-store.js';
import { collect, parseContextPairs } from '../options/parse-context.js';
import { parseSize } from '../options/parse-size.js';
import { parseSuite } from '../options/parse-suite.js';
import { usageError } from '../options/usage-error.js';
import { contextOf, type CommandOptions } from './command-context.js';
import { addStoreOptions, storeFlags } from './store-options.js';
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

async function runEncrypt(context: CliContext, inputPath: string | undefined, flags: CommandOptions<EncryptFlags>): Promise<void> {
  // Every flag is checked before anything is opened, prompted for or created.
  const pairs = parseContextPairs(flags.context ?? [], '--context');
  const frameLength = flags.frameLength === undefined ? undefined : parseSize(flags.frameLength, '--frame-length', 1, DEFAULT_DECRYPT_LIMITS.maxFrameLength);
  const suite = flags.suite === undefined ? undefined : parseSuite(flags.suite);
  const threads = parseThreads(flags.threads);
  if (flags.bucketKey === true) s3BucketContext(pairs);
  if (flags.json === true && (flags.output === undefined || flags.output === '-')) throw usageError('--json: needs -o FILE (stdout carries the ciphertext)');

  const input = await openInput(context.io, inputPath);
  const opened = await openStore(context, storeFlags(flags), 'encrypt').catch((error: unknown) => {
    input.stream.destroy();
    throw error;
  });
  try {
    const handle = await openEngine(opened.store, { frameLength, suite, bucketKeys: flags.bucketKey === true, threads });
    const { engine } = handle;
    const output = await openOutput(context.io, flags.output, { binary: true, force: flags.force === true, input: inputPath }).catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    const meter = new ProgressMeter(progressTarget(context, flags.json === true), 'encrypt', input.size);
    const counter = new ProgressMeter({ stream: context.io.stderr, enabled: false }, '', undefined);
    const options: EncryptOptions = {
      context: pairs,
      ...(input.size === undefined ? {} : { plaintextLength: input.size }),
      ...(flags.bucketKey === true ? { bucketKey: true as const } : {}),
    };
    try {
      await pipeline(input.stream, meter, engine.encryptStream(options), counter, output.stream, { signal: context.io.signal });
      await output.file?.commit();
    } catch (error) {
      await output.file?.abort();
      throw error;
    } finally {
      meter.stop();
      await handle.close();
    }
    const stats = engine.stats();
    const workerBatches = handle.workerBatches();
    if (flags.json === true) {
      await printJson(context, {
        input: input.label,
        output: output.label,
        plaintextBytes: meter.bytes,
        ciphertextBytes: counter.bytes,
        context: pairs,
        keyStoreCalls: stats.keyStoreCalls,
        bucketKeys: stats.bucketKeys,
        workerBatches,
      });
    }
  } finally {
    input.stream.destroy();
    await opened.close();
  }
}
