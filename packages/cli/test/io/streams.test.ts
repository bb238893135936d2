import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli-context.js';
import { openInput, openOutput } from '../../src/io/streams.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sealflow-streams-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const io = (stdoutIsTTY: boolean): CliIo =>
  ({
    stdin: { isTTY: false },
    stdout: { isTTY: stdoutIsTTY },
    stderr: { write: () => true },
    env: {},
    signal: new AbortController().signal,
  }) as unknown as CliIo;

describe('openInput / openOutput', () => {
  it('opens a file with its size, stdin for "-" or nothing', async () => {
    writeFileSync(join(dir, 'in'), 'abc');
    const file = await openInput(io(false), join(dir, 'in'));
    expect(file.size).toBe(3);
    file.stream.destroy();
    expect((await openInput(io(false), '-')).label).toBe('stdin');
    expect((await openInput(io(false), undefined)).size).toBeUndefined();
    await expect(openInput(io(false), join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(openInput(io(false), dir)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('refuses binary output to a terminal, but not plaintext', async () => {
    await expect(openOutput(io(true), undefined, { binary: true, force: false, input: undefined })).rejects.toThrow(
      /terminal/,
    );
    expect((await openOutput(io(true), '-', { binary: false, force: false, input: undefined })).label).toBe('stdout');
  });

  it('refuses to write over the input, even with --force', async () => {
    await expect(
      openOutput(io(false), join(dir, 'same'), { binary: true, force: true, input: join(dir, '.', 'same') }),
    ).rejects.toThrow(/is the input/);
  });

  it('writes straight to a device such as /dev/null (a rename cannot replace it)', async () => {
    const out = await openOutput(io(false), '/dev/null', { binary: true, force: false, input: undefined });
    expect(out.file).toBeUndefined();
    out.stream.destroy();
  });

  it('a file output is atomic: nothing under the final name until commit', async () => {
    const out = await openOutput(io(false), join(dir, 'o'), { binary: true, force: false, input: undefined });
    expect(readdirSync(dir).some((name) => name === 'o')).toBe(false);
    await out.file?.commit();
    expect(readdirSync(dir)).toEqual(['o']);
  });
});
