// scripts/ci-watchdog.mjs, which .ci/run runs the test command under, over real processes:
// output and exit status pass through; a quiet run is ended with what it was doing (the
// tests vitest was running, the process table, each Node.js process's stack and handles).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WATCHDOG = join(ROOT, 'scripts', 'ci-watchdog.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'sealflow-watchdog-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Ended {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function watch(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Ended> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WATCHDOG, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('scripts/ci-watchdog.mjs', () => {
  it('passes a command’s output and exit status through, and leaves no temporary files', async () => {
    const temp = mkdtempSync(join(scratch, 'tmp-'));
    const script = "console.log('out'); console.error('err'); process.exitCode = 3";
    const ended = await watch(['--quiet-minutes', '1', '--', process.execPath, '-e', script], { TMPDIR: temp });
    expect(ended).toStrictEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(readdirSync(temp)).toStrictEqual([]);
  });

  it('exits 128 + the signal number when the command is killed by a signal', async () => {
    const ended = await watch(['--', process.execPath, '-e', "process.kill(process.pid, 'SIGTERM')"]);
    expect(ended.code).toBe(128 + 15);
  });

  it('ends a quiet run with exit 124, naming the running tests, the process table and each node stack', async () => {
    // A stand-in for vitest and a hung worker: it records its running test file and test
    // where test/setup/running-*.ts would (and a stale file of a worker long gone), then
    // waits on a socket forever; a second node process spins.
    const waiter = join(scratch, 'waiter.mjs');
    writeFileSync(
      waiter,
      [
        "import { mkdirSync, writeFileSync } from 'node:fs';",
        "import { createServer } from 'node:net';",
        'const folder = process.env.SEALFLOW_RUNNING_TESTS;',
        'mkdirSync(folder, { recursive: true });',
        "writeFileSync(`${folder}/vitest.txt`, 'last file ended: w.test.ts\\nx.test.ts: running\\n');",
        'writeFileSync(`${folder}/worker-${process.pid}.txt`, \'x.test.ts: test "waits forever"\\n\');',
        'writeFileSync(`${folder}/worker-999999999.txt`, \'gone.test.ts: test "long over"\\n\');',
        'createServer().listen(0);',
        "console.log('waiting');",
      ].join('\n'),
    );
    const spinner = join(scratch, 'spinner.mjs');
    writeFileSync(spinner, 'setTimeout(function spinForever() { for (;;); }, 10);');
    const shell = `"${process.execPath}" "${waiter}" & "${process.execPath}" "${spinner}" & wait`;
    const temp = mkdtempSync(join(scratch, 'tmp-'));
    const ended = await watch(['--quiet-minutes', '0.05', '--', 'bash', '-c', shell], { TMPDIR: temp });
    expect(ended.code).toBe(124);
    expect(readdirSync(temp)).toStrictEqual([]);
    expect(ended.stdout).toContain('waiting\n');
    expect(ended.stdout).toMatch(/ci-watchdog: no output for \d+ s, \d+ s into `bash -c /);
    expect(ended.stdout).toContain('  vitest: last file ended: w.test.ts\n    x.test.ts: running\n');
    expect(ended.stdout).toMatch(/ {2}worker \d+: x\.test\.ts: test "waits forever"\n/);
    expect(ended.stdout).not.toContain('long over');
    expect(ended.stdout).toMatch(/PID +PPID +STAT +WCHAN/);
    // The waiting process wrote a report: its open server socket is among its handles.
    expect(ended.stdout).toMatch(
      new RegExp(`ci-watchdog: node \\d+ \\(.*waiter\\.mjs\\)\\n  active libuv handles: .*"tcp":1`),
    );
    // The spinning one could not: said so, not hidden.
    expect(ended.stdout).toMatch(/ci-watchdog: node \d+ wrote no report within 10 s/);
  }, 60_000);

  it('ends a run still going at the deadline', async () => {
    const deadline = Math.floor(Date.now() / 1000) + 2;
    const script = "setInterval(() => console.log('busy'), 200)";
    const ended = await watch(['--deadline', String(deadline), '--', process.execPath, '-e', script]);
    expect(ended.code).toBe(124);
    expect(ended.stdout).toContain('busy\n');
    expect(ended.stdout).toContain('ci-watchdog: the CI deadline came');
  }, 60_000);

  it('refuses a call without a command', async () => {
    const ended = await watch(['--quiet-minutes', '1']);
    expect(ended.code).toBe(2);
    expect(ended.stderr).toContain('usage: ci-watchdog.mjs');
  });
});
