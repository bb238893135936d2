// CreateBucket of a bucket that already exists, as Amazon S3 answers it by region: in
// us-east-1 re-creating your own bucket is 200 (legacy), elsewhere 409 BucketAlreadyOwnedByYou;
// a bucket another account owns is 409 BucketAlreadyExists everywhere.
import { Agent } from 'node:https';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BACKENDS, BOB, startHarness, type Harness } from './support/gateway-harness.js';

async function failure(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { name: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error('expected an S3 error');
}

describe.each(BACKENDS)('gateway over %s: CreateBucket of an existing bucket', (backend) => {
  let east: Harness;
  let west: Harness;
  const clients: S3Client[] = [];
  const westClient = (credentials: { accessKeyId: string; secretAccessKey: string }): S3Client => {
    const client = new S3Client({
      endpoint: west.gateway.url,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { ...credentials },
      requestHandler: { httpsAgent: new Agent({ ca: west.ca as string }) },
      maxAttempts: 1,
    });
    clients.push(client);
    return client;
  };
  beforeAll(async () => {
    east = await startHarness(backend);
    west = await startHarness(backend, { region: 'eu-west-1' });
  });
  afterAll(async () => {
    clients.forEach((c) => c.destroy());
    await east?.close();
    await west?.close();
  });

  it('us-east-1: re-creating your own bucket answers 200 and keeps its objects; another owner gets 409', async () => {
    const s3 = east.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'again-east' }));
    await s3.send(new PutObjectCommand({ Bucket: 'again-east', Key: 'k', Body: 'still here' }));
    const again = await s3.send(new CreateBucketCommand({ Bucket: 'again-east' }));
    expect(again.$metadata.httpStatusCode).toBe(200);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'again-east', Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('still here');
    expect(await failure(east.client(BOB).send(new CreateBucketCommand({ Bucket: 'again-east' })))).toEqual({
      name: 'BucketAlreadyExists',
      status: 409,
    });
  });

  it('eu-west-1: re-creating your own bucket is 409 BucketAlreadyOwnedByYou; another owner BucketAlreadyExists', async () => {
    const s3 = westClient(ALICE);
    await s3.send(
      new CreateBucketCommand({ Bucket: 'again-west', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }),
    );
    expect(
      await failure(
        s3.send(
          new CreateBucketCommand({
            Bucket: 'again-west',
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        ),
      ),
    ).toEqual({ name: 'BucketAlreadyOwnedByYou', status: 409 });
    expect(
      await failure(
        westClient(BOB).send(
          new CreateBucketCommand({
            Bucket: 'again-west',
            CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
          }),
        ),
      ),
    ).toEqual({ name: 'BucketAlreadyExists', status: 409 });
  });
});
