import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { invalidArgument } from '@sealflow/core/validate';
import { kmsKeyProvider, S3Service, type BlobStore, type S3KeyProvider, type S3KmsClient } from '@sealflow/s3';
import type { CredentialLookup } from './auth/index.js';
import type { GatewayConfig, KeyStoreConfig, StorageConfig } from './config/gateway-config.js';
import { awsKmsClients } from './keys/aws-kms-principals.js';
import { xksKeyProvider } from './keys/xks-key-provider.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { GatewayServer } from './server/gateway-server.js';
import { createS3Handler } from './server/s3-handler.js';
import { FsBlobStore } from './storage/fs-blob-store.js';
import { S3BlobStore } from './storage/s3-blob-store.js';

/** A started gateway. */
export interface RunningGateway {
  /** `http(s)://HOST:PORT` as bound (port 0 resolved). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly service: S3Service;
  readonly metrics: GatewayMetrics;
  /** Stops serving and releases the storage and key-store clients. */
  close(): Promise<void>;
}

/** Test and embedding hooks of {@link startGateway}. */
export interface StartGatewayOptions {
  /** Clock for signature checks (ms since the epoch). */
  readonly now?: () => number;
}

/**
 * Starts the gateway a validated config describes: opens the storage backend and the key
 * store, builds the `S3Service`, and listens. Printing the `listening on` line is the
 * caller's (the CLI's) job.
 * @throws {InvalidArgumentError} (rejects) for unusable files (TLS, key files).
 * @throws {KeyStoreError} (rejects) when the key store cannot be opened.
 */
