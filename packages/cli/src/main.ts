import { CommanderError } from 'commander';
import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import type { CliIo } from './cli-context.js';
import { debugDetail, formatReport, reportFor } from './error-report.js';
import { ExitCodes } from './exit-codes.js';
import { AtomicFile } from './io/atomic-file.js';
import { StdioGuard } from './io/stdio-guard.js';
import { BenchExit } from './commands/bench.js';
import { buildProgram } from './program.js';
import { withConfig } from './config/cli-config.js';

const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

const IO_KEYS = ['stdin', 'stdout', 'stderr', 'env', 'signal'] as const;

/** Checks `main`'s arguments: argv strings, an io record of exactly the known keys. */
function assertArguments(argv: unknown, io: unknown): void {
  const bad = (what: string): InvalidArgumentError =>
    new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, `main ${what}`);
  if (!Array.isArray(argv) || argv.some((arg) => typeof arg !== 'string'))
    throw bad('argv: expected an array of strings');
  if (io === null || typeof io !== 'object') throw bad('io: expected { stdin, stdout, stderr, env, signal }');
  for (const key of Object.keys(io)) {
    if (!(IO_KEYS as readonly string[]).includes(key))
      throw bad(`io: unknown key "${key}" (known: ${IO_KEYS.join(', ')})`);
  }
  for (const key of IO_KEYS) {
    if (
      !Object.hasOwn(io, key) ||
      (io as Record<string, unknown>)[key] === null ||
      typeof (io as Record<string, unknown>)[key] !== 'object'
    ) {
      throw bad(
        `io.${key}: expected ${key === 'signal' ? 'an AbortSignal' : key === 'env' ? 'an environment record' : 'a stream'}`,
      );
    }
  }
  if (!((io as { signal: unknown }).signal instanceof AbortSignal)) throw bad('io.signal: expected an AbortSignal');
}

/**
 * Runs `sealflow` with `argv` (the arguments after the program name) and resolves to the
 * exit code. Every failure of the command is printed as `sealflow: <code>: <sentence>` on
 * stderr (plus the stack with `--debug`) and mapped to a documented exit code. When
 * stdout's reader goes away (EPIPE on stdout), the command is stopped and `main`
 * resolves to `ExitCodes.BROKEN_PIPE` without printing anything.
 * @throws {InvalidArgumentError} (rejects) only when `argv` or `io` itself is malformed.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  assertArguments(argv, io);
  const guard = new StdioGuard(io);
  try {
    // Commands stop on SIGINT / SIGTERM and also when stdout's reader is gone (a server
    // or the demo writes stdout without awaiting each write, so they learn it this way).
    return await run(argv, { ...io, signal: AbortSignal.any([io.signal, guard.signal]) }, io.signal, guard);
  } finally {
    guard.release();
  }
}

async function run(argv: readonly string[], io: CliIo, interrupt: AbortSignal, guard: StdioGuard): Promise<number> {
  const debug = argv.includes('--debug');
  let program: ReturnType<typeof buildProgram>;
  try {
    // The config file fills the SEALFLOW_* variables the environment leaves unset.
    program = buildProgram({ ...io, env: withConfig(io.env) });
  } catch (error) {
    return report(io, error, debug);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    if (guard.readerGone) return ExitCodes.BROKEN_PIPE;
    // A write nobody awaited (a server log line) failed otherwise: the output is incomplete.
    const lost = guard.stdoutError;
    if (lost !== undefined) return report(io, lost, debug);
    // A long-running command (xks-proxy) that was asked to stop stopped cleanly.
    return ExitCodes.OK;
  } catch (error) {
    await AtomicFile.abortAll();
    // The reader left: stop quietly, as a tool killed by SIGPIPE does (help text included).
    if (guard.explains(error) || (error instanceof CommanderError && HELP_CODES.has(error.code) && guard.readerGone))
      return ExitCodes.BROKEN_PIPE;
    if (error instanceof CommanderError) {
      if (HELP_CODES.has(error.code)) return error.exitCode;
      const sentence = error.message
        .replace(/^error:\s*/, '')
        .replace(/\s*\n\s*/g, ' ')
        .trim();
      io.stderr.write(`sealflow: ERR_INVALID_ARGUMENT: ${sentence} (see sealflow --help)\n`);
      return ExitCodes.USAGE;
    }
    if (error instanceof BenchExit) return error.exitCode;
    if (interrupt.aborted) {
      io.stderr.write('sealflow: ERR_INTERRUPTED: interrupted; no partial output was kept\n');
      return ExitCodes.INTERRUPTED;
    }
    return report(io, error, debug);
  }
}

/** Prints the one-line report (and the stack with `--debug`); returns its exit code. */
function report(io: CliIo, error: unknown, debug: boolean): number {
  const found = reportFor(error);
  io.stderr.write(formatReport(found));
  if (debug) io.stderr.write(debugDetail(error));
  return found.exitCode;
}
