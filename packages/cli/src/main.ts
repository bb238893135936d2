import { CommanderError } from 'commander';
import type { CliIo } from './cli-context.js';
import { debugDetail, formatReport, reportFor } from './error-report.js';
import { ExitCodes } from './exit-codes.js';
import { AtomicFile } from './io/atomic-file.js';
import { BenchExit } from './commands/bench.js';
import { buildProgram } from './program.js';

const HELP_CODES = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

/**
 * Runs `sealflow` with `argv` (the arguments after the program name) and resolves to the
 * exit code. Never throws: every failure is printed as `sealflow: <code>: <sentence>` on
 * stderr (plus the stack with `--debug`) and mapped to a documented exit code.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
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
