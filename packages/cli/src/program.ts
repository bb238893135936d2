import { Command } from 'commander';
import type { CliIo } from './cli-context.js';
import { registerBench } from './commands/bench.js';
import { registerCompletion } from './commands/completion.js';
import { registerDecrypt } from './commands/decrypt.js';
import { registerDemo } from './commands/demo.js';
import { registerEncrypt } from './commands/encrypt.js';
import { registerGateway } from './commands/gateway.js';
import { registerInspect } from './commands/inspect.js';
import { registerKeys } from './commands/keys.js';
import { registerXksProxy } from './commands/xks-proxy.js';
import { packageVersion } from './version.js';

/**
 * The `sealflow` command tree. Commander parses; it never prints errors or exits on
 * its own (`main` reports every failure the same way).
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command('sealflow')
    .description('Streaming envelope encryption (AWS Encryption SDK message format v2) under KMS keys')
    .version(packageVersion(), '-V, --version')
    .option(
      '--keystore <path>',
      'the embedded key store file (default: $SEALFLOW_KEYSTORE, else ~/.config/sealflow/keys.sealed)',
    )
    .option(
      '--passphrase-file <path>',
      'read the key store passphrase from the first line of this file (beats $SEALFLOW_PASSPHRASE)',
    )
    .option('-q, --quiet', 'no progress bar and no notes on stderr')
    .option('--verbose', 'notes about the engine on stderr (such as the native backend not being loaded)')
    .option('--debug', 'print stack traces on failure')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: () => {},
    });
  program.addHelpText(
    'after',
    [
      '',
      'Start with "sealflow demo". Keys live in the embedded store, unlocked by $SEALFLOW_PASSPHRASE',
      'or a prompt. Exit codes: 0 ok, 1 usage, 2 bad or altered input, 3 key store refused or failed,',
      "4 file or stream I/O, 70 internal error, 130 interrupted, 141 stdout's reader went away (| head).",
      'Errors print "sealflow: <code>: <sentence>".',
    ].join('\n'),
  );
  // Subcommands copy exitOverride and the output settings when they are created.
  registerKeys(program, io);
  registerEncrypt(program, io);
  registerDecrypt(program, io);
  registerInspect(program, io);
  registerBench(program, io);
  registerXksProxy(program, io);
  registerGateway(program, io);
  registerDemo(program, io);
  registerCompletion(program, io);
  return program;
}
