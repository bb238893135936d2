import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../src/main.js';

/** In-process io: stdout and stderr collected as text. */
function io(): { io: Parameters<typeof main>[1]; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  return {
    io: {
      stdin: new PassThrough() as unknown as NodeJS.ReadStream,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      env: {},
      signal: new AbortController().signal,
    },
    out: () => out,
    err: () => err,
  };
}

describe('main', () => {
  it('resolves to the exit code and prints help on stdout', async () => {
    const run = io();
    await expect(main(['--help'], run.io)).resolves.toBe(0);
    expect(run.out()).toMatch(/Usage: sealflow/);
  });

  it('reports a usage error as one line with ERR_INVALID_ARGUMENT and code 1', async () => {
    const run = io();
    await expect(main(['--bogus'], run.io)).resolves.toBe(1);
    expect(run.err()).toMatch(/^sealflow: ERR_INVALID_ARGUMENT: unknown option '--bogus'/);
  });

  it('rejects a malformed io record (unknown keys, missing streams) before running anything', async () => {
    const run = io();
    await expect(main(['--help'], { ...run.io, extra: 1 } as unknown as Parameters<typeof main>[1])).rejects.toThrow(
      /unknown key "extra"/,
    );
    const { stdout: _dropped, ...withoutStdout } = run.io;
    await expect(main(['--help'], withoutStdout as unknown as Parameters<typeof main>[1])).rejects.toThrow(/io.stdout/);
    await expect(main('inspect' as unknown as string[], run.io)).rejects.toThrow(/argv/);
  });
});
