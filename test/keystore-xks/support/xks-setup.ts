// Shared setup for the cross-package XKS suites: a proxy over an in-memory backend and
// a client store pointed at it.
import { randomBytes } from 'node:crypto';
import { afterEach } from 'vitest';
import { RawAesKeyStore } from '@sealflow/core';
import {
  InMemoryXksBackend,
  XksKeyStore,
  createXksProxy,
  type XksKeyStoreOptions,
  type XksProxy,
  type XksProxyOptions,
} from '@sealflow/keystore-xks';

export const CREDENTIAL = {
  accessKeyId: 'XKSE2ETESTACCESSKEY234',
  secretAccessKey: Buffer.alloc(32, 5).toString('base64'),
} as const;
export const PREFIX = '/sealflow/e2e';
export const KEY_ID = 'e2e-key';
export const CONTEXT = { 'aws:s3:arn': 'arn:aws:s3:::bucket/object.bin', tenant: 'acme' };

export interface XksRig {
  readonly proxy: XksProxy;
  readonly backend: InMemoryXksBackend;
  readonly url: string;
  readonly port: number;
}

/** A proxy on 127.0.0.1 (ephemeral port unless `port` is given) over `backend`. */
export async function startRig(
  options: { backend?: InMemoryXksBackend; port?: number; proxy?: Partial<XksProxyOptions> } = {},
): Promise<XksRig> {
  const backend = options.backend ?? newBackend();
  const proxy = createXksProxy({
    keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL] }],
    backend,
    ...options.proxy,
  });
  const address = await proxy.listen(options.port ?? 0, '127.0.0.1');
  return { proxy, backend, url: address.url, port: address.port };
}

export function newBackend(): InMemoryXksBackend {
  const backend = new InMemoryXksBackend();
  backend.createKey(KEY_ID);
  return backend;
}

export function xksStore(url: string, overrides: Partial<XksKeyStoreOptions> = {}): XksKeyStore {
  return new XksKeyStore({
    endpoint: url,
    uriPrefix: PREFIX,
    keyId: KEY_ID,
    credentials: CREDENTIAL,
    timeoutMs: 5000,
    ...overrides,
  });
}

export function rawStore(key: Uint8Array = randomBytes(32)): RawAesKeyStore {
  return new RawAesKeyStore({ namespace: 'sealflow-test', name: 'backup-key', key });
}

/**
 * {@link startRig} and {@link xksStore} for one test file: every proxy and store they open
 * is closed after the test that opened it (newest first). Call once, at the top level.
 */
export function xksPerTest(): { rig: typeof startRig; store: typeof xksStore } {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    rig: async (...args) => {
      const running = await startRig(...args);
      cleanups.push(() => running.proxy.close());
      return running;
    },
    store: (...args) => {
      const s = xksStore(...args);
      cleanups.push(() => s.close());
      return s;
    },
  };
}
