import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Environment variables the CLI reads (documented in the README). */
export const Env = {
  keystore: 'SEALFLOW_KEYSTORE',
  passphrase: 'SEALFLOW_PASSPHRASE',
  scryptN: 'SEALFLOW_SCRYPT_N',
  region: 'SEALFLOW_REGION',
  kms: 'SEALFLOW_KMS',
  endpoint: 'SEALFLOW_ENDPOINT',
  passphraseFile: 'SEALFLOW_PASSPHRASE_FILE',
  config: 'SEALFLOW_CONFIG',
  xksAccessKeyId: 'SEALFLOW_XKS_ACCESS_KEY_ID',
  xksSecretAccessKey: 'SEALFLOW_XKS_SECRET_ACCESS_KEY',
  xksKeyId: 'SEALFLOW_XKS_KEY_ID',
} as const;

/**
 * Where the embedded key store lives: `--keystore PATH`, else `$SEALFLOW_KEYSTORE`,
 * else the per-user default `$XDG_CONFIG_HOME/sealflow/keys.sealed` (XDG_CONFIG_HOME
 * defaulting to `~/.config`; `%APPDATA%\sealflow\keys.sealed` on Windows).
 */
export function keystorePath(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): string {
  const given = flag ?? nonEmpty(env[Env.keystore]);
  if (given !== undefined) return resolve(given);
  if (platform === 'win32') {
    const appData = nonEmpty(env['APPDATA']) ?? join(homedir(), 'AppData', 'Roaming');
    return join(appData, 'sealflow', 'keys.sealed');
  }
  const xdg = nonEmpty(env['XDG_CONFIG_HOME']);
  // spec (XDG Base Directory): a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.config');
  return join(base, 'sealflow', 'keys.sealed');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
