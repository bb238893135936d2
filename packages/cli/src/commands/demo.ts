import type { Command } from 'commander';
import { print, printJson, type CliIo } from '../cli-context.js';
import { DemoReport } from '../demo/demo-report.js';
import { runDemo } from '../demo/demo-run.js';
import { parseCount, parseSize } from '../options/parse-size.js';
import { contextOf } from './command-context.js';

interface DemoFlags {
  readonly objects: string;
  readonly objectSize: string;
  readonly keep?: boolean;
  readonly json?: boolean;
}

/** `sealflow demo`: the README's first command. */
export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description(
      'show sealflow end to end: the S3 gateway on its embedded default, driven by the AWS SDK (SSE-KMS, bucket keys, multipart, ranges, policies, metrics, audit)',
    )
    .option('--objects <n>', 'small objects to PUT with SSE-KMS and a bucket key', '100')
    .option('--object-size <size>', 'bytes per small object', '64KiB')
    .option('--keep', 'keep the demo folder (gateway data, key store, audit file)')
    .option('--json', 'print the results as JSON')
    .action(async (flags: DemoFlags, command: Command) => {
      const context = contextOf(command, io);
      const objects = parseCount(flags.objects, '--objects', 1, 10_000);
      const objectSize = parseSize(flags.objectSize, '--object-size', 1, 64 * 1024 * 1024);
      const json = flags.json === true;
      // The SDK's notice about future Node versions would be noise on stderr.
      process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
      const result = await runDemo(
        { objects, objectSize, keep: flags.keep === true },
        {
          // Text mode prints each step as it finishes (stdout is the report).
          step: (line) => {
            if (!json) io.stdout.write(`${line}\n`);
          },
          signal: io.signal,
        },
      );
      if (json) await printJson(context, { ...result, ok: DemoReport.ok(result) });
      else
        await print(
          context,
          `${DemoReport.metrics(result.metrics)}\n${DemoReport.audit(result)}\n${DemoReport.done(result)}\n`,
        );
      if (!DemoReport.ok(result)) process.exitCode = 1;
    });
}
