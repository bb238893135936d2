// kill -9 of `sealflow gateway` (the KMS file store; fs, and s3 over moto) during 100 concurrent PUTs
// through @aws-sdk/client-s3, then a restart on the same data dir: every acknowledged
// object reads back identical, and every listed object is one of the complete bodies sent
// (nothing half-written is listed), under SSE-S3, SSE-KMS with the AWS-managed key (made
// lazily during the run) and SSE-KMS with a customer key.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type PutObjectCommandInput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from './support/gateway-harness.js';
import { makeSite, sdkClient, spawnGateway, type GatewaySite, type SpawnedGateway } from './support/spawned-gateway.js';

const COUNT = 100;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function listAll(s3: S3Client, bucket: string): Promise<Map<string, number>> {
  const listed = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const entry of page.Contents ?? []) listed.set(entry.Key as string, entry.Size as number);
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return listed;
}

describe('sealflow gateway killed with SIGKILL mid-PUT', () => {
  let site: GatewaySite | undefined;
  let gw: SpawnedGateway | undefined;
  afterAll(async () => {
    await gw?.stop('SIGKILL');
    site?.remove();
  });

  it.each(BACKENDS)(
    'over %s: after a restart every acknowledged object is intact and nothing half-written is listed',
    async (backend) => {
      await gw?.stop('SIGKILL');
      site?.remove();
      site = await makeSite({ backend });
      gw = await spawnGateway(site.configFile);
      const first = sdkClient(site, gw.url, undefined, COUNT);
      await first.send(new CreateBucketCommand({ Bucket: 'crash' }));
      // Sizes from 1 byte to ~600 KiB: several frames for most, one for some.
      const bodies = new Map<string, Buffer>();
      for (let i = 0; i < COUNT; i++)
        bodies.set(`obj/${String(i).padStart(3, '0')}`, randomBytes(1 + ((i * 6151) % (600 * 1024))));
      const sse = (i: number): Partial<PutObjectCommandInput> =>
        i % 3 === 0
          ? {}
          : i % 3 === 1
            ? { ServerSideEncryption: 'aws:kms' }
            : { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: site?.keyArn, BucketKeyEnabled: true };
      const acknowledged = new Set<string>();
      let killed = false;
      const running = gw;
      const puts = [...bodies.entries()].map(([key, body], i) =>
        first.send(new PutObjectCommand({ Bucket: 'crash', Key: key, Body: body, ...sse(i) })).then(
          () => {
            // An answer that raced the kill still counts: the gateway acknowledged it.
            acknowledged.add(key);
            if (acknowledged.size >= 15 && !killed) {
              killed = true;
              running.process.kill('SIGKILL');
            }
          },
          () => undefined,
        ),
      );
      await Promise.all(puts);
      await running.stop('SIGKILL');
      first.destroy();
      expect(killed).toBe(true);
      // The kill landed mid-run: some PUTs were never acknowledged.
      expect(acknowledged.size).toBeLessThan(COUNT);

      const temps = join(site.dir, 'data', '.tmp');
      gw = await spawnGateway(site.configFile);
      // fs: the temp files the kill left behind are gone once the store reopens.
      if (backend === 'fs') expect(existsSync(temps) ? readdirSync(temps) : []).toEqual([]);
      const second = sdkClient(site, gw.url);
      try {
        const listed = await listAll(second, 'crash');
        for (const key of acknowledged) expect(listed.has(key), `acknowledged ${key} is listed`).toBe(true);
        // Every listed object (acknowledged or committed just before the kill) is whole.
        for (const [key, size] of listed) {
          const body = bodies.get(key);
          expect(body, `listed ${key} was sent`).toBeDefined();
          expect(size).toBe(body?.length);
          const got = await second.send(new GetObjectCommand({ Bucket: 'crash', Key: key }));
          expect(sha256(await got.Body!.transformToByteArray()), `${key} reads back identical`).toBe(
            sha256(body as Buffer),
          );
        }
        // The restarted gateway writes on the same data dir, under both keys.
        await second.send(
          new PutObjectCommand({
            Bucket: 'crash',
            Key: 'after',
            Body: 'after the crash',
            ServerSideEncryption: 'aws:kms',
          }),
        );
        expect(
          await (await second.send(new GetObjectCommand({ Bucket: 'crash', Key: 'after' }))).Body!.transformToString(),
        ).toBe('after the crash');
      } finally {
        second.destroy();
      }
    },
    90_000,
  );

  it('a kill during re-keys (CopyObject onto itself) and CompleteMultipartUpload loses no object and lists no partial one', async () => {
    await gw?.stop();
    site?.remove();
    site = await makeSite({ backend: 'fs' });
    gw = await spawnGateway(site.configFile);
    const first = sdkClient(site, gw.url, undefined, 60);
    await first.send(new CreateBucketCommand({ Bucket: 'rekey' }));
    const objects = new Map<string, Buffer>();
    for (let i = 0; i < 40; i++) objects.set(`obj/${i}`, randomBytes(1000 + i * 5000));
    await Promise.all(
      [...objects].map(([key, body]) => first.send(new PutObjectCommand({ Bucket: 'rekey', Key: key, Body: body }))),
    );
    // Five multipart uploads with both parts in, waiting for their Complete.
    const uploads: { key: string; body: Buffer; uploadId: string; parts: { PartNumber: number; ETag: string }[] }[] =
      [];
    for (let i = 0; i < 5; i++) {
      const key = `mp/${i}`;
      const parts = [randomBytes(5 * 1024 * 1024), randomBytes(777 + i)];
      const { UploadId } = await first.send(
        new CreateMultipartUploadCommand({
          Bucket: 'rekey',
          Key: key,
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: site.keyArn,
        }),
      );
      const etags = await Promise.all(
        parts.map((Body, n) =>
          first.send(new UploadPartCommand({ Bucket: 'rekey', Key: key, UploadId, PartNumber: n + 1, Body })),
        ),
      );
      uploads.push({
        key,
        body: Buffer.concat(parts),
        uploadId: UploadId as string,
        parts: etags.map((e, n) => ({ PartNumber: n + 1, ETag: e.ETag as string })),
      });
    }
    const acknowledged = new Set<string>();
    let killed = false;
    const running = gw;
    const ack = (key: string) => () => {
      acknowledged.add(key);
      if (acknowledged.size >= 8 && !killed) {
        killed = true;
        running.process.kill('SIGKILL');
      }
    };
    const work = [
      ...[...objects.keys()].map((key) =>
        first
          .send(
            new CopyObjectCommand({
              Bucket: 'rekey',
              Key: key,
              CopySource: `rekey/${key}`,
              ServerSideEncryption: 'aws:kms',
              SSEKMSKeyId: site?.keyArn,
            }),
          )
          .then(ack(key), () => undefined),
      ),
      ...uploads.map((u) =>
        first
          .send(
            new CompleteMultipartUploadCommand({
              Bucket: 'rekey',
              Key: u.key,
              UploadId: u.uploadId,
              MultipartUpload: { Parts: u.parts },
            }),
          )
          .then(ack(u.key), () => undefined),
      ),
    ];
    await Promise.all(work);
    await running.stop('SIGKILL');
    first.destroy();
    expect(killed).toBe(true);
    expect(acknowledged.size).toBeLessThan(objects.size + uploads.length);

    gw = await spawnGateway(site.configFile);
    const second = sdkClient(site, gw.url);
    try {
      const listed = await listAll(second, 'rekey');
      // Every object that existed before still does, whole, re-keyed or not.
      for (const [key, body] of objects) {
        expect(listed.get(key), `${key} still listed`).toBe(body.length);
        const got = await second.send(new GetObjectCommand({ Bucket: 'rekey', Key: key }));
        expect(sha256(await got.Body!.transformToByteArray()), `${key} intact`).toBe(sha256(body));
        if (acknowledged.has(key)) expect(got.SSEKMSKeyId, `${key} acknowledged re-key kept`).toBe(site.keyArn);
      }
      for (const u of uploads) {
        if (acknowledged.has(u.key)) expect(listed.has(u.key), `${u.key} acknowledged`).toBe(true);
        if (!listed.has(u.key)) continue;
        expect(listed.get(u.key)).toBe(u.body.length);
        const got = await second.send(new GetObjectCommand({ Bucket: 'rekey', Key: u.key }));
        expect(sha256(await got.Body!.transformToByteArray()), `${u.key} whole`).toBe(sha256(u.body));
      }
      expect([...listed.keys()].every((key) => objects.has(key) || uploads.some((u) => u.key === key))).toBe(true);
      expect((await second.send(new HeadObjectCommand({ Bucket: 'rekey', Key: 'obj/0' }))).ContentLength).toBe(1000);
    } finally {
      second.destroy();
    }
  }, 90_000);
});
