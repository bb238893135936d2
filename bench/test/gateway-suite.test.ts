// The gateway suite's plumbing: the S3 cross-check refuses a contestant that loses or
// alters bytes, and the KMS-call counter reads exactly what the key store's audit trail
// recorded. Real servers: the bench's node:https stand-in (a child process, built dist)
// and a real gateway with the in-process KMS file store and its audit file.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseGatewayConfig, startGateway, type RunningGateway } from '@sealflow/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildServer } from '../src/gateway/child-server.js';
import { CrossCheckError } from '../src/cross-check.js';
import {
  createBucket,
  crossCheckS3,
  fetchMetrics,
  kmsCallsByOperation,
  kmsCallsDelta,
  kmsCallsFromMetrics,
  putObject,
  type S3Contestant,
} from '../src/gateway/s3-contestant.js';
import { BENCH_ACCOUNT, benchClient, selfSignedCert, startStandIn, type Pem } from '../src/gateway/servers.js';

let dir: string;
let pem: Pem;
let standIn: ChildServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealflow-bench-gw-test-'));
  pem = selfSignedCert(dir);
  standIn = await startStandIn(join(dir, 'stand-in'), pem);
});
afterAll(async () => {
  await standIn?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const plaintext = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) & 0xff);

/** A contestant whose client hands back GET bodies with one byte flipped (a server that corrupts data). */
function corrupting(c: S3Contestant): S3Contestant {
  const client = benchClient(standIn.url, pem);
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as { Body?: unknown };
      if (output.Body instanceof Readable) {
        const source = output.Body;
        output.Body = Readable.from(
          (async function* () {
            let first = true;
            for await (const chunk of source) {
              const bytes = Buffer.from(chunk as Uint8Array);
              if (first && bytes.length > 0) bytes[0] = (bytes[0] as number) ^ 1;
              first = false;
              yield bytes;
            }
          })(),
        );
      }
      return result;
    },
    { step: 'initialize', name: 'corruptBody' },
  );
  return { ...c, name: 'stand-in-corrupting', client };
}

describe('the gateway suite cross-check', () => {
  it('passes honest contestants and fails one whose GET returns other bytes, naming it', async () => {
    const honest: S3Contestant = {
      name: 'stand-in',
      client: benchClient(standIn.url, pem),
      bucket: 'cross-honest',
      putExtras: {},
    };
    await createBucket(honest);
    const record = await crossCheckS3('honest', [honest], plaintext);
    expect(record).toStrictEqual({ workload: 'honest', contestants: ['stand-in'], pairs: 1, identicalToSealflow: [] });
    const bad = corrupting({ ...honest, bucket: 'cross-bad' });
    await createBucket(bad);
    const error = await crossCheckS3('mixed', [honest, bad], plaintext).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CrossCheckError);
    expect((error as CrossCheckError).failures).toStrictEqual([
      {
        producer: 'stand-in-corrupting',
        consumer: 'stand-in-corrupting',
        reason: 'GET returned 70000 bytes that differ from the 70000 bytes PUT',
      },
    ]);
    honest.client.destroy();
    bad.client.destroy();
  });

  it('fails a contestant whose round trip errors (a bucket that does not exist)', async () => {
    const missing: S3Contestant = {
      name: 'stand-in-no-bucket',
      client: benchClient(standIn.url, pem),
      bucket: 'never-created',
      putExtras: {},
    };
    const error = (await crossCheckS3('missing', [missing], plaintext).catch((e: unknown) => e)) as CrossCheckError;
    expect(error).toBeInstanceOf(CrossCheckError);
    expect(error.failures.map((f) => f.producer)).toStrictEqual(['stand-in-no-bucket']);
    expect(error.failures[0]?.reason).toMatch(/^round trip failed: /);
    missing.client.destroy();
  });
});

