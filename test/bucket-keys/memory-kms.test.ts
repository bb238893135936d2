// Bucket keys end to end over the in-process KMS: KMS sees one GenerateDataKey with the
// bucket ARN for 10,000 objects, one Decrypt per principal to read them back, and the
// audit log proves it.
import { describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes, KmsKeyStore } from '@sealflow/core';
import { memoryKeyStore } from '@sealflow/keystore-memory';
import { ALICE, audited, BOB, FlakyKms, kmsWithKey, PerCallerStore } from './support.js';

const BUCKET_ARN = 'arn:aws:s3:::bucket';
const objectArn = (i: number): string => `${BUCKET_ARN}/objects/${i}.bin`;
const body = (i: number): Uint8Array => new TextEncoder().encode(`object ${i} `.repeat(8));

describe('bucket keys over MemoryKms', () => {
  it('10,000 objects under one bucket key: one GenerateDataKey (bucket ARN context), one Decrypt to read them all', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const writer = createEngine({
      keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }),
      bucketKeys: { maxAgeMs: 300_000 },
    });
    const sealed: Uint8Array[] = [];
    for (let i = 0; i < 10_000; i++)
      sealed.push(await writer.encrypt(body(i), { context: { 'aws:s3:arn': objectArn(i) }, bucketKey: true }));

    expect(audited(kms, 'GenerateDataKey')).toEqual([
      { principal: kms.principal, context: { 'aws:s3:arn': BUCKET_ARN }, error: undefined },
    ]);
    expect(writer.stats()).toMatchObject({
      keyStoreCalls: { generate: 1, wrap: 0, unwrap: 0 },
      bucketKeys: { hits: 9_999, misses: 1 },
      messagesEncrypted: 10_000,
    });

    const reader = createEngine({ keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }) });
    for (let i = 0; i < sealed.length; i++) {
      const { plaintext, context } = await reader.decrypt(sealed[i] as Uint8Array);
      expect(plaintext).toEqual(body(i));
      expect(context).toEqual({ 'aws:s3:arn': objectArn(i) });
    }
    expect(audited(kms, 'Decrypt')).toEqual([
      { principal: kms.principal, context: { 'aws:s3:arn': BUCKET_ARN }, error: undefined },
    ]);
    expect(reader.stats()).toMatchObject({
      keyStoreCalls: { generate: 0, wrap: 0, unwrap: 1 },
      bucketKeys: { hits: 9_999, misses: 1 },
      messagesDecrypted: 10_000,
    });
    expect(reader.stats().bytesDecrypted).toBe(writer.stats().bytesEncrypted);
  });

  it('without bucket keys the same workload costs one GenerateDataKey per object, with the object ARN', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const engine = createEngine({
      keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }),
      bucketKeys: { maxAgeMs: 300_000 },
    });
    for (let i = 0; i < 20; i++) await engine.encrypt(body(i), { context: { 'aws:s3:arn': objectArn(i) } });
    const calls = audited(kms, 'GenerateDataKey');
    expect(calls).toHaveLength(20);
    expect(calls[3]?.context).toEqual({ 'aws:s3:arn': objectArn(3) });
  });

  it('two principals in one engine: two GenerateDataKey calls, each as its caller; reading back costs one Decrypt per principal', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const store = new PerCallerStore(kms, keyArn);
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 300_000 } });
    const put = (who: string, i: number): Promise<Uint8Array> =>
      store.caller.run(who, () =>
        engine.encrypt(body(i), { context: { 'aws:s3:arn': objectArn(i) }, bucketKey: true }),
      );
    const sealed = await Promise.all([
      ...Array.from({ length: 50 }, (_, i) => put(ALICE, i)),
      ...Array.from({ length: 50 }, (_, i) => put(BOB, 50 + i)),
    ]);
    expect(audited(kms, 'GenerateDataKey')).toEqual([
      { principal: ALICE, context: { 'aws:s3:arn': BUCKET_ARN }, error: undefined },
      { principal: BOB, context: { 'aws:s3:arn': BUCKET_ARN }, error: undefined },
    ]);
    const reader = createEngine({ keyStore: store });
    for (const who of [ALICE, BOB]) {
      await store.caller.run(who, () => Promise.all(sealed.map((m) => reader.decrypt(m))));
    }
    // Each principal unwraps each of the two bucket keys once: four Decrypt calls for 200 reads.
    const decrypts = audited(kms, 'Decrypt');
    expect(decrypts.map((d) => d.principal).sort()).toEqual([ALICE, ALICE, BOB, BOB]);
    expect(decrypts.every((d) => JSON.stringify(d.context) === JSON.stringify({ 'aws:s3:arn': BUCKET_ARN }))).toBe(
      true,
    );
  });

  it('objects under one bucket key read by two principals in one engine: exactly two Decrypt calls, one each', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const writer = createEngine({
      keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }),
      bucketKeys: { maxAgeMs: 300_000 },
    });
    const sealed = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        writer.encrypt(body(i), { context: { 'aws:s3:arn': objectArn(i) }, bucketKey: true }),
      ),
    );
    const store = new PerCallerStore(kms, keyArn);
    const reader = createEngine({ keyStore: store });
    for (const who of [ALICE, BOB, ALICE]) {
      await store.caller.run(who, () => Promise.all(sealed.map((m) => reader.decrypt(m))));
    }
    expect(audited(kms, 'Decrypt')).toEqual([
      { principal: ALICE, context: { 'aws:s3:arn': BUCKET_ARN }, error: undefined },
      { principal: BOB, context: { 'aws:s3:arn': BUCKET_ARN }, error: undefined },
    ]);
  });

  it('1,000 concurrent encrypts on a cold cache make one KMS call', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const engine = createEngine({
      keyStore: memoryKeyStore(kms, { keyId: keyArn }),
      bucketKeys: { maxAgeMs: 300_000 },
    });
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        engine.encrypt(body(i), { context: { 'aws:s3:arn': objectArn(i) }, bucketKey: true }),
      ),
    );
    expect(audited(kms, 'GenerateDataKey')).toHaveLength(1);
  });

  it('KMS down: a warm bucket key keeps serving until it expires, then encrypt fails with ERR_KEY_STORE_UNAVAILABLE', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const client = new FlakyKms(kms);
    let now = 0;
    const engine = createEngine({
      keyStore: new KmsKeyStore({ client, keyId: keyArn }),
      bucketKeys: { maxAgeMs: 60_000, now: () => now },
    });
    const put = (i: number, bucket = 'bucket'): Promise<Uint8Array> =>
      engine.encrypt(body(i), { context: { 'aws:s3:arn': `arn:aws:s3:::${bucket}/${i}` }, bucketKey: true });
    await put(0);
    client.down = true;
    now = 59_999;
    const during = await put(1);
    await expect(put(2, 'cold-bucket')).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE_UNAVAILABLE });
    now = 60_000;
    await expect(put(3)).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE_UNAVAILABLE });
    client.down = false;
    expect(
      (await createEngine({ keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }) }).decrypt(during)).plaintext,
    ).toEqual(body(1));
    expect(audited(kms, 'GenerateDataKey')).toHaveLength(1);
  });

  it('KMS down on read: warm unwrapped bucket keys keep serving; a cold one fails with ERR_KEY_STORE_UNAVAILABLE', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const writer = createEngine({
      keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }),
      bucketKeys: { maxAgeMs: 300_000 },
    });
    const a = await Promise.all(
      [1, 2].map((i) => writer.encrypt(body(i), { context: { 'aws:s3:arn': `arn:aws:s3:::a/${i}` }, bucketKey: true })),
    );
    const b = await writer.encrypt(body(3), { context: { 'aws:s3:arn': 'arn:aws:s3:::b/3' }, bucketKey: true });
    const client = new FlakyKms(kms);
    const reader = createEngine({ keyStore: new KmsKeyStore({ client, keyId: keyArn }) });
    await reader.decrypt(a[0] as Uint8Array);
    client.down = true;
    expect((await reader.decrypt(a[1] as Uint8Array)).plaintext).toEqual(body(2));
    await expect(reader.decrypt(b)).rejects.toMatchObject({ code: ErrorCodes.KEY_STORE_UNAVAILABLE });
  });

  it('forget({ keyId: keyArn }) after disabling the key drops every entry under it at once; the next encrypt asks KMS and fails', async () => {
    const { kms, keyArn } = await kmsWithKey();
    const { KeyMetadata: other } = await kms.createKey({ Description: 'another key' });
    const engine = createEngine({
      keyStore: new KmsKeyStore({ client: kms, keyId: keyArn }),
      bucketKeys: { maxAgeMs: 300_000 },
    });
    const sealed: Uint8Array[] = [];
    for (const bucket of ['b1', 'b2', 'b3'])
      sealed.push(
        await engine.encrypt(body(1), { context: { 'aws:s3:arn': `arn:aws:s3:::${bucket}/k` }, bucketKey: true }),
      );
    await engine.encrypt(body(1), {
      context: { 'aws:s3:arn': 'arn:aws:s3:::b4/k' },
      bucketKey: true,
      keyId: other.Arn,
    });
    for (const m of sealed) await engine.decrypt(m);
    expect(engine.stats().bucketKeys.entries).toBe(7);
    await kms.disableKey({ KeyId: keyArn });
    expect(engine.forget({ keyId: keyArn })).toBe(6);
    expect(engine.stats().bucketKeys.entries).toBe(1);
    await expect(
      engine.encrypt(body(1), { context: { 'aws:s3:arn': 'arn:aws:s3:::b1/k' }, bucketKey: true }),
    ).rejects.toMatchObject({ code: ErrorCodes.KEY_DISABLED });
    await expect(engine.decrypt(sealed[0] as Uint8Array)).rejects.toMatchObject({
      code: ErrorCodes.NO_DECRYPTABLE_KEY,
    });
    // The other key's entry still serves.
    await engine.encrypt(body(1), {
      context: { 'aws:s3:arn': 'arn:aws:s3:::b4/k2' },
      bucketKey: true,
      keyId: other.Arn,
    });
    expect(audited(kms, 'GenerateDataKey').filter((r) => r.error === undefined)).toHaveLength(4);
  });
});
