import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeEach, describe } from 'vitest';
import { S3BlobStore } from '../../src/storage/s3-blob-store.js';
import { MOTO_S3_CREDENTIALS, S3EmulatorEnv } from '../../../../test/setup/s3-emulator-env.js';
import { backendSuite } from './backend-suite.js';

const endpoint = process.env[S3EmulatorEnv.endpoint];

describe.runIf(endpoint)('S3BlobStore (moto S3)', () => {
  const client = new S3Client({ endpoint: endpoint as string, region: 'us-east-1', forcePathStyle: true, credentials: MOTO_S3_CREDENTIALS });
  let n = 0;
  let current: S3BlobStore | undefined;
  afterAll(() => client.destroy());
  beforeEach(async () => {
    const bucket = `gw-blob-${process.pid}-${Date.now()}-${n++}`;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    // A prefix proves names are stored and listed relative to it.
    current = new S3BlobStore({ bucket, prefix: 'gw/', client });
  });
  backendSuite(() => {
    if (current === undefined) throw new Error('store not opened');
    return current;
  });
});
