// Drives the BUILT `sealflow` binary as a user would: a spawned `node dist/bin.js`, with
// pipes, files and environment variables. scripts/setup.mjs builds dist/ before the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url));

/** What a finished run left. */
export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Bytes written to stdin, then stdin is closed (stdin is an empty pipe otherwise). */
  readonly input?: Uint8Array | string;
  readonly cwd?: string;
}

/** Runs `sealflow ...args` to completion. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  const child = startCli(args, options);
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin?.on('error', () => {
    // The CLI may exit (on a usage error) before reading stdin.
  });
  child.stdin?.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(stdout), stderr }));
  });
}

/** Starts `sealflow ...args` with piped stdio; the caller drives stdin and waits. */
export function startCli(args: readonly string[], options: RunOptions = {}): ChildProcess {
  if (!existsSync(BIN))
    throw new Error(`${BIN} is missing: run "node scripts/setup.mjs" (or tsc -b packages/cli) first`);
  return spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: options.env ?? {},
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** A temp folder with its own key store location and a fast passphrase setup. */
export interface CliSandbox {
  readonly dir: string;
  readonly keystore: string;
  /** Environment for the CLI: key store and passphrase set, HOME pointed into the sandbox. */
  readonly env: NodeJS.ProcessEnv;
  path(name: string): string;
  run(
    args: readonly string[],
    options?: Omit<RunOptions, 'env'> & { readonly env?: NodeJS.ProcessEnv },
  ): Promise<CliRun>;
  remove(): void;
}

export const PASSPHRASE = 'correct horse battery staple';

export function sandbox(): CliSandbox {
  const dir = mkdtempSync(join(tmpdir(), 'sealflow-cli-test-'));
  const keystore = join(dir, 'config', 'keys.sealed');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '',
    // Never the developer's real home or config.
    HOME: join(dir, 'home'),
    SEALFLOW_KEYSTORE: keystore,
    SEALFLOW_PASSPHRASE: PASSPHRASE,
    // The lowest scrypt cost the store accepts: tests create many stores.
    SEALFLOW_SCRYPT_N: '1024',
    // Never the clone's bench results: `--threads` warns from them (a suite sets its own).
    SEALFLOW_BENCH_RUNNER: join(dir, 'bench', 'dist', 'run.js'),
  };
  return {
    dir,
    keystore,
    env,
    path: (name) => join(dir, name),
    run: (args, options = {}) => runCli(args, { ...options, env: { ...env, ...(options.env ?? {}) } }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The `sealflow: <code>: <sentence>` line's code. */
export function errorCode(run: CliRun): string | undefined {
  return /^sealflow: ([A-Z0-9_]+): /m.exec(run.stderr)?.[1];
}
