// The one-line notice when `auto` could not pick the native backend: forced here with
// SEALFLOW_NATIVE=off (the loader's opt-out), set before @sealflow/native is imported.
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { verboseNote, type CliContext } from '../src/cli-context.js';
import { openEngine } from '../src/engine-options.js';
import { rawAesStore } from '../../core/test/engine/fixtures.js';

vi.hoisted(() => {
  process.env['SEALFLOW_NATIVE'] = 'off';
});

function contextWith(globals: CliContext['globals']): { context: CliContext; err: () => string } {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const io = {
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    stdout: new PassThrough() as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: {},
    signal: new AbortController().signal,
  };
  return { context: { io, globals }, err: () => err };
}

describe('the native backend notice', () => {
  it('an engine opened without the native binary carries the notice; --verbose prints it, once, as one line', async () => {
    const handle = await openEngine(rawAesStore(), {});
    expect(handle.engine).toBeDefined();
    expect(handle.notice).toMatch(
      /^sealflow: note: the native backend \(@sealflow\/native\) is not loaded; using node:crypto$/,
    );
    const verbose = contextWith({ verbose: true });
    verboseNote(verbose.context, handle.notice);
    expect(verbose.err()).toBe(`${handle.notice as string}\n`);
    const quiet = contextWith({ verbose: true, quiet: true });
    verboseNote(quiet.context, handle.notice);
    const plain = contextWith({});
    verboseNote(plain.context, handle.notice);
    expect(quiet.err() + plain.err()).toBe('');
    await handle.close();
  });

  it('--threads without the native backend keeps the worker pool (no error)', async () => {
    const handle = await openEngine(rawAesStore(), { threads: 2 });
    expect(handle.notice).toBeDefined();
    await handle.close();
  });
});
