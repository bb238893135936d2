import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keystorePath } from '../../src/keystore/keystore-path.js';

describe('keystorePath', () => {
  it('takes --keystore first, then SEALFLOW_KEYSTORE, resolved to absolute paths', () => {
    expect(keystorePath('rel/keys.sealed', { SEALFLOW_KEYSTORE: '/env/keys' }, 'linux')).toBe(
      resolve('rel/keys.sealed'),
    );
    expect(keystorePath(undefined, { SEALFLOW_KEYSTORE: '/env/keys' }, 'linux')).toBe('/env/keys');
  });

  it('defaults to $XDG_CONFIG_HOME/sealflow/keys.sealed, else ~/.config/sealflow/keys.sealed', () => {
    expect(keystorePath(undefined, { XDG_CONFIG_HOME: '/xdg' }, 'linux')).toBe('/xdg/sealflow/keys.sealed');
    expect(keystorePath(undefined, {}, 'linux')).toBe(join(homedir(), '.config', 'sealflow', 'keys.sealed'));
  });

  it('ignores an empty SEALFLOW_KEYSTORE and a relative XDG_CONFIG_HOME (the XDG spec says to)', () => {
    expect(keystorePath(undefined, { SEALFLOW_KEYSTORE: '', XDG_CONFIG_HOME: 'relative' }, 'linux')).toBe(
      join(homedir(), '.config', 'sealflow', 'keys.sealed'),
    );
  });

  it('uses %APPDATA% on Windows', () => {
    expect(keystorePath(undefined, { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')).toBe(
      join('C:\\Users\\u\\AppData\\Roaming', 'sealflow', 'keys.sealed'),
    );
  });
});
