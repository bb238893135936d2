import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes } from './support/messages.js';
import { errorCode, sandbox, type CliSandbox } from './support/run-cli.js';

let box: CliSandbox;
beforeEach(async () => {
  box = sandbox();
  expect((await box.run(['keys', 'create', '--alias', 'alias/test'])).code).toBe(0);
});
afterEach(() => box.remove());

const F = 1024;

describe('sealflow decrypt --range', () => {
  const plaintext = bytes(10 * F + 123);
  beforeEach(async () => {
    writeFileSync(box.path('in.bin'), plaintext);
    await box.run(['encrypt', box.path('in.bin'), '-o', box.path('m.sealed'), '--frame-length', String(F)]);
  });

  it.each([
    ['0-0', 0, 1],
    ['1000-1023', 1000, 1024],
    ['1000-5000', 1000, 5001],
    ['10240-10300', 10240, 10301],
    ['7000-', 7000, 10 * F + 123],
    ['9KiB-', 9 * 1024, 10 * F + 123],
    ['0-99999999', 0, 10 * F + 123],
    ['-1', 10 * F + 122, 10 * F + 123],
    ['-500', 10 * F - 377, 10 * F + 123],
    ['-1KiB', 9 * F + 123, 10 * F + 123],
    ['-99999999', 0, 10 * F + 123],
  ])('--range %s returns exactly those plaintext bytes (inclusive end)', async (range, start, end) => {
    const run = await box.run(['decrypt', box.path('m.sealed'), '--range', range]);
    expect(run.stderr).toBe('');
    expect(run.stdout.equals(plaintext.subarray(start, end))).toBe(true);
  });

  it('writes a range to a file atomically, with a JSON summary', async () => {
    const run = await box.run([
      'decrypt',
      box.path('m.sealed'),
      '--range',
      '100-199',
      '-o',
      box.path('r.bin'),
      '--json',
    ]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout.toString())).toMatchObject({
      plaintextBytes: 100,
      range: { start: 100, last: 199, end: 200 },
    });
    expect(readFileSync(box.path('r.bin')).equals(plaintext.subarray(100, 200))).toBe(true);
    const suffix = await box.run([
      'decrypt',
      box.path('m.sealed'),
      '--range',
      '-300',
      '-o',
      box.path('s.bin'),
      '--json',
    ]);
    expect(suffix.code).toBe(0);
    expect(JSON.parse(suffix.stdout.toString())).toMatchObject({ plaintextBytes: 300, range: { suffixLength: 300 } });
    expect(readFileSync(box.path('s.bin')).equals(plaintext.subarray(plaintext.length - 300))).toBe(true);
  });

  it.each([`${10 * F + 123}-`, `${10 * F + 123}-${20 * F}`, `${10 * F + 124}-`])(
    'a start at or past the plaintext size (%s) is ERR_RANGE_NOT_SATISFIABLE, exit 2, nothing written',
    async (range) => {
      const run = await box.run(['decrypt', box.path('m.sealed'), '--range', range, '-o', box.path('r.bin')]);
      expect(run.code).toBe(2);
      expect(errorCode(run)).toBe('ERR_RANGE_NOT_SATISFIABLE');
      expect(existsSync(box.path('r.bin'))).toBe(false);
    },
  );

  it('signed messages take every range form, and refuse a start at the size (exit 2)', async () => {
    await box.run([
      'encrypt',
      box.path('in.bin'),
      '-o',
      box.path('s.sealed'),
      '--frame-length',
      String(F),
      '--suite',
      '0x0578',
    ]);
    for (const [range, start, end] of [
      ['10-20', 10, 21],
      ['10000-', 10000, plaintext.length],
      ['-77', plaintext.length - 77, plaintext.length],
    ] as const) {
      const run = await box.run(['decrypt', box.path('s.sealed'), '--range', range]);
      expect(run.code, range).toBe(0);
      expect(run.stdout.equals(plaintext.subarray(start, end)), range).toBe(true);
    }
    const at = await box.run(['decrypt', box.path('s.sealed'), '--range', `${plaintext.length}-`]);
    expect(at.code).toBe(2);
    expect(errorCode(at)).toBe('ERR_RANGE_NOT_SATISFIABLE');
  });

  it('-N on an empty plaintext is ERR_RANGE_NOT_SATISFIABLE (exit 2)', async () => {
    writeFileSync(box.path('empty.bin'), new Uint8Array(0));
    await box.run(['encrypt', box.path('empty.bin'), '-o', box.path('e.sealed')]);
    const run = await box.run(['decrypt', box.path('e.sealed'), '--range', '-10']);
    expect(run.code).toBe(2);
    expect(errorCode(run)).toBe('ERR_RANGE_NOT_SATISFIABLE');
  });

  it('a range past the end fails with ERR_RANGE_NOT_SATISFIABLE (exit 2)', async () => {
    const run = await box.run(['decrypt', box.path('m.sealed'), '--range', '999999-1000000']);
    expect(run.code).toBe(2);
    expect(errorCode(run)).toBe('ERR_RANGE_NOT_SATISFIABLE');
  });

  it('a range over a tampered frame fails (exit 2) and writes nothing', async () => {
    const bad = readFileSync(box.path('m.sealed'));
    const header = (
      JSON.parse((await box.run(['inspect', box.path('m.sealed'), '--json'])).stdout.toString()) as {
        headerLength: number;
      }
    ).headerLength;
    const at = header + 3 * (F + 32) + 40;
    bad[at] = (bad[at] as number) ^ 1;
    writeFileSync(box.path('bad.sealed'), bad);
    const run = await box.run([
      'decrypt',
      box.path('bad.sealed'),
      '--range',
      `${3 * F}-${3 * F + 10}`,
      '-o',
      box.path('r.bin'),
    ]);
    expect(run.code).toBe(2);
    expect(errorCode(run)).toBe('ERR_AUTHENTICATION_FAILED');
    expect(existsSync(box.path('r.bin'))).toBe(false);
    const elsewhere = await box.run(['decrypt', box.path('bad.sealed'), '--range', '0-99']);
    expect(elsewhere.stdout.equals(plaintext.subarray(0, 100))).toBe(true);
  });

  it('malformed ranges and a range on stdin are usage errors (exit 1)', async () => {
    for (const range of ['abc', '5-2', '-0', '1-2-3', '-']) {
      const run = await box.run(['decrypt', box.path('m.sealed'), '--range', range]);
      expect(run.code).toBe(1);
      expect(errorCode(run)).toBe('ERR_INVALID_ARGUMENT');
    }
    const stdin = await box.run(['decrypt', '--range', '0-1'], { input: readFileSync(box.path('m.sealed')) });
    expect(stdin.code).toBe(1);
  });
});
