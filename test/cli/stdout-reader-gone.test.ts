// `sealflow ... | head -c 10`: when stdout's reader goes away, the command stops quietly
// with exit 141 (128 + SIGPIPE, as the shell reports for `cat`), and nothing else does:
// real failures keep their codes, and EPIPE on an output file or on stderr is not
// taken for the reader leaving.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes } from './support/messages.js';
import { errorCode, startCli, sandbox, type CliSandbox } from './support/run-cli.js';

let box: CliSandbox;
beforeEach(async () => {
  box = sandbox();
  expect((await box.run(['keys', 'create', '--alias', 'alias/test'])).code).toBe(0);
});
afterEach(() => box.remove());

const MiB = 1024 * 1024;
/** How long the CLI may take to exit once its reader left (it stops at once; 1 s is its own hard stop). */
const PROMPT_MS = 5000;
/** A run that has not ended by then hangs: it is killed and the test fails. */
const HANG_MS = 30_000;

interface EarlyCloseRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  /** Bytes the reader took before it closed stdout (0 when it never saw any). */
  readonly received: number;
  /** From the reader closing stdout to the process exiting. */
  readonly exitMs: number;
}

interface EarlyCloseOptions {
  /** Written to the CLI's stdin. */
  readonly stdin?: Buffer;
  /** Leave stdin open after writing (a producer that has more to give, like `yes`). */
  readonly keepStdinOpen?: boolean;
  /** Close stdout before the CLI writes anything, instead of after a few bytes. */
  readonly closeAtOnce?: boolean;
}

