// Two gateway processes over one in-process KMS file (and one fs data folder) behave as
// one: the key store file is shared under an inter-process lock with reload-merge
// (@sealflow/keystore-memory), so a key one process makes lazily (the AWS-managed aws/s3
// key) is seen by the other, and no process's save drops another's keys. Before that
// store fix, an object acknowledged through one gateway answered 500 through the other and,
// once the other had saved the file, after any restart.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { makeSite, sdkClient, spawnGateway, type GatewaySite, type SpawnedGateway } from './support/spawned-gateway.js';

const read = async (s3: S3Client, key: string): Promise<{ body: string; keyId: string | undefined }> => {
  const got = await s3.send(new GetObjectCommand({ Bucket: 'shared', Key: key }));
  return { body: await got.Body!.transformToString(), keyId: got.SSEKMSKeyId };
};

describe('two sealflow gateways over one in-process KMS file', () => {
  let site: GatewaySite | undefined;
  const running: SpawnedGateway[] = [];
  const clients: S3Client[] = [];
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await Promise.all(running.map((gw) => gw.stop('SIGKILL')));
    site?.remove();
  });

  it('a key made lazily by one is used by the other, and every acknowledged object survives a kill -9 and restart of both', async () => {
    site = await makeSite({ backend: 'fs' });
    const config = JSON.parse(readFileSync(site.configFile, 'utf8')) as Record<string, unknown>;
    const secondFile = join(site.dir, 'second.json');
    writeFileSync(secondFile, JSON.stringify(config));

    const a = await spawnGateway(site.configFile);
    running.push(a);
    const b = await spawnGateway(secondFile);
    running.push(b);
    const s3a = sdkClient(site, a.url);
    const s3b = sdkClient(site, b.url);
    clients.push(s3a, s3b);

    await s3a.send(new CreateBucketCommand({ Bucket: 'shared' }));
    // No key named: A creates the AWS-managed key now, in the shared file.
    const putA = await s3a.send(
      new PutObjectCommand({
        Bucket: 'shared',
        Key: 'from-a',
        Body: 'written through A',
        ServerSideEncryption: 'aws:kms',
      }),
    );
    expect(putA.SSEKMSKeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
    // B reads it (it must see A's new key) and writes under the same key (no second aws/s3 key).
    expect(await read(s3b, 'from-a')).toEqual({ body: 'written through A', keyId: putA.SSEKMSKeyId });
    const putB = await s3b.send(
      new PutObjectCommand({
        Bucket: 'shared',
        Key: 'from-b',
        Body: 'written through B',
        ServerSideEncryption: 'aws:kms',
      }),
    );
    expect(putB.SSEKMSKeyId).toBe(putA.SSEKMSKeyId);
    expect(await read(s3a, 'from-b')).toEqual({ body: 'written through B', keyId: putA.SSEKMSKeyId });

    // Both die; a fresh process reads everything both acknowledged.
    await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
    const c = await spawnGateway(site.configFile);
    running.push(c);
    const s3c = sdkClient(site, c.url);
    clients.push(s3c);
    expect(await read(s3c, 'from-a')).toEqual({ body: 'written through A', keyId: putA.SSEKMSKeyId });
    expect(await read(s3c, 'from-b')).toEqual({ body: 'written through B', keyId: putA.SSEKMSKeyId });
  }, 90_000);
});
