import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCodes, KeyStoreError } from '@sealflow/core';
import { MemoryKms, type KmsAuditOptions, type ScryptParams } from '@sealflow/keystore-memory';
import { note, type CliContext } from '../cli-context.js';
import { usageError } from '../options/usage-error.js';
import { Env, keystorePath } from './keystore-path.js';
import { readPassphrase } from './passphrase.js';

/** Whether a command may create the embedded store when its file is missing. */
export type OpenMode = 'existing' | 'create';

/** The JSON-lines audit trail kept beside the store file. */
export function auditPath(storePath: string): string {
  return `${storePath}.audit.jsonl`;
}

/**
 * Opens the embedded key store: the in-process KMS persisted in one file sealed under a
 * passphrase (see `keystorePath` and `readPassphrase`). Every call it serves is appended
 * to `<store>.audit.jsonl`. `create` makes a missing store (and its directory, mode
 * 0700); `existing` refuses to.
 * @throws {KeyStoreError} `ERR_KEY_STORE_UNAVAILABLE` for a missing store in `existing`
 * mode, `ERR_KEY_STORE_LOCKED` for a wrong or missing passphrase, `ERR_KEY_STORE_CORRUPT`
 * for a damaged file.
 */
export async function openLocalKms(
  context: CliContext,
  mode: OpenMode,
  audit: Omit<KmsAuditOptions, 'file'> = {},
): Promise<MemoryKms> {
  const { env } = context.io;
  const path = keystorePath(context.globals.keystore, env);
  const exists = await stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw new KeyStoreError(
        ErrorCodes.KEY_STORE_UNAVAILABLE,
        `key store file ${path}: cannot be read (${error.code ?? 'error'})`,
        { cause: error },
      );
    },
  );
  if (!exists && mode === 'existing') {
    throw new KeyStoreError(
      ErrorCodes.KEY_STORE_UNAVAILABLE,
      `no key store at ${path}: create a key with "sealflow keys create", or point --keystore or ${Env.keystore} at an existing store`,
    );
  }
  if (!exists) await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const passphrase = await readPassphrase(
    env,
    { stdin: context.io.stdin, stderr: context.io.stderr },
    path,
    !exists,
    context.globals.passphraseFile,
  );
  const scrypt = exists ? undefined : scryptFromEnv(env);
  const kms = await MemoryKms.open({
    path,
    passphrase,
    audit: { ...audit, file: auditPath(path) },
    ...(scrypt === undefined ? {} : { scrypt }),
  });
  if (!exists)
    note(
      context,
      `sealflow: created the key store ${path} (keep the passphrase: without it the keys cannot be opened)`,
    );
  return kms;
}

/**
 * `$SEALFLOW_SCRYPT_N`: the scrypt cost of a NEW store (a power of two from 1024; the
 * default is 32768). Lower values make a passphrase cheaper to guess; they exist for
 * tests and slow machines. An existing store keeps the cost it was made with.
 */
function scryptFromEnv(env: NodeJS.ProcessEnv): ScryptParams | undefined {
  const text = env[Env.scryptN];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1024 || n > 2 ** 20 || (n & (n - 1)) !== 0) {
    throw usageError(`${Env.scryptN}: expected a power of two from 1024 to 1048576, got "${text}"`);
  }
  return { N: n, r: 8, p: 1 };
}
