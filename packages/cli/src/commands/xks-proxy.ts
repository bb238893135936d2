import type { Command } from 'commander';
import { note, type CliIo } from '../cli-context.js';
import { contextOf } from './command-context.js';

/**
 * `sealflow xks-proxy --config FILE`: runs the XKS proxy server of
 * `@sealflow/keystore-xks` from its JSON config file (that package's README documents
 * every field). One JSON line per request goes to stdout (`"log": "stdout"`, never
 * plaintext); SIGHUP re-reads the credentials; SIGINT / SIGTERM stop it (exit 0).
 */
export function registerXksProxy(program: Command, io: CliIo): void {
  program
    .command('xks-proxy')
    .description('run an AWS KMS External Key Store (XKS) proxy server from a JSON config file')
    .requiredOption('--config <file>', 'the proxy config (listen address, key stores and credentials, backend, TLS)')
    .action(async (options: { config: string }, command: Command) => {
      const context = contextOf(command, io);
      // Loaded on demand: the proxy (and its SigV4 stack) is not needed by other commands.
      const { startXksProxyFromConfig } = await import('@sealflow/keystore-xks');
      const running = await startXksProxyFromConfig(options.config, {
        writeLine: (line) => void io.stdout.write(`${line}\n`),
      });
      note(context, `sealflow: XKS proxy listening on ${running.address.url} (Ctrl-C stops it)`);
      const reload = (): void => {
        running.reloadCredentials().then(
          () => note(context, 'sealflow: credentials reloaded'),
          (error: unknown) =>
            io.stderr.write(
              `sealflow: credentials not reloaded, keeping the old ones: ${error instanceof Error ? error.message : String(error)}\n`,
            ),
        );
      };
      process.on('SIGHUP', reload);
      try {
        await new Promise<void>((resolve) => {
          if (io.signal.aborted) resolve();
          else io.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } finally {
        process.off('SIGHUP', reload);
        await running.close();
      }
      note(context, 'sealflow: XKS proxy stopped');
    });
}
