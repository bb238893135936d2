import { CommanderError } from 'commander';
import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import type { CliIo } from './cli-context.js';
import { debugDetail, formatReport, reportFor } from './error-report.js';
import { ExitCodes } from './exit-codes.js';
import { AtomicFile } from './io/atomic-file.js';
import { BenchExit } from './commands/bench.js';
import { buildProgram } from './program.js';

const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

const IO_KEYS = ['stdin', 'stdout', 'stderr', 'env', 'signal'] as const;

/** Checks `main`'s arguments: argv strings, an io record of exactly the known keys. */
function assertArguments(argv: unknown, io: unknown): void {
  const bad = (what: string): InvalidArgumentError => new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, `main ${what}`);
  if (!Array.isArray(argv) || argv.some((arg) => typeof arg !== 'string')) throw bad('argv: expected an array of strings');
  if (io === null || typeof io !== 'object') throw bad('io: expected { stdin, stdout, stderr, env, signal }');
  for (const key of Object.keys(io)) {
    if (!(IO_KEYS as readonly string[]).includes(key)) throw bad(`io: unknown key "${key}" (known: ${IO_KEYS.join(', ')})`);
  }
  for (const key of IO_KEYS) {
    if (!Object.hasOwn(io, key) || (io as Record<string, unknown>)[key] === null || typeof (io as Record<string, unknown>)[key] !== 'object') {
      throw bad(`io.${key}: expected ${key === 'signal' ? 'an AbortSignal' : key === 'env' ? 'an environment record' : 'a stream'}`);
    }
  }
  if (!((io as { signal: unknown }).signal instanceof AbortSignal)) throw bad('io.signal: expected an AbortSignal');
}

/**
 * Runs `sealflow` with `argv` (the arguments after the program name) and resolves to the
 * exit code. Every failure of the command is printed as `sealflow: <code>: <sentence>` on
 * stderr (plus the stack with `--debug`) and mapped to a documented exit code.
 * @throws {InvalidArgumentError} (rejects) only when `argv` or `io` itself is malformed.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  assertArguments(argv, io);
  const debug = argv.includes('--debug');
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    // A long-running command (xks-proxy) that was asked to stop stopped cleanly.
    return ExitCodes.OK;
  } catch (error) {
    await AtomicFile.abortAll();
    if (error instanceof CommanderError) {
      if (HELP_CODES.has(error.code)) return error.exitCode;
      const sentence = error.message.replace(/^error:\s*/, '').replace(/\s*\n\s*/g, ' ').trim();
      io.stderr.write(`sealflow: ERR_INVALID_ARGUMENT: ${sentence} (see sealflow --help)\n`);
      return ExitCodes.USAGE;
    }
    if (error instanceof BenchExit) return error.exitCode;
    if (io.signal.aborted) {
      io.stderr.write('sealflow: ERR_INTERRUPTED: interrupted; no partial output was kept\n');
      return ExitCodes.INTERRUPTED;
    }
    const report = reportFor(error);
    io.stderr.write(formatReport(report));
    if (debug) io.stderr.write(debugDetail(error));
    return report.exitCode;
  }
}
