// Compiled (TypeScript strict) and run by test/release/packed-install.test.ts in a scratch
// project whose @sealflow/* packages are the packed tarballs, installed with plain npm. It
// touches every published entry point, so a missing file, export or type fails the compile
// or the run; then it does a one-shot and a streamed round trip under the in-process KMS.
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExitCodes } from '@sealflow/cli';
import {
  createEngine,
  KmsKeyStore,
  RawAesKeyStore,
  SealflowError,
  type DecryptedHeader,
  type Engine,
} from '@sealflow/core';
import { parseHeader } from '@sealflow/core/codecs';
import { FrameEncryptor } from '@sealflow/core/frames';
import { timeKeyStoreCall } from '@sealflow/core/keystore-kit';
import { readOptions } from '@sealflow/core/validate';
import { SealflowKeyringNode } from '@sealflow/esdk-keyring';
import { startGateway, type RunningGateway } from '@sealflow/gateway';
import { AwsKmsKeyStore } from '@sealflow/keystore-aws-kms';
import { MemoryKms } from '@sealflow/keystore-memory';
import { createXksProxy, XksKeyStore } from '@sealflow/keystore-xks';
import { FramePool } from '@sealflow/parallel';
import { S3Service } from '@sealflow/s3';

const values: Record<string, unknown> = {
  ExitCodes,
  RawAesKeyStore,
  parseHeader,
  FrameEncryptor,
  timeKeyStoreCall,
  readOptions,
  SealflowKeyringNode,
  startGateway,
  AwsKmsKeyStore,
  createXksProxy,
  XksKeyStore,
  FramePool,
  S3Service,
};
const missing = Object.entries(values).filter(([, value]) => value === undefined);
if (missing.length > 0) throw new Error(`undefined exports: ${missing.map(([name]) => name).join(', ')}`);
const gatewayType: RunningGateway | undefined = undefined;
void gatewayType;

const kms = new MemoryKms({ region: 'us-east-1', principal: 'arn:aws:iam::111122223333:root' });
const { KeyMetadata } = await kms.createKey({ Description: 'packed-install' });
const engine: Engine = createEngine({ keyStore: new KmsKeyStore({ client: kms, keyId: KeyMetadata?.Arn as string }) });
const context = { purpose: 'packed-install' };
const plaintext = new TextEncoder().encode('sealflow from the tarballs '.repeat(10_000));

const sealed = await engine.encrypt(plaintext, { context, frameLength: 4096 });
const opened = await engine.decrypt(sealed, { expectContext: context });
const oneShot = Buffer.from(opened.plaintext).equals(Buffer.from(plaintext));

let header: DecryptedHeader | undefined;
const decrypt = engine.decryptStream().once('header', (h) => (header = h));
const chunks: Uint8Array[] = [];
await pipeline(Readable.from([plaintext]), engine.encryptStream({ context }), decrypt, async function* (source) {
  for await (const chunk of source as AsyncIterable<Uint8Array>) chunks.push(chunk);
  yield* [];
});
const streamed = Buffer.concat(chunks).equals(Buffer.from(plaintext));

let refused = false;
try {
  await engine.decrypt(sealed, { expectContext: { purpose: 'other' } });
} catch (error) {
  refused = error instanceof SealflowError;
}
await engine.close();
console.log(
  JSON.stringify({ oneShot, streamed, headerContext: header?.context ?? null, refused, sealedBytes: sealed.length }),
);
