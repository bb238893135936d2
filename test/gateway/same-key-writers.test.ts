// Concurrent writers of one key through the gateway, with readers running alongside, on
// both backends: every read sees one complete body that some writer sent (never a mix,
// never a partial, never a 500), and once the writers are done one complete object has
// won. A range read streaming across windows keeps the object it started on through an
// overwrite.
import { createHash, randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RANGE_WINDOW } from '../../packages/s3/src/objects/object-reader.js';
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
    // A failed write stops the reader too: nothing keeps requesting after the test has failed.
    const written = Promise.all(writes).finally(() => {
      writing = false;
    });
    await Promise.all([written, reader]);
    for (const digest of seen) expect(digests.has(digest)).toBe(true);
    const final = await s3.send(new GetObjectCommand({ Bucket: 'race', Key: 'one' }));
    const winner = sha256(await final.Body!.transformToByteArray());
    expect(digests.has(winner)).toBe(true);
    const index = bodies.findIndex((b) => sha256(b) === winner);
    expect(final.ServerSideEncryption).toBe(index % 2 === 0 ? 'aws:kms' : 'AES256');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'race' }));
    expect(listed.Contents?.map((c) => [c.Key, c.Size])).toEqual([['one', bodies[index]?.length]]);
  });

  it('a range GET streaming across windows returns the object it started on while an overwrite commits', async () => {
    const s3 = h.client();
    // Three 8 MiB range windows: far more than the sockets buffer, so the gateway reads the
    // later windows only after the overwrite below has committed.
    const size = 3 * RANGE_WINDOW + 1000;
    const first = randomBytes(size);
    await s3.send(new PutObjectCommand({ Bucket: 'race', Key: 'ranged', Body: first }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'race', Key: 'ranged', Range: `bytes=1-${size - 1}` }));
    const pieces: Uint8Array[] = [];
    const body = (got.Body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const head = await body.next();
    pieces.push(head.value as Uint8Array);
    await s3.send(new PutObjectCommand({ Bucket: 'race', Key: 'ranged', Body: randomBytes(1000) }));
    for (let next = await body.next(); next.done !== true; next = await body.next()) pieces.push(next.value);
    expect(sha256(Buffer.concat(pieces))).toBe(sha256(first.subarray(1)));
    const now = await s3.send(new GetObjectCommand({ Bucket: 'race', Key: 'ranged' }));
    expect(now.ContentLength).toBe(1000);
  });
});
