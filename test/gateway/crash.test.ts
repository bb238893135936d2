// kill -9 of `sealflow gateway` (fs storage, the KMS file store) during 100 concurrent PUTs
// through @aws-sdk/client-s3, then a restart on the same data dir: every acknowledged
// object reads back identical, and every listed object is one of the complete bodies sent
// (nothing half-written is listed), under SSE-S3, SSE-KMS with the AWS-managed key (made
// lazily during the run) and SSE-KMS with a customer key.
import { createHash, randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSite, sdkClient, spawnGateway, type GatewaySite, type SpawnedGateway } from './support/spawned-gateway.js';

const COUNT = 100;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('sealflow gateway killed with SIGKILL mid-PUT (fs storage)', () => {
  let site: GatewaySite | undefined;
  let gw: SpawnedGateway | undefined;
  afterAll(async () => {
    await gw?.stop('SIGKILL');
    site?.remove();
  });

  it('after a restart every acknowledged object is intact and nothing half-written is listed', async () => {
    site = await makeSite({ backend: 'fs' });
    gw = await spawnGateway(site.configFile);
    const first = sdkClient(site, gw.url, undefined, COUNT);
    await first.send(new CreateBucketCommand({ Bucket: 'crash' }));
    // Sizes from 1 byte to ~600 KiB: several frames for most, one for some.
    const bodies = new Map<string, Buffer>();
    for (let i = 0; i < COUNT; i++) bodies.set(`obj/${String(i).padStart(3, '0')}`, randomBytes(1 + ((i * 6151) % (600 * 1024))));
    const sse = (i: number): Partial<PutObjectCommandInput> =>
      i % 3 === 0 ? {} : i % 3 === 1 ? { ServerSideEncryption: 'aws:kms' } : { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: site?.keyArn, BucketKeyEnabled: true };
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

    gw = await spawnGateway(site.configFile);
    const second = sdkClient(site, gw.url);
    try {
      const listed = new Map<string, number>();
      let token: string | undefined;
      do {
        const page = await second.send(new ListObjectsV2Command({ Bucket: 'crash', ContinuationToken: token }));
        for (const entry of page.Contents ?? []) listed.set(entry.Key as string, entry.Size as number);
        token = page.NextContinuationToken;
      } while (token !== undefined);
      for (const key of acknowledged) expect(listed.has(key), `acknowledged ${key} is listed`).toBe(true);
      // Every listed object (acknowledged or committed just before the kill) is whole.
      for (const [key, size] of listed) {
        const body = bodies.get(key);
        expect(body, `listed ${key} was sent`).toBeDefined();
        expect(size).toBe(body?.length);
        const got = await second.send(new GetObjectCommand({ Bucket: 'crash', Key: key }));
        expect(sha256(await got.Body!.transformToByteArray()), `${key} reads back identical`).toBe(sha256(body as Buffer));
      }
      // The restarted gateway writes on the same data dir, under both keys.
      await second.send(new PutObjectCommand({ Bucket: 'crash', Key: 'after', Body: 'after the crash', ServerSideEncryption: 'aws:kms' }));
      expect(await (await second.send(new GetObjectCommand({ Bucket: 'crash', Key: 'after' }))).Body!.transformToString()).toBe('after the crash');
    } finally {
      second.destroy();
    }
  }, 90_000);
});
