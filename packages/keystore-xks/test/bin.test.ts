// The sealflow-xks-proxy command, run as a child process from the built dist/ (as CI
// builds it with scripts/setup.mjs before the tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { XksKeyStore } from '@sealflow/keystore-xks';
import { CREDENTIAL, PREFIX } from './support/xks-fixtures.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

let dir: string;
const children: ChildProcess[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealflow-xks-bin-'));
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exit: Promise<number | null>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const result: Run = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  child.stdout?.on('data', (chunk: Buffer) => (result.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
  return result;
}

/** Waits for the "listening on URL" line and returns the URL. */
async function listening(r: Run): Promise<string> {
  for (;;) {
    const match = /listening on (\S+)/.exec(r.stderr);
    if (match) return match[1] as string;
    if (r.child.exitCode !== null) throw new Error(`exited early: ${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function config(extra: Record<string, unknown> = {}): string {
  const path = join(dir, 'proxy.json');
  writeFileSync(
    path,
    JSON.stringify({
      keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL] }],
      backend: {
        type: 'memory-kms-file',
        storeFile: 'kms.store',
        passphraseFile: 'passphrase.txt',
        xksKeysFile: 'xks-keys.json',
      },
      ...extra,
    }),
  );
  writeFileSync(join(dir, 'passphrase.txt'), 'correct horse battery staple\n');
  return path;
}

describe('sealflow-xks-proxy', () => {
  it('prints usage with --help and exits 0', async () => {
    const r = run(['--help']);
    expect(await r.exit).toBe(0);
    expect(r.stdout).toContain('--config FILE');
  });

  it('exits 2 without --config, with an unknown flag, and with an invalid config naming the field', async () => {
    expect(await run([]).exit).toBe(2);
    expect(await run(['--config', 'x', '--colour']).exit).toBe(2);
    const bad = run(['--config', config({ colour: 'red' })]);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr).toContain('ERR_INVALID_ARGUMENT: config: unknown option "colour"');
  });

  it('creates a key in the persistent backend, serves it, logs JSON lines, stops on SIGTERM, and serves it again after a restart', async () => {
    const path = config();
    const created = run(['--config', path, '--create-key', 'foo']);
    expect(await created.exit).toBe(0);
    const context = { purpose: 'bin test' };

    const first = run(['--config', path]);
    const url = await listening(first);
    const store = new XksKeyStore({
      endpoint: url,
      uriPrefix: PREFIX,
      keyId: 'foo',
      credentials: CREDENTIAL,
      timeoutMs: 10_000,
    });
    const { dataKey, encryptedDataKey } = await store.generateDataKey({ context, length: 32 });
    store.close();
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    const record = JSON.parse(first.stdout.trim().split('\n')[0] as string) as Record<string, unknown>;
    expect(record).toMatchObject({ operation: 'Encrypt', status: 200, kmsOperation: 'GenerateDataKey' });
    expect(first.stdout).not.toContain(Buffer.from(dataKey.reveal()).toString('base64'));

    const second = run(['--config', path]);
    const again = new XksKeyStore({
      endpoint: await listening(second),
      uriPrefix: PREFIX,
      keyId: 'foo',
      credentials: CREDENTIAL,
      timeoutMs: 10_000,
    });
    expect((await again.unwrapDataKey(encryptedDataKey, { context, length: 32 })).reveal()).toEqual(dataKey.reveal());
    again.close();
    second.child.kill('SIGINT');
    expect(await second.exit).toBe(0);
  });

  it('refuses a wrong passphrase with a clear error and exit code 2', async () => {
    const path = config();
    expect(await run(['--config', path, '--create-key', 'foo']).exit).toBe(0);
    writeFileSync(join(dir, 'passphrase.txt'), 'wrong\n');
    const r = run(['--config', path]);
    expect(await r.exit).toBe(2);
    expect(r.stderr).toContain('ERR_KEY_STORE_LOCKED');
  });
});
