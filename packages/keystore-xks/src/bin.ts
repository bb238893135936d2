#!/usr/bin/env node
// sealflow-xks-proxy --config FILE: runs an XKS proxy from a JSON config file (see the README).
import { parseArgs } from 'node:util';
import { isSealflowError } from '@sealflow/core';
import { PROXY_VERSION } from './server/proxy-options.js';
import type { XksKeyUsage } from './backend/key-backend.js';
import type { MemoryKmsXksBackend } from './backend/memory-kms-backend.js';
import { loadXksProxyConfig } from './server/config-file.js';
import { openBackend, startXksProxyFromConfig } from './server/start-from-config.js';

const USAGE = `usage: sealflow-xks-proxy --config FILE
       sealflow-xks-proxy --config FILE --create-key ID [--usage ENCRYPT,DECRYPT]

Runs an AWS KMS External Key Store (XKS) proxy, API v1, as the JSON config FILE says.
With --create-key, adds an external key to the config's memory-kms-file backend and exits.
Logs one JSON line per request on stdout (no plaintext, ever).
Signals: SIGHUP re-reads the credentials from FILE; SIGINT and SIGTERM stop the proxy.
Exit codes: 0 stopped, 1 failed while running, 2 bad arguments or config.`;

async function main(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c' },
        'create-key': { type: 'string' },
        usage: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`sealflow-xks-proxy: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help === true || values.version === true) {
    process.stdout.write(`${values.help === true ? USAGE : PROXY_VERSION}\n`);
    return 0;
  }
  if (values.config === undefined) {
    process.stderr.write(`sealflow-xks-proxy: --config FILE is required\n${USAGE}\n`);
    return 2;
  }
  if (values['create-key'] !== undefined) return createKey(values.config, values['create-key'], values.usage);
  if (values.usage !== undefined) {
    process.stderr.write(`sealflow-xks-proxy: --usage goes with --create-key\n${USAGE}\n`);
    return 2;
  }
  let running;
  try {
    running = await startXksProxyFromConfig(values.config);
  } catch (error) {
    process.stderr.write(
      `sealflow-xks-proxy: ${isSealflowError(error) ? `${error.code}: ` : ''}${(error as Error).message}\n`,
    );
    return isSealflowError(error) ? 2 : 1;
  }
  const proxy = running;
  process.stderr.write(`sealflow-xks-proxy ${PROXY_VERSION} listening on ${proxy.address.url}\n`);
  process.on('SIGHUP', () => {
    proxy.reloadCredentials().then(
      () => process.stderr.write('sealflow-xks-proxy: credentials reloaded\n'),
      (error: unknown) =>
        process.stderr.write(
          `sealflow-xks-proxy: reload failed, keeping the old credentials: ${(error as Error).message}\n`,
        ),
    );
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await proxy.close();
  return 0;
}

/** Adds an external key to the config's persistent backend. */
async function createKey(configPath: string, keyId: string, usage: string | undefined): Promise<number> {
  try {
    const config = await loadXksProxyConfig(configPath);
    if (config.backend.type !== 'memory-kms-file') {
      process.stderr.write(
        'sealflow-xks-proxy: --create-key needs a "memory-kms-file" backend (memory keys live in the config)\n',
      );
      return 2;
    }
    const backend = await openBackend(config.backend);
    try {
      await (backend as MemoryKmsXksBackend).createKey(
        keyId,
        usage === undefined ? {} : { usage: usage.split(',') as XksKeyUsage[] },
      );
    } finally {
      await backend.close?.();
    }
    process.stdout.write(`created external key ${keyId}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(
      `sealflow-xks-proxy: ${isSealflowError(error) ? `${error.code}: ` : ''}${(error as Error).message}\n`,
    );
    return isSealflowError(error) ? 2 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sealflow-xks-proxy: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
