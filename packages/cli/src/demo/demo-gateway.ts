import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import type { RunningGateway } from '@sealflow/gateway';
import { loadNative } from '../engine-options.js';
import { throwawayCertificate } from './throwaway-certificate.js';

/** The gateway the demo runs: the embedded default, plus TLS, and a client for it. */
export interface DemoGateway {
  readonly running: RunningGateway;
  readonly client: S3Client;
  readonly dataDir: string;
  readonly keyStore: string;
  readonly auditFile: string;
  /** The gateway's `/metrics` text. */
  metrics(): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts `@sealflow/gateway` in this process on the embedded default (`sealflow gateway`
 * without a config: fs storage, the in-process KMS file store, one account) in `folder`,
 * with TLS from a throwaway self-signed certificate made with WebCrypto (S3 refuses SSE-KMS
 * requests over plain HTTP), and an @aws-sdk/client-s3 client that trusts it.
 * @throws {Error} (rejects) when the gateway cannot start.
 */
export async function startDemoGateway(folder: string): Promise<DemoGateway> {
  await loadNative();
  const gateway = await import('@sealflow/gateway');
  const { config, credentials } = await gateway.defaultGatewayConfig(folder);
  const certFile = join(folder, 'tls.crt');
  const keyFile = join(folder, 'tls.key');
  const { certPem: ca, keyPem } = throwawayCertificate();
  await writeFile(certFile, ca, { mode: 0o600 });
  await writeFile(keyFile, keyPem, { mode: 0o600 });
  const running = await gateway.startGateway({ ...config, tls: { certFile, keyFile } });
  const agent = new Agent({ ca, keepAlive: true, maxSockets: 8 });
  const client = new S3Client({
    endpoint: running.url,
    region: config.region,
    forcePathStyle: true,
    credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
    requestHandler: { httpsAgent: agent },
    maxAttempts: 1,
  });
  const keyStore = config.keyStore.type === 'memory-file' ? config.keyStore.storeFile : '';
  return {
    running,
    client,
    dataDir: config.storage.type === 'fs' ? config.storage.dir : '',
    keyStore,
    auditFile: `${keyStore}.audit.jsonl`,
    metrics: () => fetchText(new URL('/metrics', running.url), ca),
    async close() {
      client.destroy();
      agent.destroy();
      await running.close();
    },
  };
}

function fetchText(url: URL, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url.pathname}: ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** `sealflow_gateway_kms_calls_total` by operation. */
export function kmsCallsByOperation(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of metrics.split('\n')) {
    const match = /^sealflow_gateway_kms_calls_total\{operation="([^"]*)"\}\s+(\S+)$/.exec(line.trim());
    if (match?.[1] !== undefined) out[match[1]] = Number(match[2]);
  }
  return out;
}

/** The value of an unlabelled metric, or 0. */
export function metricValue(metrics: string, name: string): number {
  const match = new RegExp(`^${name}\\s+(\\S+)$`, 'm').exec(metrics);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}
