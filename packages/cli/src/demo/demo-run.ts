import { createHash } from 'node:crypto';
import { mkdtemp, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import type { KmsAuditRecord } from '@sealflow/keystore-memory';
import { DemoData } from './demo-data.js';
import { DemoReport } from './demo-report.js';
import { kmsCallsByOperation, metricValue, startDemoGateway, type DemoGateway } from './demo-gateway.js';
import type { DemoOptions, DemoRefusal, DemoResult } from './demo-types.js';

const BUCKET = 'sealflow-demo';
const TAMPER_BUCKET = 'sealflow-demo-tamper';
const MiB = 1024 * 1024;
/** The multipart object: two 5 MiB parts (S3's minimum for all but the last) and a last one of 1 MiB. */
const PARTS = [5 * MiB, 5 * MiB, MiB] as const;
const CONCURRENCY = 8;

/** Hooks for the caller: a line per step. */
export interface DemoHooks {
  readonly step: (line: string) => void;
  readonly signal: AbortSignal;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const SSE_KMS = { ServerSideEncryption: 'aws:kms', BucketKeyEnabled: true } as const;

async function getBytes(
  client: S3Client,
  bucket: string,
  key: string,
  range?: string,
): Promise<{ bytes: Buffer; contentRange: string | undefined }> {
  const out = await client.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, ...(range === undefined ? {} : { Range: range }) }),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of out.Body as Readable) chunks.push(chunk as Buffer);
  return { bytes: Buffer.concat(chunks), contentRange: out.ContentRange };
}

/** What an S3 error the demo provokes on purpose looks like. */
function refusal(error: unknown): DemoRefusal {
  const e = error as Partial<S3ServiceException> & { name?: string; message?: string };
  return { status: e.$metadata?.httpStatusCode, code: e.name ?? 'Error', message: e.message ?? String(error) };
}

async function expectRefusal(work: () => Promise<unknown>): Promise<DemoRefusal> {
  try {
    await work();
  } catch (error) {
    return refusal(error);
  }
  return { status: 200, code: 'none', message: 'the request was NOT refused' };
}

/**
 * The README's demo: the S3-compatible encrypting gateway on its embedded default (in
 * this process, TLS from a throwaway certificate), driven through @aws-sdk/client-s3:
 * SSE-KMS uploads with a bucket key (KMS calls counted), every object read back and
 * checked by SHA-256, a multipart upload, a range read across parts, a GET with an SSE
 * header refused with 400, a PUT refused by a bucket policy requiring a key, a tampered
 * stored object refused, then the gateway's metrics and the key store's audit trail.
 * @throws {Error} (rejects) when a step fails unexpectedly (the folder is still removed).
 */
