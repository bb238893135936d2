import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthServer } from '../support/auth-server.js';
import { ACCESS_KEY, PRINCIPAL, REGION, SECRET } from '../support/replay.js';

let server: AuthServer;

function client(options: { secret?: string; clockOffsetMs?: number } = {}): S3Client {
  const c = new S3Client({
    endpoint: server.endpoint,
    region: REGION,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: options.secret ?? SECRET },
  });
  if (options.clockOffsetMs !== undefined) c.config.systemClockOffset = options.clockOffsetMs;
  return c;
}

async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return (e as Error).name;
  }
  return 'accepted';
}

beforeAll(async () => {
  server = await AuthServer.start();
});
afterAll(async () => {
  await server.close();
});

describe('authenticate on a live node:http server, driven by @aws-sdk/client-s3', () => {
  it('accepts a 1 MiB streamed upload (aws-chunked with a crc32 trailer over Transfer-Encoding: chunked)', async () => {
    const data = Buffer.alloc(1 << 20);
    for (let i = 0; i < data.length; i += 1) data[i] = (i * 7) & 0xff;
    const pieces = Array.from({ length: 16 }, (_, i) => data.subarray(i * 65_536, (i + 1) * 65_536));
    await client().send(
      new PutObjectCommand({
        Bucket: 'bucket',
        Key: 'big.bin',
        Body: Readable.from(pieces),
        ContentLength: data.length,
      }),
    );
    const last = server.accepted.at(-1);
    expect(last?.payload).toBe('streaming-unsigned-trailer');
    expect(last?.identity).toMatchObject({ anonymous: false, principal: PRINCIPAL });
    expect(last?.body.equals(data)).toBe(true);
    expect(Object.keys(last?.trailers ?? {})).toEqual(['x-amz-checksum-crc32']);
  });

  it('answers the SDK with SignatureDoesNotMatch for the wrong secret and RequestTimeTooSkewed for a clock 20 minutes off', async () => {
    const put = (c: S3Client) => c.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'k', Body: 'x' }));
    expect(await errorName(put(client({ secret: 'wrong' })))).toBe('SignatureDoesNotMatch');
    expect(await errorName(put(client({ clockOffsetMs: -20 * 60_000 })))).toBe('RequestTimeTooSkewed');
    expect(await errorName(put(client()))).toBe('accepted');
  });
});
