// Starts a real gateway (real sockets, real key store, fs or moto-S3 storage) for the
// cross-package gateway suites, and makes AWS SDK clients that talk to it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { parseGatewayConfig, startGateway, type RunningGateway } from '@sealflow/gateway';
import { MOTO_S3_CREDENTIALS } from '../../setup/s3-emulator-env.js';
import { requireMotoS3 } from '../../setup/required-services.js';

export const ALICE = {
  accessKeyId: 'AKIAALICE0000000001',
  secretAccessKey: 'alice-secret-key-0000000000000000000000',
} as const;
export const BOB = {
  accessKeyId: 'AKIABOB00000000000002',
  secretAccessKey: 'bob-secret-key-00000000000000000000000',
} as const;
export const ALICE_ARN = 'arn:aws:iam::111122223333:user/alice';
export const BOB_ARN = 'arn:aws:iam::444455556666:user/bob';

export type Backend = 'fs' | 's3';

/** The backends every gateway suite runs on: s3 is moto's, and fails when moto is not running. */
export const BACKENDS: readonly Backend[] = ['fs', 's3'];

export interface Harness {
  readonly gateway: RunningGateway;
  readonly dir: string;
  /** The test CA (the self-signed certificate) when the gateway serves TLS. */
  readonly ca: string | undefined;
  client(
    credentials?: { accessKeyId: string; secretAccessKey: string },
    options?: { forcePathStyle?: boolean },
  ): S3Client;
  close(): Promise<void>;
}

let counter = 0;

/** A backing bucket in moto for one gateway's `s3` storage. */
export async function motoBucket(): Promise<string> {
  const endpoint = requireMotoS3();
  const moto = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...MOTO_S3_CREDENTIALS },
  });
  const bucket = `gw-backing-${process.pid}-${Date.now()}-${counter++}`;
  await moto.send(new CreateBucketCommand({ Bucket: bucket }));
  moto.destroy();
  return bucket;
}

/** The `storage` section of a config for `backend`. */
export async function storageConfig(backend: Backend, dir: string): Promise<Record<string, unknown>> {
  if (backend === 'fs') return { type: 'fs', dir: join(dir, 'data') };
  return {
    type: 's3',
    bucket: await motoBucket(),
    endpoint: requireMotoS3(),
    region: 'us-east-1',
    accessKeyId: MOTO_S3_CREDENTIALS.accessKeyId,
    secretAccessKey: MOTO_S3_CREDENTIALS.secretAccessKey,
  };
}

/**
 * A throwaway self-signed certificate for 127.0.0.1, localhost and *.localhost (virtual
 * hosts), made with openssl in `dir` at test time. SSE-KMS requests need TLS.
 */
export function selfSignedCert(dir: string): { certFile: string; keyFile: string; cert: string } {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'tls.key',
      '-out',
      'tls.crt',
      '-subj',
      '/CN=localhost',
      '-days',
      '2',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:*.localhost,DNS:features.localhost',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 },
  );
  return {
    certFile: join(dir, 'tls.crt'),
    keyFile: join(dir, 'tls.key'),
    cert: readFileSync(join(dir, 'tls.crt'), 'utf8'),
  };
}

/**
 * Starts a gateway on 127.0.0.1:0 over TLS (`tls: false` for plain HTTP) with two
 * accounts (alice, bob) and an in-memory KMS.
 */
export async function startHarness(
  backend: Backend,
  extra: Record<string, unknown> = {},
  { tls = true }: { tls?: boolean } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sealflow-gw-'));
  const pem = tls ? selfSignedCert(dir) : undefined;
  const config = parseGatewayConfig(
    {
      listen: '127.0.0.1:0',
      ...(pem === undefined ? {} : { tls: { certFile: pem.certFile, keyFile: pem.keyFile } }),
      region: 'us-east-1',
      accounts: [
        { ...ALICE, principal: ALICE_ARN, displayName: 'alice' },
        { ...BOB, principal: BOB_ARN, displayName: 'bob' },
      ],
      storage: await storageConfig(backend, dir),
      keyStore: { type: 'memory' },
      ...extra,
    },
    dir,
  );
  const gateway = await startGateway(config);
  const clients: S3Client[] = [];
  return {
    gateway,
    dir,
    ca: pem?.cert,
    client(credentials = ALICE, options = {}) {
      const client = new S3Client({
        endpoint: gateway.url,
        region: 'us-east-1',
        forcePathStyle: options.forcePathStyle ?? true,
        // A copy: the SDK writes into the credentials object it is given.
        credentials: { ...credentials },
        ...(pem === undefined ? {} : { requestHandler: { httpsAgent: new Agent({ ca: pem.cert, keepAlive: true }) } }),
        // Keep retries out of error tests: one request, one answer.
        maxAttempts: 1,
      });
      clients.push(client);
      return client;
    },
    async close() {
      clients.forEach((client) => client.destroy());
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
