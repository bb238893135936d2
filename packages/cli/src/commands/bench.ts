import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parseRatioReport, renderRatioTable } from '../bench/ratio-table.js';
import { note, print, type CliIo } from '../cli-context.js';
import { contextOf } from './command-context.js';

/** Where the bench runner sits in a clone of the repository (bench/ is a private package). */
const RUNNER = fileURLToPath(new URL('../../../../bench/dist/run.js', import.meta.url));

/**
 * The results file the bench runner writes (`<runner folder>/../results/latest.json`),
 * for the runner `$SEALFLOW_BENCH_RUNNER` names or the clone's.
 */
export function benchResultsFile(env: NodeJS.ProcessEnv): string {
  return join(dirname(env['SEALFLOW_BENCH_RUNNER'] || RUNNER), '..', 'results', 'latest.json');
}

/**
 * Thrown when the runner ended with a non-zero code (a missed target with --check, a
 * cross-check failure): the runner already said why, so `main` prints nothing more and
 * exits with the runner's code.
 */
export class BenchExit extends Error {
  readonly exitCode: number;
  constructor(exitCode: number) {
    super(`the bench runner exited with code ${exitCode}`);
    this.exitCode = exitCode;
  }
}

/**
 * `sealflow bench [--full] [--check]`: runs the bench suite (the repository's `bench/`
 * package) in a child process, quick by default, and passes its output through (the
 * runner cross-checks every contestant's bytes, then times them); then prints the ratio
 * table (vs raw node:crypto, vs @aws-crypto/client-node, vs one thread) from the
 * results file the runner wrote (`<runner>/../results/latest.json`).
 * `$SEALFLOW_BENCH_RUNNER` points at another runner script.
 */
export function registerBench(program: Command, io: CliIo): void {
  program
    .command('bench')
    .description('run the quick benchmark suite and print the throughput ratio table (needs a clone: bench/)')
    .option('--full', 'the full suite instead of --quick (takes longer)')
    .option('--check', 'also check the throughput targets; exit non-zero when one is missed')
    .action(async (options: { full?: boolean; check?: boolean }, command: Command) => {
      const context = contextOf(command, io);
      const runner = io.env['SEALFLOW_BENCH_RUNNER'] || RUNNER;
      await access(runner).catch((error: NodeJS.ErrnoException) => {
        throw Object.assign(new Error(`the bench runner ${runner} is missing`), {
          code: error.code ?? 'ENOENT',
          path: `${runner} (the bench ships with the repository: run "npm run setup" in a clone)`,
        });
      });
      const args = [
        runner,
        ...(options.full === true ? [] : ['--quick']),
        ...(options.check === true ? ['--check'] : []),
      ];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: io.env });
      child.stdout.pipe(io.stdout, { end: false });
      child.stderr.pipe(io.stderr, { end: false });
      const stop = (): void => void child.kill('SIGINT');
      io.signal.addEventListener('abort', stop, { once: true });
      const code = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (exit, signal) => resolve(exit ?? (signal === null ? 1 : 128 + 2)));
      }).finally(() => io.signal.removeEventListener('abort', stop));
      // The runner wrote its results (also with --check and a missed target, exit 1).
      const results = benchResultsFile(io.env);
      const text = await readFile(results, 'utf8').catch(() => undefined);
      const report = text === undefined ? undefined : parseRatioReport(text);
      if (report !== undefined) await print(context, `\n${renderRatioTable(report)}`);
      else if (code === 0) note(context, `sealflow: no readable results at ${results}`);
      if (code !== 0) throw new BenchExit(code);
    });
}
