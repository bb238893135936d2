// Stream many "uploads" through one engine with S3 Bucket Keys: one KMS call serves them
// all, and each object still gets its own data key. Run: node examples/dist/bucket-key-upload.js
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createEngine, KmsKeyStore } from '@sealflow/core';
import { MemoryKms } from '@sealflow/keystore-memory';

const kms = new MemoryKms({ region: 'us-east-1', principal: 'arn:aws:iam::111122223333:role/uploader' });
const { KeyMetadata } = await kms.createKey({ Description: 'bucket key' });
const engine = createEngine({
  keyStore: new KmsKeyStore({ client: kms, keyId: KeyMetadata?.Arn as string }),
  bucketKeys: { maxAgeMs: 5 * 60_000 },
});

/** One upload: a body arriving in chunks, sealed as it streams, kept in memory here. */
async function upload(key: string, chunks: readonly string[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      parts.push(chunk);
      done();
    },
  });
  const context = { 'aws:s3:arn': `arn:aws:s3:::photos/${key}` };
  await pipeline(
    Readable.from(chunks.map((c) => Buffer.from(c))),
    engine.encryptStream({ context, bucketKey: true }),
    sink,
  );
  return Buffer.concat(parts);
}

const stored = new Map<string, Uint8Array>();
for (let i = 0; i < 20; i++)
  stored.set(`img-${i}.jpg`, await upload(`img-${i}.jpg`, [`image ${i} `, 'part two ', 'the end']));

const back = await engine.decrypt(stored.get('img-7.jpg') as Uint8Array, {
  expectContext: { 'aws:s3:arn': 'arn:aws:s3:::photos/img-7.jpg' },
});
const generateCalls = kms.auditLog().filter((r) => r.eventName === 'GenerateDataKey').length;
console.log(`img-7.jpg: ${Buffer.from(back.plaintext).toString()}`);
console.log(`20 uploads, ${generateCalls} GenerateDataKey call(s); bucket-key hits ${engine.stats().bucketKeys.hits}`);
await engine.close();
await kms.close();
if (generateCalls !== 1) process.exitCode = 1;
