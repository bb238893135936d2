import { once } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, ErrorCodes } from '@sealflow/core';
import { StdioGuard } from '../../src/io/stdio-guard.js';
import { main } from '../../src/main.js';

const systemError = (code: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: write failed`), { code, syscall: 'write' });

/** A stream whose every write fails with `error`, as stdout does once its reader left. */
function failingStream(error: Error): NodeJS.WriteStream {
  return new Writable({ write: (_chunk, _encoding, callback) => callback(error) }) as unknown as NodeJS.WriteStream;
}

const healthy = (): NodeJS.WriteStream => new PassThrough().resume() as unknown as NodeJS.WriteStream;

/** Writes to `stream` and waits until its 'error' event was emitted. */
async function failWrite(stream: NodeJS.WriteStream): Promise<void> {
  const emitted = once(stream, 'error');
  stream.write('x');
  await emitted;
}

describe('StdioGuard', () => {
  it('takes EPIPE on stdout for the reader leaving: aborts its signal and explains that error and an abort caused by it', async () => {
    const epipe = systemError('EPIPE');
    const stdout = failingStream(epipe);
    const guard = new StdioGuard({ stdout, stderr: healthy() });
    expect(guard.readerGone).toBe(false);
    await failWrite(stdout);
    expect(guard.readerGone).toBe(true);
    expect(guard.signal.aborted).toBe(true);
    expect(guard.signal.reason).toBe(epipe);
    expect(guard.explains(epipe)).toBe(true);
    expect(guard.explains(new Error('The operation was aborted', { cause: epipe }))).toBe(true);
    expect(guard.explains(Object.assign(new Error('premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))).toBe(
      true,
    );
    guard.release();
  });

  it('sees a failed write at once, before the stream has emitted its error', () => {
    const stdout = failingStream(systemError('EPIPE'));
    const guard = new StdioGuard({ stdout, stderr: healthy() });
    stdout.write('x');
    expect(guard.readerGone).toBe(true);
    // The 'error' event is still to come: release keeps the listener that absorbs it.
    guard.release();
    expect(stdout.listenerCount('error')).toBe(1);
  });

  it('never explains a genuine failure, nor an EPIPE from another stream (an -o file or FIFO), even when the reader is gone', async () => {
    const stdout = failingStream(systemError('EPIPE'));
    const guard = new StdioGuard({ stdout, stderr: healthy() });
    await failWrite(stdout);
    expect(guard.explains(new AuthenticationError(ErrorCodes.AUTHENTICATION_FAILED, 'x'))).toBe(false);
    expect(guard.explains(systemError('EPIPE'))).toBe(false);
    expect(guard.explains(systemError('ENOSPC'))).toBe(false);
    guard.release();
  });

  it('explains nothing while stdout is healthy, not even an abort or an EPIPE', () => {
    const guard = new StdioGuard({ stdout: healthy(), stderr: healthy() });
    expect(guard.readerGone).toBe(false);
    expect(guard.explains(systemError('EPIPE'))).toBe(false);
    expect(guard.explains(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }))).toBe(false);
    guard.release();
  });

  it('keeps another stdout failure (EIO) as a failure: no abort, reader not gone', async () => {
    const eio = systemError('EIO');
    const stdout = failingStream(eio);
    const guard = new StdioGuard({ stdout, stderr: healthy() });
    await failWrite(stdout);
    expect(guard.readerGone).toBe(false);
    expect(guard.signal.aborted).toBe(false);
    expect(guard.stdoutError).toBe(eio);
    expect(guard.explains(eio)).toBe(false);
    guard.release();
  });

  it("absorbs an EPIPE on stderr without taking it for stdout's reader leaving", async () => {
    const stderr = failingStream(systemError('EPIPE'));
    const guard = new StdioGuard({ stdout: healthy(), stderr });
    await failWrite(stderr);
    expect(guard.readerGone).toBe(false);
    expect(guard.signal.aborted).toBe(false);
    guard.release();
  });

  it('removes its listeners from streams that did not fail', () => {
    const stdout = healthy();
    const stderr = healthy();
    const guard = new StdioGuard({ stdout, stderr });
    expect(stdout.listenerCount('error')).toBe(1);
    guard.release();
    expect(stdout.listenerCount('error')).toBe(0);
    expect(stderr.listenerCount('error')).toBe(0);
  });
});

describe('main with a stdout whose reader left', () => {
  const io = (stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream): Parameters<typeof main>[1] => ({
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    stdout,
    stderr,
    env: {},
    signal: new AbortController().signal,
  });

  it('resolves to 141 and prints nothing when the help text meets EPIPE', async () => {
    let err = '';
    const stderr = new PassThrough() as unknown as NodeJS.WriteStream;
    stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    await expect(main(['--help'], io(failingStream(systemError('EPIPE')), stderr))).resolves.toBe(141);
    expect(err).toBe('');
  });

  it('keeps the usage exit code (1) when stderr is what failed', async () => {
    await expect(main(['--bogus'], io(healthy(), failingStream(systemError('EPIPE'))))).resolves.toBe(1);
  });
});