describe('the KMS-call counter', () => {
  it('sums sealflow_gateway_kms_calls_total over operations and ignores other metrics', () => {
    const text = [
      '# HELP sealflow_gateway_kms_calls_total KMS calls made for S3 requests, by KMS operation',
      '# TYPE sealflow_gateway_kms_calls_total counter',
      'sealflow_gateway_kms_calls_total{operation="GenerateDataKey"} 3',
      'sealflow_gateway_kms_calls_total{operation="Decrypt"} 1002',
      'sealflow_gateway_kms_calls_avoided_total 999',
      'sealflow_gateway_requests_total{operation="PutObject",status="200"} 1000',
    ].join('\n');
    expect(kmsCallsByOperation(text)).toStrictEqual({ GenerateDataKey: 3, Decrypt: 1002 });
    expect(kmsCallsFromMetrics(text)).toBe(1005);
    expect(
      kmsCallsDelta({ GenerateDataKey: 1, Decrypt: 2 }, { GenerateDataKey: 3, Decrypt: 2, Encrypt: 1 }),
    ).toStrictEqual({ GenerateDataKey: 2, Encrypt: 1 });
  });

  it("reads from a real gateway's /metrics exactly the KMS calls its key store's audit trail records", async () => {
    const gwDir = join(dir, 'gateway');
    const config = parseGatewayConfig(
      {
        listen: '127.0.0.1:0',
        tls: { certFile: pem.certFile, keyFile: pem.keyFile },
        region: 'us-east-1',
        accounts: [{ ...BENCH_ACCOUNT, displayName: 'bench' }],
        storage: { type: 'fs', dir: 'data' },
        keyStore: { type: 'memory-file', storeFile: 'kms.sealflow', keyFile: 'kms.key' },
        sseS3KeyFile: 'sse-s3.key',
      },
      gwDir,
    );
    const gateway: RunningGateway = await startGateway(config);
    const client = benchClient(gateway.url, pem);
    const puts = 6;
    let withKey: Record<string, number>;
    let without: Record<string, number>;
    let lifetime: Record<string, number>;
    try {
      const scrape = async (): Promise<Record<string, number>> =>
        kmsCallsByOperation(await fetchMetrics(gateway.url, pem.cert));
      const body = new Uint8Array(1024);
      const run = async (bucket: string, bucketKey: boolean): Promise<Record<string, number>> => {
        const c: S3Contestant = {
          name: bucket,
          client,
          bucket,
          putExtras: { ServerSideEncryption: 'aws:kms', BucketKeyEnabled: bucketKey },
        };
        await createBucket(c);
        await putObject(c, 'warm', body); // makes alias/aws/s3 on first use
        const before = await scrape();
        for (let i = 0; i < puts; i++) await putObject(c, `k-${i}`, body);
        return kmsCallsDelta(before, await scrape());
      };
      without = await run('counted-plain', false);
      withKey = await run('counted-bucket-key', true);
      lifetime = await scrape();
    } finally {
      client.destroy();
      await gateway.close();
    }
    // Independent count: the KMS file store's audit trail (flushed by close), after the warm-up PUTs.
    const records = readFileSync(join(gwDir, 'kms.sealflow.audit.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { eventName: string });
    const crypto = ['GenerateDataKey', 'Decrypt', 'Encrypt'];
    const audited: Record<string, number> = {};
    for (const { eventName } of records)
      if (crypto.includes(eventName)) audited[eventName] = (audited[eventName] ?? 0) + 1;
    // Every crypto call the key store made, /metrics counted, no more, no fewer.
    expect(Object.fromEntries(Object.entries(lifetime).filter(([op]) => crypto.includes(op)))).toStrictEqual(audited);
    // One data key per object without bucket keys, none more once the bucket key exists.
    expect(without['GenerateDataKey']).toBe(puts);
    expect(withKey['GenerateDataKey'] ?? 0).toBe(0);
    // Write-path verification (verifyWrites 'local', the default) makes no Decrypt: the 1 and 1,000.
    expect(without['Decrypt'] ?? 0).toBe(0);
    expect(withKey['Decrypt'] ?? 0).toBe(0);
    expect(
      kmsCallsFromMetrics(`sealflow_gateway_kms_calls_total{operation="Decrypt"} ${without['Decrypt'] ?? 0}`),
    ).toBe(without['Decrypt'] ?? 0);
  });
});
