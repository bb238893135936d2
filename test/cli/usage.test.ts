import { existsSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorCode, sandbox, startCli, type CliSandbox } from './support/run-cli.js';

let box: CliSandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.remove());

describe('sealflow usage and process behaviour', () => {
  it('--help lists every command and exits 0', async () => {
    const run = await box.run(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['keys', 'encrypt', 'decrypt', 'inspect', 'bench', 'xks-proxy', 'demo']) {
      expect(run.stdout.toString()).toMatch(new RegExp(`\\n\\s+${command}\\b`));
    }
  });

  it('--version prints the package version', async () => {
    const run = await box.run(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.toString().trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['frobnicate']],
    [['encrypt', '--no-such-flag']],
    [['encrypt', '--frame-length', 'huge']],
    [['encrypt', '--frame-length', '0']],
    [['encrypt', '--frame-length', '32MiB']],
    [['encrypt', '--suite', '0x0178']],
    [['encrypt', '-c', 'novalue']],
    [['encrypt', '-c', 'a=1', '-c', 'a=2']],
    [['encrypt', '--threads', '0']],
    [['encrypt', '--kms', 'gcp']],
    [['encrypt', '--kms', 'aws']],
    [['encrypt', '--endpoint', 'http://127.0.0.1:1']],
    [['encrypt', '--xks', 'not a url']],
    [['inspect']],
    [['keys', 'schedule-deletion']],
  ])('%j is a usage error: ERR_INVALID_ARGUMENT, exit code 1, one line, nothing created', async (args) => {
    const run = await box.run(args, { env: { AWS_REGION: '' } });
    expect(run.code).toBe(1);
    expect(errorCode(run)).toBe('ERR_INVALID_ARGUMENT');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(box.keystore)).toBe(false);
  });

  it('SIGINT during a decrypt stops it with exit code 130 and leaves no partial output', async () => {
    expect((await box.run(['keys', 'create', '--alias', 'alias/x'])).code).toBe(0);
    const sealed = await box.run(['encrypt', '-k', 'alias/x', '--frame-length', '1024'], {
      input: Buffer.alloc(64 * 1024, 7),
    });
    const child = startCli(['decrypt', '-o', box.path('out.bin')], { env: box.env });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Half the message, then the pipe stays open: the CLI is mid-decrypt, its temp output open.
    child.stdin?.write(sealed.stdout.subarray(0, sealed.stdout.length / 2));
    const tempFiles = (): string[] => readdirSync(box.dir).filter((name) => name.startsWith('.out.bin.sealflow-'));
    for (let i = 0; i < 400 && tempFiles().length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(tempFiles()).toHaveLength(1);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toContain('ERR_INTERRUPTED');
    expect(existsSync(box.path('out.bin'))).toBe(false);
    expect(readdirSync(box.dir).filter((name) => name.includes('.sealflow-'))).toEqual([]);
  });
});