export async function runDemo(options: DemoOptions, hooks: DemoHooks): Promise<DemoResult> {
  const started = performance.now();
  const folder = await mkdtemp(join(tmpdir(), 'sealflow-demo-'));
  let gateway: DemoGateway | undefined;
  try {
    gateway = await startDemoGateway(folder);
    const { client } = gateway;
    const info: DemoResult['gateway'] = {
      url: gateway.running.url,
      dataDir: gateway.dataDir,
      keyStore: gateway.keyStore,
      auditFile: gateway.auditFile,
      tls: 'a throwaway self-signed certificate (SSE-KMS requests need TLS)',
    };
    hooks.step(DemoReport.intro(folder, info));
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const data = new DemoData();

    const uploads = await uploadMany(gateway, data, options);
    hooks.step(DemoReport.uploads(BUCKET, uploads));
    const multipart = await multipartUpload(client, data);
    hooks.step(DemoReport.multipart(multipart));
    const range = await rangeAcrossParts(client, data, multipart.key);
    hooks.step(DemoReport.range(range));
    const sseHeaderOnGet = await expectRefusal(() => {
      const command = new GetObjectCommand({ Bucket: BUCKET, Key: 'objects/00000.bin' });
      // The SDK has no field for it: S3 answers 400 to this header on a GET.
      command.middlewareStack.add(
        (next) => async (args) => {
          (args.request as { headers: Record<string, string> }).headers['x-amz-server-side-encryption'] = 'aws:kms';
          return next(args);
        },
        { step: 'build', name: 'demoSseHeaderOnGet' },
      );
      return client.send(command);
    });
    hooks.step(DemoReport.sseHeaderOnGet(sseHeaderOnGet));
    const policy = await policyRequiringKey(client, uploads.keyArn ?? '');
    hooks.step(DemoReport.policy(policy));
    const tamper = await tamperOne(gateway, data);
    hooks.step(DemoReport.tamper(tamper));

    const text = await gateway.metrics();
    const metrics: DemoResult['metrics'] = {
      lines: text.split('\n').filter((l) => l.startsWith('sealflow_gateway_') && !/ 0$/.test(l)),
      kmsCallsTotal: Object.values(kmsCallsByOperation(text)).reduce((a, b) => a + b, 0),
      kmsCallsAvoided: metricValue(text, 'sealflow_gateway_kms_calls_avoided_total'),
    };
    await gateway.close();
    gateway = undefined;
    // Closing flushed the key store's audit file.
    const records = (await readFile(info.auditFile, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as KmsAuditRecord);
    const byOperation: Record<string, number> = {};
    for (const record of records) byOperation[record.eventName] = (byOperation[record.eventName] ?? 0) + 1;
    return {
      folder: { path: folder, kept: options.keep },
      gateway: info,
      bucket: BUCKET,
      uploads,
      multipart,
      range,
      sseHeaderOnGet,
      policy,
      tamper,
      metrics,
      audit: { entries: records.length, byOperation, records },
      totalMs: Math.round(performance.now() - started),
    };
  } finally {
    await gateway?.close();
    if (!options.keep) await rm(folder, { recursive: true, force: true });
  }
}

/** Runs `work` over 0..n-1, at most {@link CONCURRENCY} at once. */
async function eachLimited(n: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, lane));
}

async function uploadMany(gateway: DemoGateway, data: DemoData, options: DemoOptions): Promise<DemoResult['uploads']> {
  const { client } = gateway;
  const name = (i: number): string => `objects/${String(i).padStart(5, '0')}.bin`;
  const digests: string[] = [];
  const before = kmsCallsByOperation(await gateway.metrics());
  const started = performance.now();
  let first: { sse: string | undefined; arn: string | undefined; bucketKey: boolean } | undefined;
  await eachLimited(options.objects, async (i) => {
    const body = data.slice(i, 0, options.objectSize);
    digests[i] = sha256(body);
    const out = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: name(i), Body: body, ...SSE_KMS }));
    first ??= { sse: out.ServerSideEncryption, arn: out.SSEKMSKeyId, bucketKey: out.BucketKeyEnabled === true };
  });
  const ms = Math.round(performance.now() - started);
  const after = kmsCallsByOperation(await gateway.metrics());
  const kmsCalls: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) if (n - (before[op] ?? 0) > 0) kmsCalls[op] = n - (before[op] ?? 0);
  let verified = true;
  await eachLimited(options.objects, async (i) => {
    const { bytes } = await getBytes(client, BUCKET, name(i));
    if (sha256(bytes) !== digests[i]) verified = false;
  });
  return {
    objects: options.objects,
    bytes: options.objects * options.objectSize,
    ms,
    serverSideEncryption: first?.sse,
    keyArn: first?.arn,
    bucketKeyEnabled: first?.bucketKey ?? false,
    kmsCalls,
    kmsCallsWithoutBucketKeys: options.objects,
    verified,
  };
}

/** The multipart object is data object number 1,000,000 (its own keystream). */
const MULTIPART_INDEX = 1_000_000;

