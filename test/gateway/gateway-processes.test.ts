// The gateway as separate processes (the built `sealflow gateway`): a kill -9 during
// concurrent PUTs loses no acknowledged object and exposes no partial one; two processes
// over one moto S3 and one moto KMS behave as one.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from '../cli/support/run-cli.js';
import { MOTO_ACCOUNT } from '../setup/kms-emulator-env.js';
import { MOTO_S3_CREDENTIALS } from '../setup/s3-emulator-env.js';
import { ALICE, motoBucket, selfSignedCert } from './support/gateway-harness.js';
import { requireMoto, requireMotoS3 } from '../setup/required-services.js';

const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sealflow-gw-proc-'));
  dirs.push(dir);
  return dir;
}

/** Starts `sealflow gateway --config FILE`; resolves with its URL once the one stderr line is out. */
async function spawnGateway(
  configFile: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ url: string; child: ChildProcess }> {
  const child = startCli(['gateway', '--config', configFile], { env: { PATH: process.env['PATH'] ?? '', ...env } });
  children.push(child);
  child.stdin?.end();
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /^listening on (https?:\/\/127\.0\.0\.1:\d+)\n/.exec(stderr);
      if (match !== null) resolve(match[1] as string);
    });
    child.once('close', (code) => reject(new Error(`gateway exited (${String(code)}): ${stderr}`)));
  });
  return { url, child };
}

function client(
  url: string,
  ca?: string,
  credentials: { accessKeyId: string; secretAccessKey: string } = ALICE,
): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { ...credentials },
    maxAttempts: 1,
    ...(ca === undefined ? {} : { requestHandler: { httpsAgent: new Agent({ ca, keepAlive: true }) } }),
  });
}

describe('gateway processes', () => {
  it('kill -9 during 100 concurrent PUTs: every acknowledged object reads back identical, nothing partial is listed', async () => {
    const dir = tempDir();
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        listen: '127.0.0.1:0',
        accounts: [{ ...ALICE, principal: 'arn:aws:iam::111122223333:user/alice', displayName: 'alice' }],
        storage: { type: 'fs', dir: 'data' },
        keyStore: { type: 'memory-file', storeFile: 'keystore.sealflow', keyFile: 'keystore.key' },
      }),
    );
    const first = await spawnGateway(config);
    const s3 = client(first.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'crash' }));
    const bodies = new Map<string, Buffer>();
    for (let i = 0; i < 100; i++) bodies.set(`obj-${String(i).padStart(3, '0')}`, randomBytes(64 * 1024 + i * 1024));
    const acknowledged = new Set<string>();
    let killed = false;
    const puts = [...bodies].map(async ([key, body]) => {
      try {
        await s3.send(new PutObjectCommand({ Bucket: 'crash', Key: key, Body: body }));
        if (!killed) acknowledged.add(key);
        // Kill once a third of the PUTs are acknowledged: the rest are in flight.
        if (acknowledged.size >= 33 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      } catch {
        // Cut off by the kill: not acknowledged.
      }
    });
    await Promise.all(puts);
    s3.destroy();
    expect(killed).toBe(true);
    expect(acknowledged.size).toBeGreaterThanOrEqual(33);
    expect(acknowledged.size).toBeLessThan(100);

    const second = await spawnGateway(config);
    const after = client(second.url);
    try {
      for (const key of acknowledged) {
        const got = await after.send(new GetObjectCommand({ Bucket: 'crash', Key: key }));
        expect(Buffer.from(await got.Body!.transformToByteArray()).equals(bodies.get(key) as Buffer)).toBe(true);
      }
      const listed = await after.send(new ListObjectsV2Command({ Bucket: 'crash' }));
      const names = (listed.Contents ?? []).map((c) => c.Key as string);
      for (const key of acknowledged) expect(names).toContain(key);
      // Whatever else is listed (a PUT that completed just as the process died) is whole.
      for (const item of listed.Contents ?? []) {
        const body = bodies.get(item.Key as string) as Buffer;
        expect(item.Size).toBe(body.length);
        const got = await after.send(new GetObjectCommand({ Bucket: 'crash', Key: item.Key }));
        expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
      }
    } finally {
      after.destroy();
    }
  }, 120_000);

  it('two processes over one moto S3 and one moto KMS: written through one, read through the other; a default set on one applies on the other', async () => {
    const dir = tempDir();
    const pem = selfSignedCert(dir);
    const moto = requireMotoS3();
    const config = join(dir, 'gateway.json');
    writeFileSync(
      config,
      JSON.stringify({
        listen: '127.0.0.1:0',
        tls: { certFile: pem.certFile, keyFile: pem.keyFile },
        // moto's KMS lives in account 123456789012: the principal is in it too.
        accounts: [{ ...ALICE, principal: `arn:aws:iam::${MOTO_ACCOUNT}:user/alice`, displayName: 'alice' }],
        storage: {
          type: 's3',
          bucket: await motoBucket(),
          endpoint: moto,
          accessKeyId: MOTO_S3_CREDENTIALS.accessKeyId,
          secretAccessKey: MOTO_S3_CREDENTIALS.secretAccessKey,
        },
        keyStore: { type: 'aws-kms', endpoint: requireMoto() },
        sseS3KeyFile: join(dir, 'shared-sse-s3.key'),
      }),
    );
    // The AWS KMS key store takes the SDK's default credential chain.
    const env = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
    const [a, b] = await Promise.all([spawnGateway(config, env), spawnGateway(config, env)]);
    const one = client(a.url, pem.cert);
    const two = client(b.url, pem.cert);
    try {
      await one.send(new CreateBucketCommand({ Bucket: 'shared' }));
      await one.send(new PutObjectCommand({ Bucket: 'shared', Key: 'plain', Body: 'written through one' }));
      const got = await two.send(new GetObjectCommand({ Bucket: 'shared', Key: 'plain' }));
      expect(await got.Body!.transformToString()).toBe('written through one');
      expect(got.ServerSideEncryption).toBe('AES256');
      await one.send(
        new PutBucketEncryptionCommand({
          Bucket: 'shared',
          ServerSideEncryptionConfiguration: {
            Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
          },
        }),
      );
      const put = await two.send(new PutObjectCommand({ Bucket: 'shared', Key: 'kms', Body: 'default from one' }));
      expect(put.ServerSideEncryption).toBe('aws:kms');
      expect(put.SSEKMSKeyId).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${MOTO_ACCOUNT}:key/`));
      const head = await one.send(new HeadObjectCommand({ Bucket: 'shared', Key: 'kms' }));
      expect(head.SSEKMSKeyId).toBe(put.SSEKMSKeyId);
      const back = await one.send(new GetObjectCommand({ Bucket: 'shared', Key: 'kms' }));
      expect(await back.Body!.transformToString()).toBe('default from one');
    } finally {
      one.destroy();
      two.destroy();
    }
  }, 120_000);
});