export async function startGateway(config: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const store = await openStorage(config.storage, closers);
    const keys = await openKeys(config.keyStore, config.region, closers);
    const metrics = new GatewayMetrics();
    closers.push(() => metrics.close());
    const service = new S3Service({
      store,
      keys: keys.provider(metrics),
      region: config.region,
      sseS3Key: await loadOrCreateKey(config.sseS3KeyFile),
      bucketKeysByDefault: config.bucketKeys,
      verifyWrites: config.verifyWrites,
    });
    // Closed before the key store: it wipes its engines' cached bucket keys.
    closers.unshift(() => service.close());
    const accounts = new Map(
      config.accounts.map((a) => [
        a.accessKeyId,
        { secret: a.secretAccessKey, principal: a.principal, accountId: a.accountId, displayName: a.displayName },
      ]),
    );
    const credentials: CredentialLookup = (accessKeyId) => accounts.get(accessKeyId);
    const tls =
      config.tls === undefined
        ? undefined
        : {
            cert: await readPem(config.tls.certFile, 'tls.certFile'),
            key: await readPem(config.tls.keyFile, 'tls.keyFile'),
          };
    const server = new GatewayServer({
      handler: createS3Handler(service),
      credentials,
      region: config.region,
      metrics,
      virtualHosts: config.virtualHosts,
      ...(tls === undefined ? {} : { tls }),
      ...(options.now === undefined ? {} : { now: options.now }),
      health: async () => {
        await store.list('', { limit: 1 });
        return true;
      },
    });
    const bound = await server.listen(config.listen.host, config.listen.port);
    closers.unshift(() => server.close());
    if (config.orphanSweep.enabled) closers.unshift(startOrphanSweeps(service, metrics, config.orphanSweep));
    return {
      ...bound,
      service,
      metrics,
      close: () => closeAll(closers),
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

/**
 * Sweeps orphans now (in the background, not delaying start-up) and then every
 * `intervalSeconds`; one sweep at a time. Returns the stopper. A failed sweep is counted,
 * never fatal: the next one retries.
 */
function startOrphanSweeps(
  service: S3Service,
  metrics: GatewayMetrics,
  config: GatewayConfig['orphanSweep'],
): () => Promise<void> {
  const options = {
    graceMs: config.graceSeconds * 1000,
    ...(config.uploadExpiryDays === undefined ? {} : { uploadExpiryMs: config.uploadExpiryDays * 86_400_000 }),
  };
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const sweep = (): void => {
    running = running.then(async () => {
      if (stopped) return;
      metrics.orphanSweep(await service.sweepOrphans(options).catch(() => undefined));
    });
  };
  sweep();
  const timer = config.intervalSeconds > 0 ? setInterval(sweep, config.intervalSeconds * 1000) : undefined;
  timer?.unref();
  return async () => {
    stopped = true;
    if (timer !== undefined) clearInterval(timer);
    await running;
  };
}

async function closeAll(closers: readonly (() => Promise<void> | void)[]): Promise<void> {
  for (const close of closers) await Promise.resolve(close()).catch(() => undefined);
}

async function openStorage(config: StorageConfig, closers: (() => Promise<void> | void)[]): Promise<BlobStore> {
  if (config.type === 'fs') return FsBlobStore.open(config.dir);
  const store = new S3BlobStore({
    bucket: config.bucket,
    prefix: config.prefix,
    client: {
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    },
  });
  closers.push(() => store.close());
  return store;
}

interface OpenedKeys {
  provider(metrics: GatewayMetrics): S3KeyProvider;
}

async function openKeys(
  config: KeyStoreConfig,
  region: string,
  closers: (() => Promise<void> | void)[],
): Promise<OpenedKeys> {
  let clientFor: (principal: string) => S3KmsClient;
  switch (config.type) {
    case 'memory':
    case 'memory-file': {
      const { MemoryKms } = await import('@sealflow/keystore-memory');
      const kms = config.type === 'memory' ? new MemoryKms({ region }) : await openMemoryKmsFile(config, region);
      closers.push(() => kms.close());
      clientFor = (principal) => kms.as(principal);
      break;
    }
    case 'aws-kms': {
      // The SDK's default credential chain for principals not mapped in `principals`: they
      // share the gateway's own credentials (AWS KMS cannot act as the caller by itself).
      const { KMS } = await import('@aws-sdk/client-kms');
      // `principals` maps principals to their own credentials (keyStore.principals).
      const kms = awsKmsClients(KMS, config, config.principals);
      closers.push(() => kms.clients().forEach((client) => client.destroy()));
      clientFor = (principal) => kms.clientFor(principal) as unknown as S3KmsClient;
      break;
    }
    case 'xks': {
      const ca = config.caFile === undefined ? undefined : await readPem(config.caFile, 'keyStore.caFile');
      return {
        provider: (metrics) => {
          const provider = xksKeyProvider({
            endpoint: config.endpoint,
            uriPrefix: config.uriPrefix,
            region: config.region,
            credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
            keys: config.keys,
            defaultKeyId: config.keyId,
            ...(ca === undefined ? {} : { ca }),
            ...(config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs }),
            audit: (operation) => metrics.kmsCall(operation),
          });
          closers.push(() => provider.close());
          return provider;
        },
      };
    }
  }
  return {
    provider: (metrics) => kmsKeyProvider({ clientFor, audit: (record) => metrics.kmsCall(record.eventName) }),
  };
}

async function openMemoryKmsFile(config: Extract<KeyStoreConfig, { type: 'memory-file' }>, region: string) {
  const { MemoryKms, createKeyFile } = await import('@sealflow/keystore-memory');
  await mkdir(dirname(config.storeFile), { recursive: true, mode: 0o700 });
  if (config.keyFile !== undefined) {
    const exists = await stat(config.keyFile).then(
      () => true,
      () => false,
    );
    // The embedded default makes its own root key file on first start (mode 0600).
    if (!exists) await createKeyFile(config.keyFile);
    return MemoryKms.open({
      path: config.storeFile,
      keyFile: config.keyFile,
      region,
      audit: { file: `${config.storeFile}.audit.jsonl` },
    });
  }
  const passphrase = (await readFile(config.passphraseFile as string, 'utf8')).replace(/\r?\n$/, '');
  return MemoryKms.open({
    path: config.storeFile,
    passphrase,
    region,
    audit: { file: `${config.storeFile}.audit.jsonl` },
  });
}

/**
 * Reads the 32-byte SSE-S3 key, creating it (mode 0600) when missing. Creation is atomic
 * (written and fsynced under a temp name, then hard-linked into place), so gateways that
 * start together over one shared file all read the same complete key.
 */
async function loadOrCreateKey(path: string): Promise<Uint8Array> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(randomBytes(32));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(temp, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    throw invalidArgument(`sseS3KeyFile: cannot create ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  const key = await readFile(path);
  if (key.length !== 32) throw invalidArgument(`sseS3KeyFile: ${path} must hold exactly 32 bytes`);
  return key;
}

async function readPem(path: string, label: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw invalidArgument(`${label}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
