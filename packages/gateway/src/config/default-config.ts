import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { invalidArgument } from '@sealflow/core/validate';
import { parseGatewayConfig, type GatewayConfig } from './gateway-config.js';

/** The account the embedded default serves, as written to `<dir>/credentials.json`. */
export interface DefaultCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly principal: string;
}

/** The principal of the embedded default's account. */
export const DEFAULT_PRINCIPAL = 'arn:aws:iam::111122223333:user/sealflow';

/**
 * The embedded default (`sealflow gateway` with no config file): plain HTTP on
 * 127.0.0.1 (`listen`, port 0 picks a free one), `fs` storage in `<dir>/data`, the
 * in-process KMS file store `<dir>/keystore.sealflow` sealed under the key file
 * `<dir>/keystore.key` (created on first start), SSE-S3 key `<dir>/sse-s3.key`, and one
 * account whose credentials are made on first start and kept in `<dir>/credentials.json`
 * (mode 0600).
 * @throws {InvalidArgumentError} (rejects) for an unreadable or altered credentials file.
 */
export async function defaultGatewayConfig(
  dir: string,
  listen = '127.0.0.1:0',
): Promise<{ config: GatewayConfig; credentials: DefaultCredentials }> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const credentials = await loadOrCreateCredentials(join(root, 'credentials.json'));
  const config = parseGatewayConfig(
    {
      listen,
      region: 'us-east-1',
      accounts: [{ ...credentials, displayName: 'sealflow' }],
      storage: { type: 'fs', dir: 'data' },
      keyStore: { type: 'memory-file', storeFile: 'keystore.sealflow', keyFile: 'keystore.key' },
      sseS3KeyFile: 'sse-s3.key',
    },
    root,
  );
  return { config, credentials };
}

async function loadOrCreateCredentials(path: string): Promise<DefaultCredentials> {
  const fresh: DefaultCredentials = {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64url'),
    principal: DEFAULT_PRINCIPAL,
  };
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(fresh, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST')
      throw invalidArgument(`cannot create ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    throw invalidArgument(`${path}: not a credentials file (delete it to make new credentials)`);
  }
  const c = parsed as Partial<DefaultCredentials> | null;
  if (typeof c?.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string' || typeof c.principal !== 'string') {
    throw invalidArgument(`${path}: not a credentials file (delete it to make new credentials)`);
  }
  return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, principal: c.principal };
}
