import type { Command } from 'commander';
import { print, printJson, progressTarget, type CliIo } from '../cli-context.js';
import { DemoReport } from '../demo/demo-report.js';
import { runDemo } from '../demo/demo-run.js';
import { parseCount, parseSize } from '../options/parse-size.js';
import { usageError } from '../options/usage-error.js';
import { contextOf } from './command-context.js';

interface DemoFlags {
  readonly size: string;
  readonly objects: string;
  readonly frameLength: string;
  readonly keep?: boolean;
  readonly json?: boolean;
}

/** `sealflow demo`: the README's first command. */
export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('show sealflow working: a throwaway key store, bucket keys, a few hundred MiB streamed, verified, range-read, audited')
    .option('--size <size>', 'plaintext to stream in total', '256MiB')
    .option('--objects <n>', 'how many objects to split it into (each gets its own message and data key)', '512')
    .option('--frame-length <size>', 'frame length', '64KiB')
    .option('--keep', 'keep the demo folder (key store, audit file, ciphertexts)')
    .option('--json', 'print the measurements as JSON')
    .action(async (flags: DemoFlags, command: Command) => {
      const context = contextOf(command, io);
      const size = parseSize(flags.size, '--size', 1, 64 * 1024 ** 3);
      const objects = parseCount(flags.objects, '--objects', 1, 100_000);
      if (objects > size) throw usageError(`--objects: ${objects} objects do not fit in ${size} bytes`);
      const frameLength = parseSize(flags.frameLength, '--frame-length', 1, 16 * 1024 * 1024);
      const json = flags.json === true;
      const lines: string[] = [];
      const result = await runDemo(
        { size, objects, frameLength, keep: flags.keep === true },
        {
          // Text mode prints each step as it finishes (stdout is the report).
          step: (line) => {
            if (!json) lines.push(line);
            if (!json) io.stdout.write(`${line}\n`);
          },
          progress: progressTarget(context, json),
          signal: io.signal,
        },
      );
      if (json) await printJson(context, result);
      else await print(context, `${DemoReport.audit(result)}\n${DemoReport.done(result)}\n`);
    });
}
