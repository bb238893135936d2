// @sealflow/esdk-keyring in a stock client-node 5.0.2: `client.decrypt(keyring, bytes)`
// and `decryptStream(keyring)` open bucket-key messages (layout 2) and XKS messages with
// no manual step, through a KMS client, an XKS proxy or a raw key. Bucket keys are
// unwrapped once per window and wiped.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { Readable } from 'node:stream';
import { buildClient, CommitmentPolicy } from '@aws-crypto/client-node';
import { describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes, KeyStoreError, KmsKeyStore, type Engine } from '@sealflow/core';
import { SealflowKeyringNode } from '@sealflow/esdk-keyring';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AwsKmsKeyStore } from '@sealflow/keystore-aws-kms';
import { XKS_PROVIDER_ID } from '@sealflow/keystore-xks';
import { emulatorClientConfig, emulatorEndpoints } from '../keystore-aws-kms/support/kms-target.js';
import { audited, kmsWithKey } from '../bucket-keys/support.js';
import { CONTEXT, rawStore, xksPerTest } from '../keystore-xks/support/xks-setup.js';

const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const { rig, store: xksStore } = xksPerTest();
const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function streamed(keyring: SealflowKeyringNode, message: Uint8Array): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const pieces = Array.from({ length: Math.ceil(message.length / 500) }, (_, i) =>
    Buffer.from(message.subarray(i * 500, (i + 1) * 500)),
  );
  for await (const chunk of Readable.from(pieces).pipe(esdk.decryptStream(keyring))) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sealMany(engine: Engine, count: number): Promise<{ sealed: Uint8Array[]; digests: string[] }> {
  const plaintexts = Array.from({ length: count }, () => new Uint8Array(randomBytes(randomInt(0, 3000))));
  const sealed = await Promise.all(
    plaintexts.map((pt, i) =>
      engine.encrypt(pt, {
        context: { 'aws:s3:arn': `arn:aws:s3:::bucket/${i}`, ...(i % 3 === 0 ? { größe: String(pt.length) } : {}) },
        bucketKey: true,
        frameLength: 1024,
        suite: i % 5 === 4 ? 0x0578 : 0x0478,
      }),
    ),
  );
  return { sealed, digests: plaintexts.map(digest) };
}

