// Run by test/release/packed-install.test.ts against `sealflow gateway` (the embedded
// default) started from the scratch project's installed CLI: a bucket, an SSE-S3 PUT and a
// GET through @aws-sdk/client-s3, with the credentials the gateway wrote on first start
// (SSE-S3: the embedded default is plain HTTP on loopback, where S3 refuses SSE-KMS).
// Usage: node gateway-client.js ENDPOINT DATA_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const [endpoint, dataDir] = process.argv.slice(2);
if (endpoint === undefined || dataDir === undefined) throw new Error('usage: gateway-client ENDPOINT DATA_DIR');
const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as {
  accessKeyId: string;
  secretAccessKey: string;
};
const s3 = new S3Client({
  endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
});
try {
  await s3.send(new CreateBucketCommand({ Bucket: 'packed' }));
  const put = await s3.send(
    new PutObjectCommand({
      Bucket: 'packed',
      Key: 'k',
      Body: 'through the packed gateway',
      ServerSideEncryption: 'AES256',
    }),
  );
  const got = await s3.send(new GetObjectCommand({ Bucket: 'packed', Key: 'k' }));
  console.log(JSON.stringify({ sse: put.ServerSideEncryption, body: await got.Body?.transformToString() }));
} finally {
  s3.destroy();
}
