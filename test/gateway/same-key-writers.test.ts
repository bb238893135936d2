// Concurrent writers of one key through the gateway, with readers running alongside, on
// both backends: every read sees one complete body that some writer sent (never a mix,
// never a partial), and once the writers are done one complete object has won.
import { createHash, randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, startHarness, type Harness } from './support/gateway-harness.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe.each(BACKENDS)('gateway over %s: concurrent writers of one key', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend);
    await h.client().send(new CreateBucketCommand({ Bucket: 'race' }));
  });
  afterAll(async () => h?.close());

  it('readers only ever see a whole body some writer sent; one complete object wins', async () => {
    const s3 = h.client();
    const bodies = Array.from({ length: 12 }, (_, i) => randomBytes(150_000 + i * 20_000));
    const digests = new Set(bodies.map(sha256));
    // Half the writers SSE-KMS, half SSE-S3: the winner's record and body must match.
    const writes = bodies.map((Body, i) =>
      s3.send(
        new PutObjectCommand({
          Bucket: 'race',
          Key: 'one',
          Body,
          ...(i % 2 === 0 ? { ServerSideEncryption: 'aws:kms' as const } : {}),
        }),
      ),
    );
    let writing = true;
    const seen: string[] = [];
    const reader = (async () => {
      while (writing) {
        try {
          const got = await s3.send(new GetObjectCommand({ Bucket: 'race', Key: 'one' }));
          seen.push(sha256(await got.Body!.transformToByteArray()));
        } catch (error) {
          // Before the first commit the key does not exist yet.
          if (!(error instanceof S3ServiceException && error.name === 'NoSuchKey')) throw error;
        }
      }
    })();
    await Promise.all(writes);
    writing = false;
    await reader;
    for (const digest of seen) expect(digests.has(digest)).toBe(true);
    const final = await s3.send(new GetObjectCommand({ Bucket: 'race', Key: 'one' }));
    const winner = sha256(await final.Body!.transformToByteArray());
    expect(digests.has(winner)).toBe(true);
    const index = bodies.findIndex((b) => sha256(b) === winner);
    expect(final.ServerSideEncryption).toBe(index % 2 === 0 ? 'aws:kms' : 'AES256');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'race' }));
    expect(listed.Contents?.map((c) => [c.Key, c.Size])).toEqual([['one', bodies[index]?.length]]);
  });
});