describe('SealflowKeyringNode in client-node', () => {
  it('opens 1,000 bucket-key messages through a KMS client with one KMS Decrypt, one-shot and streaming', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const engine = createEngine({
      keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }),
      bucketKeys: { maxAgeMs: 600_000 },
    });
    const { sealed, digests } = await sealMany(engine, 1000);
    const keyring = new SealflowKeyringNode({ keyStores: new KmsKeyStore({ client: kms, keyId: keyArn }) });
    for (let i = 0; i < sealed.length; i += 25) {
      await Promise.all(
        sealed.slice(i, i + 25).map(async (message, j) => {
          const expected = digests[i + j];
          expect(digest((await esdk.decrypt(keyring, message)).plaintext)).toBe(expected);
          expect(digest(await streamed(keyring, message))).toBe(expected);
        }),
      );
    }
    expect(audited(kms, 'Decrypt')).toHaveLength(1);
    expect(keyring.stats()).toMatchObject({ bucketKeyUnwraps: 1, bucketKeys: 1 });
    keyring.close();
    expect(keyring.stats().bucketKeys).toBe(0);
  }, 120_000);

  it('opens bucket-key messages through an AWS SDK KMS client (moto over HTTP) with one KMS Decrypt', async () => {
    const client = new KMSClient(emulatorClientConfig(emulatorEndpoints.moto, 'us-east-1'));
    const store = new AwsKmsKeyStore({
      client,
      keyId: (await client.send(new CreateKeyCommand({}))).KeyMetadata?.Arn as string,
    });
    try {
      const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } });
      const { sealed, digests } = await sealMany(engine, 100);
      const decrypts: string[] = [];
      client.middlewareStack.add(
        (next, context) => async (args) => {
          decrypts.push(String(context.commandName));
          return next(args);
        },
        { step: 'initialize', name: 'countDecrypts' },
      );
      const keyring = new SealflowKeyringNode({ keyStores: store });
      for (const [i, message] of sealed.entries())
        expect(digest((await esdk.decrypt(keyring, message)).plaintext)).toBe(digests[i]);
      expect(decrypts).toEqual(['DecryptCommand']);
      keyring.close();
    } finally {
      store.close();
      client.destroy();
    }
  });

  it('opens XKS messages, plain and bucket-key, through the XKS proxy', async () => {
    const { url } = await rig();
    const store = xksStore(url);
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } });
    const plain = await engine.encrypt(new TextEncoder().encode('xks plain'), { context: CONTEXT });
    expect(engine.inspect(plain).encryptedDataKeys.map((e) => e.providerId)).toEqual([XKS_PROVIDER_ID]);
    const bucket = await engine.encrypt(new TextEncoder().encode('xks bucket'), {
      context: CONTEXT,
      bucketKey: true,
      suite: 0x0578,
    });
    const keyring = new SealflowKeyringNode({ keyStores: [xksStore(url)] });
    expect(Buffer.from((await esdk.decrypt(keyring, plain)).plaintext).toString()).toBe('xks plain');
    expect(Buffer.from((await esdk.decrypt(keyring, bucket)).plaintext).toString()).toBe('xks bucket');
    expect((await streamed(keyring, bucket)).toString()).toBe('xks bucket');
    expect(keyring.stats()).toMatchObject({ bucketKeyUnwraps: 1, bucketKeyHits: 1 });
    keyring.close();
  });

  it('opens bucket-key messages under a raw key', async () => {
    const key = new Uint8Array(randomBytes(32));
    const engine = createEngine({ keyStore: rawStore(key), bucketKeys: { maxAgeMs: 60_000 } });
    const sealed = await engine.encrypt(new TextEncoder().encode('raw'), { context: CONTEXT, bucketKey: true });
    const keyring = new SealflowKeyringNode({ keyStores: [rawStore(key)] });
    expect(Buffer.from((await esdk.decrypt(keyring, sealed)).plaintext).toString()).toBe('raw');
  });

  it('unwraps a bucket key again once maxAgeMs has passed, and wipes the old one', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const engine = createEngine({
      keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }),
      bucketKeys: { maxAgeMs: 600_000 },
    });
    const { sealed } = await sealMany(engine, 3);
    let now = 0;
    const keyring = new SealflowKeyringNode({
      keyStores: new KmsKeyStore({ client: kms, keyId: keyArn }),
      maxAgeMs: 1000,
      now: () => now,
    });
    await esdk.decrypt(keyring, sealed[0] as Uint8Array);
    now = 999;
    await esdk.decrypt(keyring, sealed[1] as Uint8Array);
    expect(audited(kms, 'Decrypt')).toHaveLength(1);
    now = 1000;
    expect(keyring.stats().bucketKeys).toBe(0);
    await esdk.decrypt(keyring, sealed[2] as Uint8Array);
    expect(audited(kms, 'Decrypt')).toHaveLength(2);
  });

  it('refuses a layout-1 bucket-key message (its data key needs the message ID), returning no plaintext', async () => {
    const key = new Uint8Array(randomBytes(32));
    const engine = createEngine({ keyStore: rawStore(key), bucketKeys: { maxAgeMs: 60_000, layout: 1 } });
    const sealed = await engine.encrypt(new TextEncoder().encode('old'), { context: CONTEXT, bucketKey: true });
    const outcome = await esdk.decrypt(new SealflowKeyringNode({ keyStores: [rawStore(key)] }), sealed).then(
      () => 'decrypted',
      (e: unknown) => e,
    );
    expect(outcome).toBeInstanceOf(Error);
    // sealflow itself still reads it.
    expect(new TextDecoder().decode((await createEngine({ keyStore: rawStore(key) }).decrypt(sealed)).plaintext)).toBe(
      'old',
    );
  });

  it('reports a refused unwrap as a typed error (KMS denies: wrong key store)', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const engine = createEngine({
      keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }),
      bucketKeys: { maxAgeMs: 60_000 },
    });
    const [message] = (await sealMany(engine, 1)).sealed;
    const other = await kmsWithKey();
    // Another KMS that does not hold the key: the store accepts the EDK (aws-kms), KMS refuses.
    const keyring = new SealflowKeyringNode({ keyStores: new KmsKeyStore({ client: other.kms, keyId: keyArn }) });
    const error = await esdk.decrypt(keyring, message as Uint8Array).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyStoreError);
    expect((error as KeyStoreError).code).toBe(ErrorCodes.NO_DECRYPTABLE_KEY);
  });

  it('only decrypts: encrypting through it throws', async () => {
    const keyring = new SealflowKeyringNode({ keyStores: rawStore() });
    await expect(esdk.encrypt(keyring, 'x')).rejects.toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT });
  });
});
