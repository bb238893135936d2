import { createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { CliIo } from '../cli-context.js';
import { usageError } from '../options/usage-error.js';
import { AtomicFile } from './atomic-file.js';

/** Where a command reads from. */
export interface Input {
  readonly stream: Readable;
  /** Bytes to come, when known (a regular file). */
  readonly size: number | undefined;
  readonly label: string;
}

/** Where a command writes to: stdout, or a file that appears only on success. */
export interface Output {
  readonly stream: Writable;
  readonly file: AtomicFile | undefined;
  readonly label: string;
}

const CHUNK = 1024 * 1024;

const isStdio = (path: string | undefined): boolean => path === undefined || path === '-';

/**
 * Opens the input: a file (opened now, so a missing file fails before any output is
 * created) or stdin for `-` / nothing.
 * @throws {NodeJS.ErrnoException} ENOENT, EACCES, EISDIR.
 */
export async function openInput(io: CliIo, path: string | undefined): Promise<Input> {
  if (isStdio(path)) {
    if (io.stdin.isTTY === true) io.stderr.write('sealflow: reading from the terminal; end the input with Ctrl-D\n');
    return { stream: io.stdin, size: undefined, label: 'stdin' };
  }
  const handle = await open(path as string, 'r');
  try {
    const info = await handle.stat();
    if (info.isDirectory())
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path as string}'`), {
        code: 'EISDIR',
        path,
        syscall: 'read',
      });
    return {
      stream: handle.createReadStream({ highWaterMark: CHUNK }),
      size: info.isFile() ? info.size : undefined,
      label: path as string,
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Opens the output: an {@link AtomicFile} for a path, or stdout for `-` / nothing.
 * Refuses to write binary ciphertext to a terminal, and to write over the input.
 * @throws {InvalidArgumentError} for those refusals. @throws {NodeJS.ErrnoException} EEXIST without --force.
 */
export async function openOutput(
  io: CliIo,
  path: string | undefined,
  options: { readonly binary: boolean; readonly force: boolean; readonly input: string | undefined },
): Promise<Output> {
  if (isStdio(path)) {
    if (options.binary && io.stdout.isTTY === true) {
      throw usageError('refusing to write binary ciphertext to a terminal: use -o FILE or redirect stdout');
    }
    return { stream: io.stdout, file: undefined, label: 'stdout' };
  }
  if (!isStdio(options.input) && resolve(options.input as string) === resolve(path as string)) {
    throw usageError(`-o: the output ${path as string} is the input; write elsewhere and rename`);
  }
  // A device or FIFO (/dev/null, a named pipe) cannot be replaced by a rename: write to it.
  const existing = await stat(path as string).catch(() => undefined);
  if (existing !== undefined && !existing.isFile() && !existing.isDirectory()) {
    const stream = createWriteStream(path as string, { flags: 'a' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return { stream, file: undefined, label: path as string };
  }
  const file = await AtomicFile.create(path as string, options.force);
  return { stream: file.stream, file, label: path as string };
}
