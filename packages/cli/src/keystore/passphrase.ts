import { open } from 'node:fs/promises';
import { ErrorCodes, KeyStoreError } from '@sealflow/core';
import { Env } from './keystore-path.js';

/** The terminal the prompt talks to (stdin in raw mode, the prompt on stderr). */
export interface PromptTerminal {
  readonly stdin: NodeJS.ReadStream;
  readonly stderr: NodeJS.WriteStream;
}

const MAX_PASSPHRASE = 1024;

/**
 * The passphrase that unlocks the embedded key store: `--passphrase-file`, else
 * `$SEALFLOW_PASSPHRASE`, else `$SEALFLOW_PASSPHRASE_FILE` (or the config file's
 * `passphraseFile`), else a prompt without echo when stdin is a terminal (twice when
 * `confirm`, for a new store). Never read from a pipe: stdin may be the data being encrypted.
 * @throws {KeyStoreError} `ERR_KEY_STORE_LOCKED` when there is none, the prompt is cancelled, or a passphrase file is empty.
 * @throws {NodeJS.ErrnoException} (rejects) when a passphrase file cannot be read.
 */
export async function readPassphrase(
  env: NodeJS.ProcessEnv,
  terminal: PromptTerminal,
  path: string,
  confirm: boolean,
  passphraseFile?: string,
): Promise<string> {
  if (passphraseFile !== undefined) return fromFile(passphraseFile);
  const fromEnv = env[Env.passphrase];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const envFile = env[Env.passphraseFile];
  if (envFile !== undefined && envFile !== '') return fromFile(envFile);
  if (terminal.stdin.isTTY !== true) {
    throw new KeyStoreError(
      ErrorCodes.KEY_STORE_LOCKED,
      `the key store ${path} needs a passphrase: set ${Env.passphrase}, or run on a terminal to be asked`,
    );
  }
  const first = await promptHidden(terminal, `Passphrase for ${path}: `);
  if (!confirm) return first;
  const second = await promptHidden(terminal, 'Repeat the passphrase: ');
  if (first !== second)
    throw new KeyStoreError(ErrorCodes.KEY_STORE_LOCKED, 'the two passphrases differ; nothing was created');
  return first;
}

/** The first line of a passphrase file (a trailing newline is not part of it). */
async function fromFile(file: string): Promise<string> {
  const handle = await open(file, 'r');
  let text: string;
  try {
    const buffer = Buffer.alloc(MAX_PASSPHRASE * 4 + 2);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    text = buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  if (line === '') throw new KeyStoreError(ErrorCodes.KEY_STORE_LOCKED, `the passphrase file ${file} is empty`);
  return line;
}

/** Reads one line from a TTY in raw mode, echoing nothing. Ctrl-C or Ctrl-D cancel. */
function promptHidden(terminal: PromptTerminal, prompt: string): Promise<string> {
  const { stdin, stderr } = terminal;
  stderr.write(prompt);
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.resume();
    const finish = (error?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stderr.write('\n');
      if (error === undefined) resolve(text);
      else reject(error);
    };
    const onData = (chunk: Buffer): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || char === '\u0004') {
          return finish(new KeyStoreError(ErrorCodes.KEY_STORE_LOCKED, 'passphrase prompt cancelled'));
        }
        if (char === '\u007f' || char === '\b') text = [...text].slice(0, -1).join('');
        else if (text.length < MAX_PASSPHRASE) text += char;
      }
    };
    stdin.on('data', onData);
  });
}
