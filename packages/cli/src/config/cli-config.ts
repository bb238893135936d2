import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve, dirname } from 'node:path';
import { Env } from '../keystore/keystore-path.js';
import { usageError } from '../options/usage-error.js';

/**
 * The config file's keys and the `SEALFLOW_*` variable each one stands in for. The file
 * only fills variables the environment leaves unset, and flags beat both, so the
 * precedence is flags > environment > file everywhere a variable is read.
 */
const KEYS = {
  /** `local` (the embedded store, default) or `aws`: as `--kms`. */
  kms: Env.kms,
  /** The embedded key store file: as `--keystore`. */
  keystore: Env.keystore,
  /** AWS region: as `--region`. */
  region: Env.region,
  /** AWS KMS endpoint URL (with kms "aws"): as `--endpoint`. */
  endpoint: Env.endpoint,
  /** A file holding the embedded store's passphrase: as `--passphrase-file`. */
  passphraseFile: Env.passphraseFile,
} as const;

const MAX_CONFIG_BYTES = 64 * 1024;

/**
 * Where the config file is: `$SEALFLOW_CONFIG`, else `$XDG_CONFIG_HOME/sealflow/config.json`
 * (an absolute XDG_CONFIG_HOME only, per the XDG spec), else `~/.config/sealflow/config.json`.
 */
export function configPath(env: NodeJS.ProcessEnv): { readonly path: string; readonly named: boolean } {
  const named = env[Env.config];
  if (named !== undefined && named !== '') return { path: resolve(named), named: true };
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg !== undefined && xdg !== '' && isAbsolute(xdg) ? xdg : join(homedir(), '.config');
  return { path: join(base, 'sealflow', 'config.json'), named: false };
}

/**
 * The environment with the config file's settings added where the environment has none.
 * A missing default file is no error; a file named by `$SEALFLOW_CONFIG` must exist.
 * Relative paths in the file are relative to the file's folder.
 * @throws {InvalidArgumentError} naming the file and the key, for unreadable JSON, an unknown key or a bad value.
 */
export function withConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { path, named } = configPath(env);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    if (!named && code === 'ENOENT') return env;
    throw usageError(`config ${path}: cannot be read (${code})${named ? ` (named by ${Env.config})` : ''}`);
  }
  if (bytes.length > MAX_CONFIG_BYTES) throw usageError(`config ${path}: larger than ${MAX_CONFIG_BYTES} bytes`);
  const text = bytes.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw usageError(`config ${path}: not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw usageError(`config ${path}: expected a JSON object such as {"kms": "aws", "region": "us-east-1"}`);
  const merged: NodeJS.ProcessEnv = { ...env };
  for (const [key, value] of Object.entries(parsed)) {
    if (!Object.hasOwn(KEYS, key))
      throw usageError(`config ${path}: unknown key "${key}" (known: ${Object.keys(KEYS).join(', ')})`);
    if (typeof value !== 'string' || value === '')
      throw usageError(`config ${path}: "${key}" must be a non-empty string`);
    checkValue(path, key as keyof typeof KEYS, value);
    const variable = KEYS[key as keyof typeof KEYS];
    const fileValue = key === 'keystore' || key === 'passphraseFile' ? resolve(dirname(path), value) : value;
    if (merged[variable] === undefined || merged[variable] === '') merged[variable] = fileValue;
  }
  return merged;
}

function checkValue(path: string, key: keyof typeof KEYS, value: string): void {
  if (key === 'kms' && value !== 'aws' && value !== 'local')
    throw usageError(`config ${path}: "kms" must be "aws" or "local", got "${value}"`);
  if (key === 'endpoint' && !URL.canParse(value))
    throw usageError(`config ${path}: "endpoint" must be a URL, got "${value}"`);
  if (key === 'region' && !/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(value))
    throw usageError(`config ${path}: "region" must be an AWS region such as us-east-1, got "${value}"`);
}
