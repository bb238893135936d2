import { homedir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import type { CliIo } from '../cli-context.js';
import { loadNative } from '../engine-options.js';

/** Where the embedded default keeps its data when neither --data-dir nor the env var says. */
function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const fromEnv = env['SEALFLOW_GATEWAY_DIR'];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.local', 'share', 'sealflow', 'gateway');
}

/**
 * The gateway process's V8 heap growing factor (1 + percent / 100). V8 counts external memory
 * allocated since the last mark-compact (every body buffer) against the old-generation limit,
 * and a small heap (the gateway's is about 17 MB) gets a limit close to its size: on the
 * gateway bench about one run in three fell into back-to-back mark-compacts every 20 to 50 ms
 * for the rest of the process (PUT 64 MiB 15 to 20% slower). Growing by 4x instead of the
 * dynamic ~2x leaves room for the scavenges, which free those buffers young: 5 of 5 runs
 * without one. The heap stays small; only its collection is less eager.
 */
const HEAP_GROWING_PERCENT = 300;

/**
 * `sealflow gateway [--config FILE]`: runs the S3-compatible encrypting gateway of
 * `@sealflow/gateway`. With `--config`, from that JSON file (the package README documents
 * every field); without, the embedded default in `--data-dir` (fs storage, the in-process
 * KMS file store, credentials in `<dir>/credentials.json`). When it is ready it prints
 * exactly one line on stderr, `listening on http(s)://HOST:PORT`, and nothing else;
 * SIGINT / SIGTERM stop it (exit 0).
 */
export function registerGateway(program: Command, io: CliIo): void {
  program
    .command('gateway')
    .description('run the S3-compatible encrypting gateway (SSE-S3 / SSE-KMS over fs or S3 storage)')
    .option('--config <file>', 'the gateway config (listen, tls, region, accounts, storage, keyStore, bucketKeys)')
    .option(
      '--data-dir <dir>',
      'without --config: where the embedded default keeps objects, keys and credentials (default: $SEALFLOW_GATEWAY_DIR, else ~/.local/share/sealflow/gateway)',
    )
    .option('--listen <host:port>', 'without --config: the loopback address to serve plain HTTP on', '127.0.0.1:0')
    .action(async (options: { config?: string; dataDir?: string; listen: string }) => {
      // The SDK's notice about future Node versions would be a second stderr line.
      process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
      // Read by V8 at each heap-limit computation, so it takes effect from the next collection.
      setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
      // The gateway's engines pick the native backend (auto) when it is built; node:crypto otherwise.
      await loadNative();
      // Loaded on demand: the gateway (HTTP, AWS SDK, metrics) is not needed by other commands.
      const gateway = await import('@sealflow/gateway');
      const config =
        options.config !== undefined
          ? await gateway.loadGatewayConfig(options.config)
          : (await gateway.defaultGatewayConfig(options.dataDir ?? defaultDataDir(io.env), options.listen)).config;
      const running = await gateway.startGateway(config);
      io.stderr.write(`listening on ${running.url}\n`);
      try {
        await new Promise<void>((resolve) => {
          if (io.signal.aborted) resolve();
          else io.signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } finally {
        await running.close();
      }
    });
}
