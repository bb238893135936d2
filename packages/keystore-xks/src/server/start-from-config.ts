import { InMemoryXksBackend } from '../backend/memory-backend.js';
import { MemoryKmsXksBackend } from '../backend/memory-kms-backend.js';
import type { XksKeyBackend, XksKeyStatus, XksKeyUsage } from '../backend/key-backend.js';
import type { XksAuditRecord } from './audit.js';
import { createRuleAuthorizer } from './authorizer.js';
import { loadXksProxyConfig, type XksBackendConfig, type XksProxyConfig } from './config-file.js';
import { XksProxy, type XksProxyAddress } from './xks-proxy.js';

/** A proxy started from a config file. */
export interface ConfiguredXksProxy {
  readonly proxy: XksProxy;
  readonly address: XksProxyAddress;
  readonly config: XksProxyConfig;
  /** Re-reads the config file and applies its credentials without a restart (spec §10.1 rotation). */
  reloadCredentials(): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startXksProxyFromConfig}. */
export interface StartFromConfigOptions {
  /** Where `log: "stdout"` lines go. Default `process.stdout`. */
  readonly writeLine?: (line: string) => void;
}

/**
 * Loads a config file, opens its backend, and starts listening.
 * @throws {InvalidArgumentError} for an invalid config file.
 */
export async function startXksProxyFromConfig(
  path: string,
  options: StartFromConfigOptions = {},
): Promise<ConfiguredXksProxy> {
  const config = await loadXksProxyConfig(path);
  const writeLine = options.writeLine ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const backend = await openBackend(config.backend);
  let proxy: XksProxy;
  try {
    proxy = new XksProxy({
      keyStores: config.keyStores,
      backend,
      ownsBackend: true,
      ...(config.tls === undefined ? {} : { tls: config.tls }),
      ...(config.authorization === undefined ? {} : { authorize: createRuleAuthorizer(config.authorization) }),
      ...(config.limits === undefined ? {} : { limits: config.limits }),
      ...(config.health === undefined ? {} : { health: config.health }),
      ...(config.ciphertextMetadata === undefined ? {} : { ciphertextMetadata: config.ciphertextMetadata }),
      ...(config.pingPath === undefined ? {} : { pingPath: config.pingPath }),
      ...(config.region === undefined ? {} : { region: config.region }),
      ...(config.log === 'stdout' ? { logger: (record: XksAuditRecord) => writeLine(JSON.stringify(record)) } : {}),
    });
  } catch (error) {
    await backend.close?.();
    throw error;
  }
  const address = await proxy.listen(config.listen.port, config.listen.host).catch(async (error: unknown) => {
    await proxy.close();
    throw error;
  });
  return {
    proxy,
    address,
    config,
    async reloadCredentials() {
      const fresh = await loadXksProxyConfig(path);
      for (const store of fresh.keyStores) proxy.updateCredentials(store.uriPrefix, store.credentials);
    },
    close: () => proxy.close(),
  };
}

/**
 * Opens the backend a config names.
 * @throws {KeyStoreError} when the KMS store or keys file is locked, corrupt or unreadable.
 */
export async function openBackend(config: XksBackendConfig): Promise<XksKeyBackend> {
  if (config.type === 'memory-kms-file') {
    const { type: _type, ...options } = config;
    return MemoryKmsXksBackend.open(options);
  }
  const backend = new InMemoryXksBackend();
  for (const key of config.keys) {
    backend.createKey(key.keyId, {
      ...(key.usage === undefined ? {} : { usage: key.usage as XksKeyUsage[] }),
      ...(key.status === undefined ? {} : { status: key.status as XksKeyStatus }),
    });
  }
  return backend;
}
