import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { S3Client } from '@aws-sdk/client-s3';
import { startChild, type ChildServer } from './child-server.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
// The built script, from src (vitest) as from dist.
const standInScript = fileURLToPath(new URL('../../dist/gateway/stand-in-server.js', import.meta.url));
const cliBin = join(repo, 'packages', 'cli', 'dist', 'bin.js');
const LISTENING = /listening on (https?:\/\/127\.0\.0\.1:\d+)/;

/** The one account the bench signs with (the stand-in and moto accept anything). */
export const BENCH_ACCOUNT = {
  accessKeyId: 'AKIABENCH00000000001',
  secretAccessKey: 'bench-secret-key-000000000000000000000',
  principal: 'arn:aws:iam::111122223333:user/bench',
} as const;

export interface Pem {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
}

/** A throwaway self-signed certificate for 127.0.0.1 (SSE-KMS requests need TLS), made with openssl. */
export function selfSignedCert(dir: string): Pem {
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
      '/CN=127.0.0.1',
      '-days',
      '2',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return {
    certFile: join(dir, 'tls.crt'),
    keyFile: join(dir, 'tls.key'),
    cert: readFileSync(join(dir, 'tls.crt'), 'utf8'),
  };
}

/**
 * `sealflow gateway --config FILE` as a child process (the built CLI): TLS on 127.0.0.1,
 * `fs` storage in `<dir>/data`, the in-process KMS, bucket keys off by default (the suite
 * asks for them per request).
 * @throws {Error} (rejects) when it does not start.
 */
export async function startGatewayProcess(dir: string, pem: Pem): Promise<ChildServer> {
  await mkdir(dir, { recursive: true });
  const configFile = join(dir, 'gateway.json');
  const config = {
    listen: '127.0.0.1:0',
    tls: { certFile: pem.certFile, keyFile: pem.keyFile },
    region: 'us-east-1',
    accounts: [{ ...BENCH_ACCOUNT, displayName: 'bench' }],
    storage: { type: 'fs', dir: join(dir, 'data') },
    keyStore: { type: 'memory' },
    sseS3KeyFile: join(dir, 'sse-s3.key'),
  };
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  return startChild('gateway', process.execPath, [cliBin, 'gateway', '--config', configFile], LISTENING);
}

/** The non-encrypting node:https stand-in (`stand-in-server.ts`), storing in `dir`. */
export async function startStandIn(dir: string, pem: Pem): Promise<ChildServer> {
  await mkdir(dir, { recursive: true });
  return startChild('stand-in', process.execPath, [standInScript, dir, pem.certFile, pem.keyFile], LISTENING);
}

/** moto's S3 server (plain HTTP; `.emulators/moto/bin/moto_server` or `$SEALFLOW_MOTO_SERVER`), or why not. */
export async function startMoto(): Promise<ChildServer | string> {
  const path = process.env['SEALFLOW_MOTO_SERVER'] ?? join(repo, '.emulators', 'moto', 'bin', 'moto_server');
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return `${path} is not installed (scripts/install-emulators.sh)`;
  }
  return startChild('moto', path, ['-H', '127.0.0.1', '-p', '0'], /Running on (http:\/\/127\.0\.0\.1:\d+)/);
}

/**
 * The one client configuration every contestant gets: path-style, no optional checksums
 * (the stand-in does not verify them, so the gateway does not pay for them either), a
 * keep-alive agent trusting `pem`, one attempt.
 */
export function benchClient(url: string, pem: Pem | undefined): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: BENCH_ACCOUNT.accessKeyId, secretAccessKey: BENCH_ACCOUNT.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
    ...(pem === undefined
      ? {}
      : { requestHandler: { httpsAgent: new Agent({ ca: pem.cert, keepAlive: true, maxSockets: 16 }) } }),
  });
}