async function multipartUpload(client: S3Client, data: DemoData): Promise<DemoResult['multipart']> {
  const key = 'multipart/large.bin';
  const total = PARTS.reduce((a, b) => a + b, 0);
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key, ...SSE_KMS }));
  let offset = 0;
  const bounds = PARTS.map((size) => {
    const start = offset;
    offset += size;
    return [start, offset] as const;
  });
  // Parts uploaded concurrently (S3 allows any order); each is its own encrypted message.
  const etags = await Promise.all(
    bounds.map(async ([start, end], i) => {
      const out = await client.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          PartNumber: i + 1,
          Body: data.slice(MULTIPART_INDEX, start, end),
        }),
      );
      return out.ETag;
    }),
  );
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
    }),
  );
  const { bytes } = await getBytes(client, BUCKET, key);
  return {
    key,
    parts: [...PARTS],
    bytes: total,
    verified: bytes.length === total && sha256(bytes) === sha256(data.slice(MULTIPART_INDEX, 0, total)),
  };
}

async function rangeAcrossParts(client: S3Client, data: DemoData, key: string): Promise<DemoResult['range']> {
  // 64 KiB on each side of the boundary between parts 1 and 2.
  const first = (PARTS[0] as number) - 64 * 1024;
  const last = (PARTS[0] as number) + 64 * 1024 - 1;
  const { bytes, contentRange } = await getBytes(client, BUCKET, key, `bytes=${first}-${last}`);
  const spansParts: number[] = [];
  let offset = 0;
  PARTS.forEach((size, i) => {
    if (first < offset + size && last >= offset) spansParts.push(i + 1);
    offset += size;
  });
  return {
    key,
    first,
    last,
    contentRange,
    spansParts,
    matches: bytes.equals(data.slice(MULTIPART_INDEX, first, last + 1)),
  };
}

async function policyRequiringKey(client: S3Client, keyArn: string): Promise<DemoResult['policy']> {
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RequireTheBucketKey',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } },
      },
    ],
  };
  await client.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify(policy) }));
  const refused = await expectRefusal(() =>
    client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'policy/sse-s3.txt',
        Body: 'refused',
        ServerSideEncryption: 'AES256',
      }),
    ),
  );
  const allowed = await client.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'policy/kms.txt',
      Body: 'allowed',
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: keyArn,
    }),
  );
  return { requiredKeyArn: keyArn, refused, allowedStatus: allowed.$metadata.httpStatusCode };
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/**
 * Stores one object alone in a bucket of its own, flips one bit in the middle of the
 * largest stored file of that bucket (the object's ciphertext), and GETs it: the gateway
 * must fail the read rather than return altered bytes.
 */
async function tamperOne(gateway: DemoGateway, data: DemoData): Promise<DemoResult['tamper']> {
  const { client } = gateway;
  const key = 'victim.bin';
  const body = data.slice(2_000_000, 0, 256 * 1024);
  await client.send(new CreateBucketCommand({ Bucket: TAMPER_BUCKET }));
  await client.send(new PutObjectCommand({ Bucket: TAMPER_BUCKET, Key: key, Body: body, ...SSE_KMS }));
  const files = (await filesUnder(gateway.dataDir)).filter(
    (f) =>
      f.includes(TAMPER_BUCKET.replace(/[^A-Za-z0-9_-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)) ||
      f.includes(TAMPER_BUCKET),
  );
  const sizes = await Promise.all(files.map(async (f) => ({ f, size: (await stat(f)).size })));
  const largest = sizes.sort((a, b) => b.size - a.size)[0];
  if (largest === undefined) return { key, refused: false, error: 'the stored object was not found' };
  const handle = await open(largest.f, 'r+');
  try {
    const at = Math.floor(largest.size / 2);
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, at);
    byte[0] = (byte[0] as number) ^ 0x01;
    await handle.write(byte, 0, 1, at);
  } finally {
    await handle.close();
  }
  try {
    const { bytes } = await getBytes(client, TAMPER_BUCKET, key);
    return {
      key,
      refused: false,
      error: bytes.equals(body) ? 'the GET returned the original bytes' : 'the GET returned ALTERED bytes',
    };
  } catch (error) {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    return {
      key,
      refused: true,
      error:
        `${e.$metadata?.httpStatusCode === undefined ? '' : `${e.$metadata.httpStatusCode} `}${e.name ?? 'Error'}: ${e.message ?? ''}`.slice(
          0,
          200,
        ),
    };
  }
}
