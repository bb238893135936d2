import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { blobStoreConformance } from '@sealflow/s3/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { MOTO_S3_CREDENTIALS } from '../../../../test/setup/s3-emulator-env.js';
import { requireMotoS3 } from '../../../../test/setup/required-services.js';

// The whole file runs on moto's S3: a missing moto fails it here, at load.
const client = new S3Client({
  endpoint: requireMotoS3(),
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { ...MOTO_S3_CREDENTIALS },
});
afterAll(() => client.destroy());
let n = 0;

async function freshBucket(): Promise<string> {
  const bucket = `gw-blob-${process.pid}-${Date.now()}-${n++}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

describe('S3BlobStore (moto S3)', () => {
  // A prefix proves names are stored and listed relative to it.
  blobStoreConformance('S3BlobStore', {
    create: async () => new S3BlobStore({ bucket: await freshBucket(), prefix: 'gw/', client }),
  });

  it('stores under the prefix only and leaves no multipart upload after a failed large put', async () => {
    const bucket = await freshBucket();
    const store = new S3BlobStore({ bucket, prefix: 'pre/', client });
    await store.put('a', [Buffer.from('x')]);
    async function* failing(): AsyncIterable<Uint8Array> {
      // Over one 8 MiB part, so the upload is a multipart one when it fails.
      for (let i = 0; i < 10; i++) yield Buffer.alloc(1024 * 1024, i);
      throw new Error('client went away');
    }
    await expect(store.put('big', failing())).rejects.toThrow('client went away');
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((c) => c.Key)).toEqual(['pre/a']);
  });
});
