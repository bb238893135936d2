// `sealflow gateway` as a user runs it: the built binary, its one stderr line, an SDK
// client using the credentials the embedded default made, and a clean stop.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { errorCode, sandbox, startCli, type CliSandbox } from './support/run-cli.js';

let box: CliSandbox | undefined;
let child: ChildProcess | undefined;

afterEach(() => {
  if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  box?.remove();
  box = undefined;
});

/** Starts the gateway; resolves with its URL, the stderr so far, and a stop that returns the exit code. */
async function startGateway(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; stderr: () => string; stop: () => Promise<number | null> }> {
  const proc = startCli(['gateway', ...args], { env });
  child = proc;
  proc.stdin?.end();
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /^listening on (https?:\/\/127\.0\.0\.1:\d+)\n/.exec(stderr);
      if (match !== null) resolve(match[1] as string);
    });
    proc.once('close', (code) => reject(new Error(`gateway exited (${String(code)}): ${stderr}`)));
  });
  const closed = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return {
    url,
    stderr: () => stderr,
    stop: async () => {
      proc.kill('SIGTERM');
      return closed;
    },
  };
}

describe('sealflow gateway', () => {
  it('with no config runs the embedded default: one stderr line, SDK round trip, exit 0 on SIGTERM', async () => {
    box = sandbox();
    const gw = await startGateway(['--data-dir', box.path('gw')], box.env);
    const creds = JSON.parse(readFileSync(box.path('gw/credentials.json'), 'utf8')) as {
      accessKeyId: string;
      secretAccessKey: string;
    };
    const s3 = new S3Client({
      endpoint: gw.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'cli-bucket' }));
      await s3.send(new PutObjectCommand({ Bucket: 'cli-bucket', Key: 'k', Body: 'from the cli gateway' }));
      const got = await s3.send(new GetObjectCommand({ Bucket: 'cli-bucket', Key: 'k' }));
      expect(await got.Body!.transformToString()).toBe('from the cli gateway');
    } finally {
      s3.destroy();
    }
    const health = await fetch(`${gw.url}/health`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/sealflow_gateway_requests_total\{operation="PutObject",status="200"\} 1/);
    // The command loads the native backend (built by `npm run setup` / CI): frames go through ring.
    expect(metrics).toMatch(/^sealflow_gateway_cipher_backend_info\{backend="native"\} 1$/m);
    expect(await gw.stop()).toBe(0);
    // Exactly one line on stderr, and nothing else, for the whole run.
    expect(gw.stderr()).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
  });

  it('refuses plain HTTP on a non-loopback address and names the field (exit 1)', async () => {
    box = sandbox();
    writeFileSync(
      box.path('gw.json'),
      JSON.stringify({ listen: '0.0.0.0:0', storage: { type: 'fs', dir: 'data' }, keyStore: { type: 'memory' } }),
    );
    const run = await box.run(['gateway', '--config', box.path('gw.json')]);
    expect(run.code).toBe(1);
    expect(errorCode(run)).toBe('ERR_INVALID_ARGUMENT');
    expect(run.stderr).toContain('config.listen: plain HTTP is only served on a loopback address');
  });

  it('refuses an unknown config key and a malformed file with a clear message', async () => {
    box = sandbox();
    writeFileSync(box.path('typo.json'), JSON.stringify({ listen: '127.0.0.1:0', bucketkeys: true }));
    const typo = await box.run(['gateway', '--config', box.path('typo.json')]);
    expect(typo.stderr).toContain('config: unknown option "bucketkeys"');
    writeFileSync(box.path('bad.json'), '{ "listen": ');
    const bad = await box.run(['gateway', '--config', box.path('bad.json')]);
    expect(bad.stderr).toMatch(/config file .*bad\.json: not valid JSON/);
    expect(bad.code).toBe(1);
  });
});
