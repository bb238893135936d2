import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { readPassphrase, type PromptTerminal } from '../../src/keystore/passphrase.js';

/** A terminal whose keyboard the test types on; records raw mode and what is shown. */
function fakeTerminal(keys: string[]): { terminal: PromptTerminal; shown: () => string; rawModes: boolean[] } {
  const stdin = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const rawModes: boolean[] = [];
  let shown = '';
  Object.assign(stdin, {
    isTTY: true,
    isRaw: false,
    setRawMode(mode: boolean) {
      rawModes.push(mode);
      stdin['isRaw'] = mode;
    },
    resume() {
      const next = keys.shift();
      if (next !== undefined) setImmediate(() => stdin.emit('data', Buffer.from(next)));
    },
    pause() {},
  });
  const stderr = { write: (text: string) => ((shown += text), true) };
  return {
    terminal: { stdin: stdin as unknown as NodeJS.ReadStream, stderr: stderr as unknown as NodeJS.WriteStream },
    shown: () => shown,
    rawModes,
  };
}

describe('readPassphrase', () => {
  it('takes SEALFLOW_PASSPHRASE when set', async () => {
    const { terminal } = fakeTerminal([]);
    await expect(readPassphrase({ SEALFLOW_PASSPHRASE: 'from env' }, terminal, '/k', false)).resolves.toBe('from env');
  });

  it('refuses to read a passphrase from a pipe (stdin may be the data)', async () => {
    const { terminal } = fakeTerminal([]);
    Object.assign(terminal.stdin, { isTTY: false });
    await expect(readPassphrase({}, terminal, '/k', false)).rejects.toMatchObject({
      code: 'ERR_KEY_STORE_LOCKED',
      message: expect.stringContaining('SEALFLOW_PASSPHRASE'),
    });
  });

  it('prompts on a terminal in raw mode without echoing, handles backspace, and restores the mode', async () => {
    const { terminal, shown, rawModes } = fakeTerminal(['secrex\u007ft\r']);
    await expect(readPassphrase({}, terminal, '/home/u/keys.sealed', false)).resolves.toBe('secret');
    expect(shown()).toBe('Passphrase for /home/u/keys.sealed: \n');
    expect(rawModes).toEqual([true, false]);
  });

  it('asks twice for a new store and refuses two different answers', async () => {
    const same = fakeTerminal(['abc\r', 'abc\n']);
    await expect(readPassphrase({}, same.terminal, '/k', true)).resolves.toBe('abc');
    const differ = fakeTerminal(['abc\r', 'abd\r']);
    await expect(readPassphrase({}, differ.terminal, '/k', true)).rejects.toMatchObject({
      code: 'ERR_KEY_STORE_LOCKED',
    });
  });

  it('Ctrl-C cancels the prompt', async () => {
    const { terminal } = fakeTerminal(['ab\u0003']);
    await expect(readPassphrase({}, terminal, '/k', false)).rejects.toMatchObject({
      message: expect.stringContaining('cancelled'),
    });
  });
});