/** Runs the CLI with stdout read by a reader that takes a few bytes and then closes the pipe (`| head -c 10`). */
function runWithEarlyReader(args: readonly string[], options: EarlyCloseOptions = {}): Promise<EarlyCloseRun> {
  const child = startCli(args, { env: box.env });
  const stdout = child.stdout as NonNullable<ChildProcess['stdout']>;
  let stderr = '';
  let received = 0;
  let closedAt: number | undefined;
  const close = (): void => {
    closedAt = performance.now();
    stdout.destroy();
  };
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  // The CLI stops reading its input: writes into its stdin may then fail.
  child.stdin?.on('error', () => {});
  if (options.keepStdinOpen === true) child.stdin?.write(options.stdin ?? '');
  else child.stdin?.end(options.stdin ?? '');
  if (options.closeAtOnce === true) close();
  else {
    stdout.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= 10 && closedAt === undefined) close();
    });
  }
  return new Promise((resolve, reject) => {
    let exitedAt = 0;
    const hang = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sealflow ${args.join(' ')} still runs ${HANG_MS} ms after its reader left`));
    }, HANG_MS);
    child.once('error', reject);
    child.once('exit', () => {
      exitedAt = performance.now();
    });
    child.once('close', (code, signal) => {
      clearTimeout(hang);
      child.stdin?.destroy();
      resolve({ code, signal, stderr, received, exitMs: closedAt === undefined ? Number.NaN : exitedAt - closedAt });
    });
  });
}

/** The quiet stop: exit 141, not killed, nothing on stderr, and promptly. */
function expectQuietStop(run: EarlyCloseRun): void {
  expect(run.stderr).toBe('');
  expect(run.signal).toBeNull();
  expect(run.code).toBe(141);
  expect(run.received).toBeGreaterThanOrEqual(10);
  expect(run.exitMs).toBeLessThan(PROMPT_MS);
}

describe('sealflow with stdout closed early by its reader', () => {
  const plaintext = bytes(8 * MiB + 5);
  beforeEach(async () => {
    writeFileSync(box.path('big.bin'), plaintext);
    expect(
      (await box.run(['encrypt', box.path('big.bin'), '-o', box.path('big.sealed'), '-k', 'alias/test'])).code,
    ).toBe(0);
  });

  it('encrypt of an 8 MiB file stops quietly with exit 141', async () => {
    expectQuietStop(await runWithEarlyReader(['encrypt', box.path('big.bin'), '-k', 'alias/test']));
  });

  it('encrypt of an 8 MiB file on worker threads stops quietly with exit 141', async () => {
    expectQuietStop(await runWithEarlyReader(['encrypt', box.path('big.bin'), '-k', 'alias/test', '--threads', '2']));
  });

  it('encrypt from a stdin that never ends stops reading it and exits 141 (`yes | sealflow encrypt | head`)', async () => {
    expectQuietStop(
      await runWithEarlyReader(['encrypt', '-k', 'alias/test'], {
        stdin: plaintext.subarray(0, 4 * MiB),
        keepStdinOpen: true,
      }),
    );
  });

  it('decrypt of an 8 MiB message from a file stops quietly with exit 141', async () => {
    expectQuietStop(await runWithEarlyReader(['decrypt', box.path('big.sealed')]));
  });

  it('decrypt from stdin stops reading it and exits 141 although more input is still to come', async () => {
    const sealed = readFileSync(box.path('big.sealed'));
    expectQuietStop(await runWithEarlyReader(['decrypt'], { stdin: sealed.subarray(0, 4 * MiB), keepStdinOpen: true }));
  });

  it('decrypt --range of several MiB stops quietly with exit 141', async () => {
    expectQuietStop(await runWithEarlyReader(['decrypt', box.path('big.sealed'), '--range', '0-6MiB']));
  });

  it('keys list into a reader that is already gone exits 141 without a stack trace', async () => {
    const run = await runWithEarlyReader(['keys', 'list'], { closeAtOnce: true });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(141);
  });
});

describe('sealflow failures are still reported while stdout is a pipe', () => {
  const F = 64 * 1024;
  const plaintext = bytes(2 * MiB);
  let sealed: Buffer;
  beforeEach(async () => {
    writeFileSync(box.path('in.bin'), plaintext);
    expect((await box.run(['encrypt', box.path('in.bin'), '-o', box.path('m.sealed'), '-k', 'alias/test'])).code).toBe(
      0,
    );
    sealed = readFileSync(box.path('m.sealed'));
  });

  it('a tampered middle frame exits 2 with ERR_AUTHENTICATION_FAILED while the plaintext before it streams to the pipe', async () => {
    const bad = Buffer.from(sealed);
    const at = Math.floor(bad.length / 2);
    bad[at] = (bad[at] as number) ^ 0x40;
    writeFileSync(box.path('bad.sealed'), bad);
    const run = await box.run(['decrypt', box.path('bad.sealed')]);
    expect(run.code).toBe(2);
    expect(errorCode(run)).toBe('ERR_AUTHENTICATION_FAILED');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    // Frames before the altered one were verified and written: stdout really was in use.
    expect(run.stdout.length).toBeGreaterThanOrEqual(F);
    expect(run.stdout.equals(plaintext.subarray(0, run.stdout.length))).toBe(true);
  });

  it('a missing key exits 3 with ERR_KEY_NOT_FOUND even when the reader is already gone', async () => {
    const run = await runWithEarlyReader(['encrypt', box.path('in.bin'), '-k', 'alias/missing'], { closeAtOnce: true });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^sealflow: ERR_KEY_NOT_FOUND: /);
  });

  it('a tampered message exits 2 when stderr is closed (a closed stderr neither crashes the CLI nor changes its code)', async () => {
    const bad = Buffer.from(sealed);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 1;
    writeFileSync(box.path('bad.sealed'), bad);
    const child = startCli(['decrypt', box.path('bad.sealed')], { env: box.env });
    child.stderr?.destroy();
    child.stdout?.resume();
    child.stdin?.end();
    const code = await new Promise<number | null>((resolve) => child.once('close', (exit) => resolve(exit)));
    expect(code).toBe(2);
  });

  it('EPIPE on an -o FIFO whose reader left is an I/O error (exit 4, EPIPE), not a quiet stop', async () => {
    const fifo = box.path('out.fifo');
    execFileSync('mkfifo', [fifo]);
    const child = startCli(['decrypt', box.path('m.sealed'), '-o', fifo], { env: box.env });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout?.resume();
    child.stdin?.end();
    // The reader: takes a few bytes, then closes its end of the FIFO.
    const reader = createReadStream(fifo);
    reader.once('data', () => reader.destroy());
    const code = await new Promise<number | null>((resolve) => child.once('close', (exit) => resolve(exit)));
    expect(code).toBe(4);
    expect(stderr).toMatch(/^sealflow: EPIPE: /);
  });
});
