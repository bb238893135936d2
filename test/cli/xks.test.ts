import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, sandbox, startCli, type CliSandbox } from './support/run-cli.js';

const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLEAB';
const SECRET = 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYabcdef';

let box: CliSandbox;
let proxy: ChildProcess | undefined;
beforeEach(() => {
  box = sandbox();
});
afterEach(async () => {
  if (proxy !== undefined && proxy.exitCode === null) {
    proxy.kill('SIGTERM');
    await new Promise((resolve) => proxy?.once('close', resolve));
  }
  proxy = undefined;
  box.remove();
});

/** Starts `sealflow xks-proxy` on an ephemeral loopback port; resolves to its URL. */
async function startProxy(): Promise<{ url: string; log: () => string }> {
  writeFileSync(
    box.path('xks.json'),
    JSON.stringify({
      listen: { host: '127.0.0.1', port: 0 },
      keyStores: [{ uriPrefix: '/tenant-a', credentials: [{ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }] }],
      backend: { type: 'memory', keys: [{ keyId: 'ext-key-1' }, { keyId: 'ext-disabled', status: 'DISABLED' }] },
    }),
  );
  const child = startCli(['xks-proxy', '--config', box.path('xks.json')], { env: box.env });
  proxy = child;
  child.stdin?.end();
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('close', (code) => reject(new Error(`proxy exited (${String(code)}): ${stderr}`)));
  });
  return { url, log: () => stdout };
}

const xksEnv = { SEALFLOW_XKS_ACCESS_KEY_ID: ACCESS_KEY_ID, SEALFLOW_XKS_SECRET_ACCESS_KEY: SECRET };

describe('sealflow with an XKS proxy', () => {
  it('xks-proxy serves encrypt and decrypt --xks URL, logs each request as JSON, and stops with exit 0', async () => {
    const { url, log } = await startProxy();
    const sealed = await box.run(['encrypt', '--xks', `${url}/tenant-a`, '-k', 'ext-key-1', '-c', 'a=b'], {
      input: 'external key',
      env: xksEnv,
    });
    expect(sealed.stderr).toBe('');
    expect(sealed.code).toBe(0);
    writeFileSync(box.path('m.sealed'), sealed.stdout);
    const info = JSON.parse((await box.run(['inspect', box.path('m.sealed'), '--json'])).stdout.toString()) as {
      encryptedDataKeys: { providerId: string; key: string }[];
    };
    expect(info.encryptedDataKeys).toEqual([expect.objectContaining({ providerId: 'sealflow-xks', key: 'ext-key-1' })]);
    const opened = await box.run(
      ['decrypt', box.path('m.sealed'), '--xks', `${url}/tenant-a/kms/xks/v1`, '-k', 'ext-key-1'],
      { env: xksEnv },
    );
    expect(opened.stdout.toString()).toBe('external key');
    const lines = log()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { operation: string; status: number });
    expect(lines.map((l) => [l.operation, l.status])).toEqual([
      ['Encrypt', 200],
      ['Decrypt', 200],
    ]);
    expect(log()).not.toContain('external key');
    proxy?.kill('SIGTERM');
    const code = await new Promise((resolve) => proxy?.once('close', resolve));
    expect(code).toBe(0);
  });

  it('a stopped proxy fails decrypt with ERR_KEY_STORE_UNAVAILABLE (exit 3) and writes no output', async () => {
    const { url } = await startProxy();
    const sealed = await box.run(['encrypt', '--xks', `${url}/tenant-a`, '-k', 'ext-key-1'], {
      input: 'x',
      env: xksEnv,
    });
    proxy?.kill('SIGTERM');
    await new Promise((resolve) => proxy?.once('close', resolve));
    writeFileSync(box.path('m.sealed'), sealed.stdout);
    const run = await box.run(
      ['decrypt', box.path('m.sealed'), '--xks', `${url}/tenant-a`, '-k', 'ext-key-1', '-o', box.path('out')],
      { env: xksEnv },
    );
    expect(run.code).toBe(3);
    expect(errorCode(run)).toBe('ERR_KEY_STORE_UNAVAILABLE');
    expect(existsSync(box.path('out'))).toBe(false);
  });

  it('a disabled external key, a wrong secret and missing credentials fail clearly', async () => {
    const { url } = await startProxy();
    const disabled = await box.run(['encrypt', '--xks', `${url}/tenant-a`, '-k', 'ext-disabled'], {
      input: 'x',
      env: xksEnv,
    });
    expect(disabled.code).toBe(3);
    const wrong = await box.run(['encrypt', '--xks', `${url}/tenant-a`, '-k', 'ext-key-1'], {
      input: 'x',
      env: { ...xksEnv, SEALFLOW_XKS_SECRET_ACCESS_KEY: SECRET.replace('a', 'b') },
    });
    expect(wrong.code).toBe(3);
    expect(errorCode(wrong)).toBe('ERR_ACCESS_DENIED');
    const missing = await box.run(['encrypt', '--xks', `${url}/tenant-a`, '-k', 'ext-key-1'], { input: 'x' });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('SEALFLOW_XKS_ACCESS_KEY_ID');
  });

  it('an invalid config file is a usage error (exit 1) naming the field', async () => {
    writeFileSync(box.path('bad.json'), JSON.stringify({ listen: { port: 'eighty' }, keyStores: [] }));
    const run = await box.run(['xks-proxy', '--config', box.path('bad.json')]);
    expect(run.code).toBe(1);
    expect(errorCode(run)).toBe('ERR_INVALID_ARGUMENT');
  });
});
