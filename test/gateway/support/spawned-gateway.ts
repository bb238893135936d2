// Runs `sealflow gateway --config FILE` as a user does: the built CLI in its own process,
// its one `listening on` stderr line, a kill (-9 or TERM) and a restart on the same data.
// The key store is the in-process KMS file (with one customer key made before start), or
// moto's KMS through the `aws-kms` key store for gateways that must share one KMS.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { createKeyFile, MemoryKms } from '@sealflow/keystore-memory';
import { MOTO_S3_CREDENTIALS } from '../../setup/s3-emulator-env.js';
import { ALICE, ALICE_ARN, BOB, BOB_ARN, selfSignedCert, storageConfig, type Backend } from './gateway-harness.js';
import { requiredTool } from '../../setup/required-services.js';

export const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(REPO, 'packages/cli/dist/bin.js');

/** Everything a spawned gateway needs on disk, kept across restarts. */
export interface GatewaySite {
  readonly dir: string;
  readonly configFile: string;
  /** PEM of the self-signed certificate the gateway serves (TLS sites). */
  readonly caFile: string;
  readonly ca: string;
  /** Full ARN of the customer key alice may use (made before start). */
  readonly keyArn: string;
  remove(): void;
}

export interface SiteOptions {
  readonly backend: Backend;
  /** TLS (default) or plain HTTP on 127.0.0.1. */
  readonly tls?: boolean;
  /** Use this `storage` section instead of a fresh one (gateways sharing a store). */
  readonly storage?: Record<string, unknown>;
  /** Use this `keyStore` section and key instead of a fresh KMS file. */
  readonly keyStore?: { readonly section: Record<string, unknown>; readonly keyArn: string };
  readonly extra?: Record<string, unknown>;
}

/** Writes a config (TLS by default, alice and bob, `backend` storage, a KMS file with one key). */
export async function makeSite(options: SiteOptions): Promise<GatewaySite> {
  const dir = mkdtempSync(join(tmpdir(), 'sealflow-gwc-'));
  const pem = selfSignedCert(dir);
  let keyArn: string;
  let keyStore: Record<string, unknown>;
  if (options.keyStore === undefined) {
    const storeFile = join(dir, 'keystore.sealflow');
    const keyFile = join(dir, 'keystore.key');
    await createKeyFile(keyFile);
    const kms = await MemoryKms.open({ path: storeFile, keyFile, region: 'us-east-1' });
    try {
      const created = await kms.as(ALICE_ARN).createKey({ Description: 'gateway client suites' });
      keyArn = created.KeyMetadata?.Arn as string;
      await kms.as(ALICE_ARN).createAlias({ AliasName: 'alias/clients', TargetKeyId: keyArn });
    } finally {
      await kms.close();
    }
    keyStore = { type: 'memory-file', storeFile, keyFile };
  } else {
    keyArn = options.keyStore.keyArn;
    keyStore = options.keyStore.section;
  }
  const config = {
    listen: '127.0.0.1:0',
    ...(options.tls === false ? {} : { tls: { certFile: pem.certFile, keyFile: pem.keyFile } }),
    region: 'us-east-1',
    accounts: [
      { ...ALICE, principal: ALICE_ARN, displayName: 'alice' },
      { ...BOB, principal: BOB_ARN, displayName: 'bob' },
    ],
    storage: options.storage ?? (await storageConfig(options.backend, dir)),
    keyStore,
    sseS3KeyFile: join(dir, 'sse-s3.key'),
    ...options.extra,
  };
  const configFile = join(dir, 'gateway.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return {
    dir,
    configFile,
    caFile: pem.certFile,
    ca: pem.cert,
    keyArn,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A running `sealflow gateway` process. */
export interface SpawnedGateway {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** stderr so far. */
  stderr(): string;
  /** Whether the process is still running. */
  alive(): boolean;
  /** Sends `signal` and resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns the built CLI on `configFile`; resolves on its `listening on` line. */
export async function spawnGateway(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<SpawnedGateway> {
  const child = spawn(process.execPath, [BIN, 'gateway', '--config', configFile], {
    cwd: REPO,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start in 20 s: ${stderr}`)), 20_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /^listening on (https?:\/\/127\.0\.0\.1:(\d+))\n/.exec(stderr);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${String(code ?? signal)}): ${stderr}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    process: child,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** An SDK client for a spawned gateway (TLS trusted through the site's certificate). */
export function sdkClient(
  site: GatewaySite,
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string } = ALICE,
  maxSockets = 50,
): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...credentials },
    requestHandler: { httpsAgent: new Agent({ ca: site.ca, keepAlive: true, maxSockets }) },
    maxAttempts: 1,
  });
}

/** The environment the Python clients (boto3, the AWS CLI) run with against a site. */
export function pythonClientEnv(
  site: GatewaySite,
  credentials: { accessKeyId: string; secretAccessKey: string } = ALICE,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: site.dir,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CA_BUNDLE: site.caFile,
    AWS_CONFIG_FILE: join(site.dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(site.dir, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** moto's credentials, for a gateway whose `aws-kms` key store or `s3` storage is moto. */
export const MOTO_ENV = {
  AWS_ACCESS_KEY_ID: MOTO_S3_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: MOTO_S3_CREDENTIALS.secretAccessKey,
} as const;

/** The virtualenv scripts/install-s3-clients.sh fills (boto3 and the AWS CLI). */
export const S3_CLIENTS_VENV = process.env['SEALFLOW_S3_CLIENTS_VENV'] ?? join(REPO, '.emulators/s3-clients');
export const VENV_PYTHON = join(S3_CLIENTS_VENV, 'bin/python');
export const VENV_AWS = join(S3_CLIENTS_VENV, 'bin/aws');
/**
 * Checks that the Python clients are installed (`.ci/run` installs them).
 * @throws {Error} naming scripts/install-s3-clients.sh when one is missing.
 */
export function requirePythonClients(): void {
  requiredTool(VENV_PYTHON, 'boto3 (its virtualenv)', 'scripts/install-s3-clients.sh');
  requiredTool(VENV_AWS, 'the AWS CLI', 'scripts/install-s3-clients.sh');
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion (bounded by `timeoutMs`), collecting its output. */
export function run(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
