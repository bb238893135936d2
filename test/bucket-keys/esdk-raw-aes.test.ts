// The ESDK-readable bucket-key layout (2), proved with a stock reader: @aws-crypto/client-node
// 5.0.2 with nothing but its standard raw AES keyring, holding the bucket key that ONE KMS
// Decrypt of the blob in the header returned, reads 1,000 sealflow bucket-key messages of
// random sizes, suites and contexts, one-shot and streaming. Against moto, local-kms (both
// over HTTP, started by test/setup) and the in-process KMS. This is the recipe of
// docs/bucket-keys.md "Reading with a stock ESDK", step by step.
import { createHash, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  buildClient,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import {
  BUCKET_DATA_KEY_NAMESPACE,
  BUCKET_KEY_PROVIDER_ID,
  createEngine,
  decodeBucketKeyEdk,
  KmsKeyStore,
  type Engine,
  type KeyStore,
} from '@sealflow/core';
import { AwsKmsKeyStore } from '@sealflow/keystore-aws-kms';
import { MemoryKms } from '@sealflow/keystore-memory';
import { emulatorClientConfig, emulatorEndpoints } from '../keystore-aws-kms/support/kms-target.js';
import { LOCAL_KMS_REGION } from '../setup/kms-emulator-env.js';

const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const MESSAGES = 1000;

/** One KMS: a key store over it for sealflow, and a bare Decrypt for the reader. */
interface Kms {
  readonly store: KeyStore;
  readonly decrypt: (blob: Uint8Array, keyId: string, context: Readonly<Record<string, string>>) => Promise<Uint8Array>;
  /** KMS Decrypt calls the reader made. */
  readonly decrypts: () => number;
  readonly close: () => void;
}

async function httpKms(endpoint: string, region: string): Promise<Kms> {
  const client = new KMSClient(emulatorClientConfig(endpoint, region));
  const { CreateKeyCommand } = await import('@aws-sdk/client-kms');
  const created = await client.send(new CreateKeyCommand({ Description: 'sealflow bucket-key ESDK recipe' }));
  const keyId = created.KeyMetadata?.Arn as string;
  const store = new AwsKmsKeyStore({ client, keyId });
  let calls = 0;
  return {
    store,
    decrypt: async (blob, key, context) => {
      calls++;
      const out = await client.send(
        new DecryptCommand({ CiphertextBlob: blob, KeyId: key, EncryptionContext: { ...context } }),
      );
      return out.Plaintext as Uint8Array;
    },
    decrypts: () => calls,
    close: () => {
      store.close();
      client.destroy();
    },
  };
}

async function memoryKms(): Promise<Kms> {
  const kms = new MemoryKms();
  const { KeyMetadata } = await kms.createKey({ Description: 'sealflow bucket-key ESDK recipe' });
  let calls = 0;
  return {
    store: new KmsKeyStore({ client: kms, keyId: KeyMetadata.Arn }),
    decrypt: async (blob, key, context) => {
      calls++;
      return (await kms.decrypt({ CiphertextBlob: blob, KeyId: key, EncryptionContext: { ...context } })).Plaintext;
    },
    decrypts: () => calls,
    close: () => {},
  };
}

// Each emulator endpoint is read when its test runs: a missing emulator fails that test.
const targets: [string, () => Promise<Kms>][] = [
  ['moto', () => httpKms(emulatorEndpoints.moto, 'us-east-1')],
  ['local-kms', () => httpKms(emulatorEndpoints.localKms, LOCAL_KMS_REGION)],
  ['the in-process KMS', memoryKms],
];

/** A random object context: the S3 ARN plus 0-3 pairs, some outside ASCII. */
function randomContext(i: number): Record<string, string> {
  const context: Record<string, string> = {
    'aws:s3:arn': `arn:aws:s3:::photos/${i}-${randomBytes(4).toString('hex')}.jpg`,
  };
  const extras = ['owner', 'Tenant', 'zürich', 'ärger', 'x-amz-meta'];
  for (let n = randomInt(4); n > 0; n--)
    context[extras[randomInt(extras.length)] as string] = randomBytes(randomInt(1, 12)).toString('base64');
  return context;
}

async function writeMessages(engine: Engine): Promise<{ sealed: Uint8Array[]; plaintexts: Uint8Array[] }> {
  const plaintexts = Array.from({ length: MESSAGES }, () => new Uint8Array(randomBytes(randomInt(0, 4000))));
  const sealed = await Promise.all(
    plaintexts.map((pt, i) =>
      engine.encrypt(pt, {
        context: randomContext(i),
        bucketKey: true,
        frameLength: 1024,
        suite: i % 4 === 3 ? 0x0578 : 0x0478,
      }),
    ),
  );
  return { sealed, plaintexts };
}

/** The reader's one key-store call: the bucket key from the blob in the first message's header. */
async function bucketKeyFromHeader(
  engine: Engine,
  message: Uint8Array,
  kms: Kms,
): Promise<{ key: Uint8Array; name: string }> {
  const edks = engine.inspect(message).encryptedDataKeys;
  const blob = decodeBucketKeyEdk(edks.find((e) => e.providerId === BUCKET_KEY_PROVIDER_ID) as (typeof edks)[number]);
  expect(blob.layout).toBe(2);
  expect(blob.inner.providerId).toBe('aws-kms');
  const key = await kms.decrypt(
    blob.inner.ciphertext,
    new TextDecoder().decode(blob.inner.providerInfo),
    blob.bucketContext,
  );
  const wrapped = edks.find((e) => e.providerId === BUCKET_DATA_KEY_NAMESPACE);
  // Key name = the first 32 bytes of the wrapped data key's provider info; it is the
  // documented fingerprint of the bucket key (checked here with node:crypto).
  const name = Buffer.from(wrapped?.providerInfo.subarray(0, 32) ?? []).toString('utf8');
  expect(name).toBe(
    Buffer.from(hkdfSync('sha512', key, new Uint8Array(0), 'sealflow bucket-key name v2', 16)).toString('hex'),
  );
  return { key, name };
}

async function streamDecrypt(keyring: RawAesKeyringNode, message: Uint8Array): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // 700-byte writes: the stream sees partial headers, frames and footers.
  const pieces = Array.from({ length: Math.ceil(message.length / 700) }, (_, i) =>
    Buffer.from(message.subarray(i * 700, (i + 1) * 700)),
  );
  for await (const chunk of Readable.from(pieces).pipe(esdk.decryptStream(keyring))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('a stock ESDK reads bucket-key messages with its raw AES keyring and the bucket key', () => {
  for (const [name, make] of targets) {
    it(`${name}: one KMS Decrypt of the header's blob, then client-node's raw AES keyring decrypts ${MESSAGES} messages, one-shot and streaming`, async () => {
      const kms = await make();
      try {
        const engine = createEngine({ keyStore: kms.store, bucketKeys: { maxAgeMs: 600_000 } });
        const { sealed, plaintexts } = await writeMessages(engine);
        expect(engine.stats().keyStoreCalls.generate).toBe(1);
        const { key, name: keyName } = await bucketKeyFromHeader(engine, sealed[0] as Uint8Array, kms);
        const keyring = new RawAesKeyringNode({
          keyNamespace: BUCKET_DATA_KEY_NAMESPACE,
          keyName,
          // client-node wants a buffer of its own ("isolated"): a copy.
          unencryptedMasterKey: new Uint8Array(key),
          wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
          utf8Sorting: true,
        });
        const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
        const check = async (i: number): Promise<void> => {
          const message = sealed[i] as Uint8Array;
          const expected = digest(plaintexts[i] as Uint8Array);
          const oneShot = await esdk.decrypt(keyring, message);
          expect(digest(oneShot.plaintext)).toBe(expected);
          expect(oneShot.messageHeader.encryptionContext).toMatchObject(engine.inspect(message).context);
          expect(digest(await streamDecrypt(keyring, message))).toBe(expected);
        };
        for (let i = 0; i < MESSAGES; i += 25)
          await Promise.all(Array.from({ length: Math.min(25, MESSAGES - i) }, (_, j) => check(i + j)));
        expect(kms.decrypts()).toBe(1);
        await engine.close();
      } finally {
        kms.close();
      }
    }, 120_000);
  }
});
