import { createHash } from 'node:crypto';
import { request } from 'node:https';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CrossCheckError, type CrossCheckFailure } from '../cross-check.js';
import type { CrossCheckRecord } from '../results.js';

/** One S3 server the suite drives with the same @aws-sdk/client-s3 configuration. */
export interface S3Contestant {
  readonly name: string;
  readonly client: S3Client;
  readonly bucket: string;
  /** Extra PutObject fields (the gateway: SSE-KMS, with or without a bucket key). */
  readonly putExtras: Partial<PutObjectCommandInput>;
}

/** A PUT body: bytes, or a fresh stream of `length` bytes. */
export type Body = Uint8Array | { readonly length: number; readonly stream: () => Readable };

export async function createBucket(c: S3Contestant): Promise<void> {
  await c.client.send(new CreateBucketCommand({ Bucket: c.bucket }));
}

export async function putObject(c: S3Contestant, key: string, body: Body): Promise<void> {
  const input =
    body instanceof Uint8Array
      ? { Body: body, ContentLength: body.length }
      : { Body: body.stream(), ContentLength: body.length };
  await c.client.send(new PutObjectCommand({ Bucket: c.bucket, Key: key, ...input, ...c.putExtras }));
}

/** GETs `key` and drains the body: its length and, when asked, its SHA-256 (hex). */
export async function getObject(
  c: S3Contestant,
  key: string,
  hash = false,
): Promise<{ bytes: number; sha256: string | undefined }> {
  const response = await c.client.send(new GetObjectCommand({ Bucket: c.bucket, Key: key }));
  const digest = hash ? createHash('sha256') : undefined;
  let bytes = 0;
  for await (const chunk of response.Body as Readable) {
    bytes += (chunk as Uint8Array).length;
    digest?.update(chunk as Uint8Array);
  }
  return { bytes, sha256: digest?.digest('hex') };
}

/** The object's size as HEAD reports it. */
export async function headSize(c: S3Contestant, key: string): Promise<number | undefined> {
  return (await c.client.send(new HeadObjectCommand({ Bucket: c.bucket, Key: key }))).ContentLength;
}

export async function deleteObject(c: S3Contestant, key: string): Promise<void> {
  await c.client.send(new DeleteObjectCommand({ Bucket: c.bucket, Key: key }));
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Before anything is timed: every contestant stores `plaintext` and must give back exactly
 * those bytes (length and SHA-256), so the suite never times a server that loses or alters data.
 * @throws {CrossCheckError} naming every contestant that failed and how.
 */
export async function crossCheckS3(
  workload: string,
  contestants: readonly S3Contestant[],
  plaintext: Uint8Array,
): Promise<CrossCheckRecord> {
  const expected = createHash('sha256').update(plaintext).digest('hex');
  const failures: CrossCheckFailure[] = [];
  const key = `cross-check-${plaintext.length}`;
  for (const contestant of contestants) {
    try {
      await putObject(contestant, key, plaintext);
      const got = await getObject(contestant, key, true);
      if (got.bytes !== plaintext.length || got.sha256 !== expected) {
        failures.push({
          producer: contestant.name,
          consumer: contestant.name,
          reason: `GET returned ${got.bytes} bytes that differ from the ${plaintext.length} bytes PUT`,
        });
      }
      await deleteObject(contestant, key);
    } catch (error) {
      failures.push({
        producer: contestant.name,
        consumer: contestant.name,
        reason: `round trip failed: ${describe(error)}`,
      });
    }
  }
  if (failures.length > 0) throw new CrossCheckError(workload, failures);
  return { workload, contestants: contestants.map((c) => c.name), pairs: contestants.length, identicalToSealflow: [] };
}

/** `sealflow_gateway_kms_calls_total` by KMS operation (`GenerateDataKey`, `Decrypt`, ...) in a Prometheus text exposition. */
export function kmsCallsByOperation(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^sealflow_gateway_kms_calls_total(?:\{(?:[^}]*,)?operation="([^"]*)"[^}]*\})?\s+([0-9.eE+-]+)$/.exec(
      line.trim(),
    );
    if (match?.[2] === undefined) continue;
    const operation = match[1] ?? 'all';
    out[operation] = (out[operation] ?? 0) + Number(match[2]);
  }
  return out;
}

/** The sum of `sealflow_gateway_kms_calls_total` over every KMS operation. */
export function kmsCallsFromMetrics(text: string): number {
  return Object.values(kmsCallsByOperation(text)).reduce((a, b) => a + b, 0);
}

/** `after - before`, per operation (operations that did not move are left out). */
export function kmsCallsDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [operation, n] of Object.entries(after))
    if (n - (before[operation] ?? 0) !== 0) out[operation] = n - (before[operation] ?? 0);
  return out;
}

/** GET `<url>/metrics` (unsigned, as Prometheus scrapes it) over TLS trusting `ca`. */
export function fetchMetrics(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(new URL('/metrics', url), { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /metrics: ${res.statusCode}`)),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
