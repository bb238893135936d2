// The recipe for languages without @sealflow/esdk-keyring, proved with the Python ESDK
// (aws-encryption-sdk, pinned, in .emulators/esdk-python, installed by
// scripts/install-emulators.sh): one KMS Decrypt of the blob `inspect --json` shows (boto3
// against moto), then the stock raw AES master key decrypts a sample of sealflow
// bucket-key messages, one-shot and streaming. The driver is test/interop/python/esdk_reader.py.
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
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
import { requiredTool } from '../setup/required-services.js';

const PYTHON = fileURLToPath(new URL('../../.emulators/esdk-python/bin/python', import.meta.url));
const SCRIPT = fileURLToPath(new URL('../interop/python/esdk_reader.py', import.meta.url));
const SAMPLE = 60;

interface PythonOutput {
  kmsDecrypts: number;
  results: { oneShot: string; streamed: string; context: Record<string, string> }[];
}

function runPython(job: unknown): Promise<PythonOutput> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      requiredTool(PYTHON, 'the Python ESDK', 'scripts/install-emulators.sh'),
      [SCRIPT],
      { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`esdk_reader.py failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as PythonOutput);
      },
    );
    child.stdin?.end(JSON.stringify(job));
  });
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function sample(
  engine: Engine,
): Promise<{ sealed: Uint8Array[]; digests: string[]; contexts: Record<string, string>[] }> {
  const plaintexts = Array.from({ length: SAMPLE }, () => new Uint8Array(randomBytes(randomInt(0, 5000))));
  const contexts = plaintexts.map((_, i) => ({
    'aws:s3:arn': `arn:aws:s3:::bucket/py/${i}`,
    ...(i % 2 === 0 ? { ünïcode: `v${i}`, Tenant: 't' } : {}),
  }));
  const sealed = await Promise.all(
    plaintexts.map((pt, i) =>
      engine.encrypt(pt, {
        context: contexts[i] as Record<string, string>,
        bucketKey: true,
        frameLength: 1024,
        suite: i % 3 === 2 ? 0x0578 : 0x0478,
      }),
    ),
  );
  return { sealed, digests: plaintexts.map(sha256), contexts };
}

/** What `sealflow inspect --json` shows a reader: the blob, the key, the bucket context and the key name. */
function recipeInputs(
  engine: Engine,
  message: Uint8Array,
): { blob: { ciphertext: string; keyId: string; context: Record<string, string> }; keyName: string } {
  const edks = engine.inspect(message).encryptedDataKeys;
  const { inner, bucketContext } = decodeBucketKeyEdk(
    edks.find((e) => e.providerId === BUCKET_KEY_PROVIDER_ID) as (typeof edks)[number],
  );
  const wrapped = edks.find((e) => e.providerId === BUCKET_DATA_KEY_NAMESPACE);
  return {
    blob: {
      ciphertext: Buffer.from(inner.ciphertext).toString('base64'),
      keyId: new TextDecoder().decode(inner.providerInfo),
      context: { ...bucketContext },
    },
    keyName: Buffer.from(wrapped?.providerInfo.subarray(0, 32) ?? []).toString('utf8'),
  };
}

function expectAllRead(out: PythonOutput, digests: string[], contexts: Record<string, string>[]): void {
  expect(out.results).toHaveLength(SAMPLE);
  out.results.forEach((r, i) => {
    expect(r.oneShot).toBe(digests[i]);
    expect(r.streamed).toBe(digests[i]);
    expect(r.context).toMatchObject(contexts[i] as Record<string, string>);
  });
}

describe('the Python ESDK reads bucket-key messages with a raw AES master key and the bucket key', () => {
  it('moto: boto3 KMS Decrypt of the blob once, then aws-encryption-sdk decrypts the sample, one-shot and streaming', async () => {
    const endpoint = emulatorEndpoints.moto;
    const client = new KMSClient(emulatorClientConfig(endpoint, 'us-east-1'));
    try {
      const keyId = (await client.send(new CreateKeyCommand({ Description: 'sealflow python recipe' }))).KeyMetadata
        ?.Arn as string;
      const store: KeyStore = new AwsKmsKeyStore({ client, keyId });
      const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 600_000 } });
      const { sealed, digests, contexts } = await sample(engine);
      const out = await runPython({
        kms: { endpoint, region: 'us-east-1' },
        bucketKey: null,
        ...recipeInputs(engine, sealed[0] as Uint8Array),
        messages: sealed.map((m) => Buffer.from(m).toString('base64')),
      });
      expect(out.kmsDecrypts).toBe(1);
      expectAllRead(out, digests, contexts);
    } finally {
      client.destroy();
    }
  }, 180_000);

  it('the in-process KMS: the bucket key from one Decrypt, handed over; aws-encryption-sdk decrypts the sample', async () => {
    const kms = new MemoryKms();
    const { KeyMetadata } = await kms.createKey({ Description: 'sealflow python recipe' });
    const engine = createEngine({
      keyStore: new KmsKeyStore({ client: kms, keyId: KeyMetadata.Arn }),
      bucketKeys: { maxAgeMs: 600_000 },
    });
    const { sealed, digests, contexts } = await sample(engine);
    const inputs = recipeInputs(engine, sealed[0] as Uint8Array);
    const { Plaintext } = await kms.decrypt({
      CiphertextBlob: Buffer.from(inputs.blob.ciphertext, 'base64'),
      KeyId: inputs.blob.keyId,
      EncryptionContext: inputs.blob.context,
    });
    const out = await runPython({
      kms: null,
      bucketKey: Buffer.from(Plaintext).toString('base64'),
      ...inputs,
      messages: sealed.map((m) => Buffer.from(m).toString('base64')),
    });
    expectAllRead(out, digests, contexts);
  }, 180_000);
});
