// Multipart FULL_OBJECT checksums (CRC32, CRC32C, CRC64NVME) through the gateway with
// @aws-sdk/client-s3 (in-process gateway) and boto3 (spawned gateway), on both backends.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  UploadPartCommand,
  type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumOf } from '../../packages/s3/src/checksums/checksum.js';
import { BACKENDS, startHarness, type Harness } from './support/gateway-harness.js';
import {
  makeSite,
  pythonClientEnv,
  REPO,
  run,
  spawnGateway,
  VENV_PYTHON,
  type GatewaySite,
  type SpawnedGateway,
  requirePythonClients,
} from './support/spawned-gateway.js';

const MiB = 1024 * 1024;
const ALGORITHMS = [
  ['CRC32', 'crc32'],
  ['CRC32C', 'crc32c'],
  ['CRC64NVME', 'crc64nvme'],
] as const;
type Field = 'ChecksumCRC32' | 'ChecksumCRC32C' | 'ChecksumCRC64NVME';

describe.each(BACKENDS)('FULL_OBJECT multipart checksums with @aws-sdk/client-s3 over %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    requirePythonClients();
    h = await startHarness(backend);
    await h.client().send(new CreateBucketCommand({ Bucket: 'full' }));
  }, 60_000);
  afterAll(() => h?.close());

  for (const [name, algorithm] of ALGORITHMS) {
    it(`${name}: parts checksummed by the SDK, the whole-object CRC verified on Complete and returned by HEAD/GET`, async () => {
      const s3 = h.client();
      const field = `Checksum${name}` as Field;
      const parts = [randomBytes(5 * MiB), randomBytes(123_457)];
      const whole = await checksumOf(algorithm, Buffer.concat(parts));
      const key = `full-${algorithm}`;
      const created = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket: 'full',
          Key: key,
          ChecksumAlgorithm: name as ChecksumAlgorithm,
          ChecksumType: 'FULL_OBJECT',
          ServerSideEncryption: 'aws:kms',
        }),
      );
      expect(created.ChecksumType).toBe('FULL_OBJECT');
      const done: { PartNumber: number; ETag: string | undefined }[] = [];
      for (const [i, body] of parts.entries()) {
        const part = await s3.send(
          new UploadPartCommand({
            Bucket: 'full',
            Key: key,
            UploadId: created.UploadId,
            PartNumber: i + 1,
            Body: body,
            ChecksumAlgorithm: name as ChecksumAlgorithm,
          }),
        );
        expect(part[field]).toBe(await checksumOf(algorithm, body));
        done.push({ PartNumber: i + 1, ETag: part.ETag, [field]: part[field] });
      }
      const complete = (value: string) =>
        s3.send(
          new CompleteMultipartUploadCommand({
            Bucket: 'full',
            Key: key,
            UploadId: created.UploadId,
            ChecksumType: 'FULL_OBJECT',
            [field]: value,
            MultipartUpload: { Parts: done },
          }),
        );
      await expect(complete(await checksumOf(algorithm, parts[1] as Buffer))).rejects.toMatchObject({
        name: 'BadDigest',
      });
      const result = await complete(whole);
      expect(result[field]).toBe(whole);
      expect(result.ChecksumType).toBe('FULL_OBJECT');
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'full', Key: key, ChecksumMode: 'ENABLED' }));
      expect(head[field]).toBe(whole);
      expect(head.ChecksumType).toBe('FULL_OBJECT');
      expect(head.ServerSideEncryption).toBe('aws:kms');
      // GET with checksum mode: the SDK validates the full-object CRC against the body it reads.
      const got = await s3.send(new GetObjectCommand({ Bucket: 'full', Key: key, ChecksumMode: 'ENABLED' }));
      expect(got[field]).toBe(whole);
      expect(
        Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(
          Buffer.concat(parts),
        ),
      ).toBe(true);
    }, 60_000);
  }
});

interface BotoCase {
  created: { ChecksumType: string | null; ChecksumAlgorithm: string | null };
  wrong: { code: string; status: number } | null;
  complete: { value: string; type: string };
  head: { value: string; type: string; sse: string };
}

describe.each(BACKENDS)('FULL_OBJECT multipart checksums with boto3 over %s', (backend) => {
  let site: GatewaySite;
  let gw: SpawnedGateway;
  const expected: Record<string, string> = {};
  let report: Record<string, BotoCase>;

  beforeAll(async () => {
    site = await makeSite({ backend });
    gw = await spawnGateway(site.configFile);
    const parts = [randomBytes(5 * MiB), randomBytes(77_777)];
    const paths = parts.map((p, i) => {
      const path = join(site.dir, `part-${i}`);
      writeFileSync(path, p);
      return path;
    });
    const cases = [];
    const wrong: Record<string, string> = {};
    for (const [name, algorithm] of ALGORITHMS) {
      expected[name] = await checksumOf(algorithm, Buffer.concat(parts));
      wrong[name] = await checksumOf(algorithm, parts[0] as Buffer);
      cases.push({ algorithm: name, key: `boto-${algorithm}`, parts: paths, full: expected[name] });
    }
    const work = join(site.dir, 'work.json');
    writeFileSync(work, JSON.stringify({ cases, wrong }));
    const result = await run(
      VENV_PYTHON,
      [join(REPO, 'test/gateway/python/boto3_full_object.py'), gw.url, 'boto-full', work],
      pythonClientEnv(site),
      110_000,
    );
    if (result.code !== 0) throw new Error(`boto3_full_object.py failed (${String(result.code)}): ${result.stderr}`);
    report = JSON.parse(result.stdout) as Record<string, BotoCase>;
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
    site?.remove();
  });

  for (const [name] of ALGORITHMS) {
    it(`${name}: ChecksumType FULL_OBJECT on create, a wrong value refused, the right one stored and returned`, () => {
      const r = report[name] as BotoCase;
      expect(r.created).toEqual({ ChecksumType: 'FULL_OBJECT', ChecksumAlgorithm: name });
      expect(r.wrong).toEqual({ code: 'BadDigest', status: 400 });
      expect(r.complete).toEqual({ value: expected[name], type: 'FULL_OBJECT' });
      expect(r.head).toEqual({ value: expected[name], type: 'FULL_OBJECT', sse: 'aws:kms' });
    });
  }
});
