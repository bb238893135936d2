// The in-process KMS file serves one gateway process. Two processes over one file would
// each rewrite it with only their own keys: an SSE-KMS object acknowledged through one
// (under the AWS-managed key it made lazily) was unreadable through the other (500) and,
// once the other had saved, after any restart (found by this suite; the gateway now locks
// the file). A second gateway on a held file refuses to start; after a kill -9 the lock is
// stale and the next start takes it over, with every key intact.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSite, sdkClient, spawnGateway, type GatewaySite, type SpawnedGateway } from './support/spawned-gateway.js';

describe('sealflow gateway over the in-process KMS file', () => {
  let site: GatewaySite | undefined;
  const running: SpawnedGateway[] = [];
  afterAll(async () => {
    await Promise.all(running.map((gw) => gw.stop('SIGKILL')));
    site?.remove();
  });

  it('a second process on the same KMS file refuses to start; after a kill -9 a restart takes the file over with its keys', async () => {
    site = await makeSite({ backend: 'fs' });
    const first = await spawnGateway(site.configFile);
    running.push(first);
    const s3 = sdkClient(site, first.url);
    await s3.send(new CreateBucketCommand({ Bucket: 'locked' }));
    // No key named: the AWS-managed key is created now, in this process's KMS.
    const put = await s3.send(new PutObjectCommand({ Bucket: 'locked', Key: 'k', Body: 'under the managed key', ServerSideEncryption: 'aws:kms' }));
    s3.destroy();
    expect(put.SSEKMSKeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);

    // Same storage and KMS file, another port: refused while the first runs.
    const config = JSON.parse(readFileSync(site.configFile, 'utf8')) as Record<string, unknown>;
    const secondFile = join(site.dir, 'second.json');
    writeFileSync(secondFile, JSON.stringify(config));
    const refused = await spawnGateway(secondFile).then(
      (gw) => {
        running.push(gw);
        return 'started';
      },
      (error: Error) => error.message,
    );
    expect(refused).toContain(`is in use by process ${String(first.process.pid)}`);
    expect(refused).toContain('"aws-kms"');

    await first.stop('SIGKILL');
    const second = await spawnGateway(secondFile);
    running.push(second);
    const after = sdkClient(site, second.url);
    try {
      const got = await after.send(new GetObjectCommand({ Bucket: 'locked', Key: 'k' }));
      expect(await got.Body!.transformToString()).toBe('under the managed key');
      expect(got.SSEKMSKeyId).toBe(put.SSEKMSKeyId);
    } finally {
      after.destroy();
    }
  }, 60_000);
});
