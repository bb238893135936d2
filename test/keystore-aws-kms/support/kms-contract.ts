// The KMS contract: one suite, run against every KMS implementation we have (moto,
// local-kms, the in-process MemoryKms). Everything goes through the engine where the
// behaviour is a message's (round trips, multi-key, discovery, bucket keys), and through
// the store directly where it is a single KMS call (wrong context). Where an
// implementation differs from AWS KMS, the difference is named in `target.divergences`
// and pinned by its own test, never papered over by a looser assertion.
import diagnostics from 'node:diagnostics_channel';

import { KMS_AUDIT_CHANNEL, type AwsKmsAuditRecord } from '@sealflow/keystore-aws-kms';
import {
  Channels,
  createEngine,
  ErrorCodes,
  KeyStoreError,
  type Engine,
  type KeyStore,
  type KeyStoreCallEvent,
} from '@sealflow/core';
import { keyStoreConformanceCases } from '@sealflow/core/keystore-kit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import type { CreatedKey, Divergences, KmsTarget } from './kms-target.js';

const FRAME = 64;
const SIZES = [0, 1, FRAME - 1, FRAME, FRAME + 1, 2 * FRAME + 7];
const decoder = new TextDecoder();

function bytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

function engine(keyStore: KeyStore | readonly KeyStore[]): Engine {
  return createEngine({ keyStore, frameLength: FRAME });
}

function edkArns(engineForInspect: Engine, message: Uint8Array): string[] {
  return engineForInspect
    .inspect(message)
    .encryptedDataKeys.map((edk) => `${edk.providerId} ${decoder.decode(edk.providerInfo)}`);
}

async function rejection(promise: Promise<unknown>): Promise<KeyStoreError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyStoreError);
  return error as KeyStoreError;
}

/** The failure codes a NO_DECRYPTABLE_KEY error collected from the stores. */
function failureCodes(error: KeyStoreError): string[] {
  return error.failures.map((f) => f.code);
}

let aliasCounter = 0;
function uniqueAlias(label: string): string {
  aliasCounter += 1;
  return `alias/sealflow-${label}-${process.pid}-${aliasCounter}`;
}

/** What the suite knows about a target before it starts (it decides which tests exist). */
export interface ContractSpec {
  readonly divergences: Divergences;
  /** Whether the target has an endpoint a store can build its own client for. */
  readonly buildsClient: boolean;
  /** Creates the target (called once, in beforeAll). */
  make(): KmsTarget;
}

/**
 * Defines the contract tests for one target. A test that does not apply to a target (a
 * known divergence) is not defined for it, rather than defined and skipped.
 */
export function kmsContract(spec: ContractSpec): void {
  let target: KmsTarget;
  let keyA: CreatedKey;
  let keyB: CreatedKey;
  let keyC: CreatedKey;

  beforeAll(async () => {
    target = spec.make();
    [keyA, keyB, keyC] = await Promise.all([target.createKey(), target.createKey(), target.createKey()]);
  });
  afterAll(() => target.close());

  describe('KeyStore conformance (@sealflow/core/keystore-kit)', () => {
    for (const c of keyStoreConformanceCases({ makeStore: () => target.store({ keyId: keyA.arn }) }))
      test(c.name, c.run);
  });

  describe('round trips through the engine', () => {
    test('encrypts under a key ARN and decrypts every size around the frame boundaries', async () => {
      const sealflow = engine(target.store({ keyId: keyA.arn }));
      for (const size of SIZES) {
        const plaintext = bytes(size, size);
        const context = { 'aws:s3:arn': `arn:aws:s3:::bucket/object-${size}`, size: String(size) };
        const sealed = await sealflow.encrypt(plaintext, { context });
        const opened = await sealflow.decrypt(sealed);
        expect(opened.plaintext).toEqual(plaintext);
        expect(opened.context).toMatchObject(context);
      }
    });

    test('writes one EDK with provider ID aws-kms and the key ARN as provider info', async () => {
      const sealflow = engine(target.store({ keyId: keyA.arn }));
      const sealed = await sealflow.encrypt(bytes(10, 1), { context: { a: 'b' } });
      expect(edkArns(sealflow, sealed)).toEqual([`aws-kms ${keyA.arn}`]);
    });

    test('resolves a key ID, an alias name and an alias ARN to the key ARN in the EDK', async () => {
      const alias = uniqueAlias('resolve');
      await target.createAlias(alias, keyA.keyId);
      const aliasArn = `arn:${target.partition}:kms:${target.region}:${target.accountId}:${alias}`;
      const reader = engine(target.store({ keyIds: [keyA.arn] }));
      for (const keyId of [keyA.keyId, alias, aliasArn]) {
        const sealflow = engine(target.store({ keyId }));
        const sealed = await sealflow.encrypt(bytes(100, 2), { context: { via: keyId } });
        expect(edkArns(sealflow, sealed)).toEqual([`aws-kms ${keyA.arn}`]);
        expect((await reader.decrypt(sealed)).plaintext).toEqual(bytes(100, 2));
        // A store configured by the same alias also decrypts (KMS resolves it again).
        expect((await sealflow.decrypt(sealed)).plaintext).toEqual(bytes(100, 2));
      }
    });

    test('follows an alias to its new key after UpdateAlias; older messages still decrypt by key ARN', async () => {
      const alias = uniqueAlias('move');
      await target.createAlias(alias, keyA.keyId);
      const byAlias = engine(target.store({ keyId: alias }));
      const before = await byAlias.encrypt(bytes(5, 3), { context: { n: '1' } });
      await target.updateAlias(alias, keyB.keyId);
      const after = await byAlias.encrypt(bytes(5, 4), { context: { n: '2' } });
      expect(edkArns(byAlias, before)).toEqual([`aws-kms ${keyA.arn}`]);
      expect(edkArns(byAlias, after)).toEqual([`aws-kms ${keyB.arn}`]);
      const reader = engine(target.store({ keyIds: [keyA.arn, keyB.arn] }));
      expect((await reader.decrypt(before)).plaintext).toEqual(bytes(5, 3));
      expect((await reader.decrypt(after)).plaintext).toEqual(bytes(5, 4));
    });

    // In-process targets have no endpoint to build a client for.
    if (spec.buildsClient)
      test('works with a client the store builds from region, endpoint and credentials', async () => {
        const store = (target.builtStore as NonNullable<KmsTarget['builtStore']>)({ keyId: keyA.arn });
        const sealflow = engine(store);
        const sealed = await sealflow.encrypt(bytes(70, 5), { context: { built: 'yes' } });
        expect((await sealflow.decrypt(sealed)).plaintext).toEqual(bytes(70, 5));
      });

    test('strict ARN mode round-trips under a key ARN and refuses an alias before any call', async () => {
      const sealflow = engine(target.store({ keyId: keyA.arn, strictArns: true }));
      const sealed = await sealflow.encrypt(bytes(3, 6), { context: { strict: 'true' } });
      expect((await sealflow.decrypt(sealed)).plaintext).toEqual(bytes(3, 6));
      target.takeRequests();
      expect(() => target.store({ keyId: 'alias/anything', strictArns: true })).toThrow(/accepts only a full key ARN/);
      await expect(sealflow.encrypt(bytes(1, 1), { context: {}, keyId: keyB.keyId })).rejects.toThrow(
        /accepts only a full key ARN/,
      );
      expect(target.takeRequests()).toEqual([]);
    });
  });

  describe('encryption context', () => {
    test('sends the full encryption context to KMS on GenerateDataKey and on Decrypt', async () => {
      const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/ctx', tenant: 'ünïcødé' };
      const sealflow = engine(target.store({ keyId: keyA.arn }));
      target.takeRequests();
      await sealflow.decrypt(await sealflow.encrypt(bytes(9, 7), { context }));
      expect(target.takeRequests()).toEqual([
        { operation: 'GenerateDataKey', keyId: keyA.arn, context },
        { operation: 'Decrypt', keyId: keyA.arn, context },
      ]);
    });

    test('KMS refuses to unwrap under a different context: ERR_INVALID_KEY_CIPHERTEXT', async () => {
      const store = target.store({ keyId: keyA.arn });
      const generated = await store.generateDataKey({ context: { purpose: 'right' }, length: 32 });
      generated.dataKey.destroy();
      const error = await rejection(
        store.unwrapDataKey(generated.encryptedDataKey, { context: { purpose: 'wrong' }, length: 32 }),
      );
      expect(error.code).toBe(ErrorCodes.INVALID_KEY_CIPHERTEXT);
      expect(error.cause).toBeDefined();
    });

    test('a message whose reproduced context is wrong fails to decrypt at KMS', async () => {
      const sealflow = engine(target.store({ keyId: keyA.arn }));
      const sealed = await sealflow.encrypt(bytes(20, 8), {
        context: { stored: 'yes', secretish: 'right' },
        requiredContextKeys: ['secretish'],
      });
      expect((await sealflow.decrypt(sealed, { reproducedContext: { secretish: 'right' } })).plaintext).toEqual(
        bytes(20, 8),
      );
      const error = await rejection(sealflow.decrypt(sealed, { reproducedContext: { secretish: 'wrong' } }));
      expect(error.code).toBe(ErrorCodes.NO_DECRYPTABLE_KEY);
      expect(failureCodes(error)).toEqual([ErrorCodes.INVALID_KEY_CIPHERTEXT]);
    });
  });

  describe('key errors', () => {
    test('an unknown key ARN fails with ERR_KEY_NOT_FOUND, an unknown alias too', async () => {
      const missing = `arn:${target.partition}:kms:${target.region}:${target.accountId}:key/00000000-0000-4000-8000-000000000000`;
      for (const keyId of [missing, uniqueAlias('missing')]) {
        const error = await rejection(engine(target.store({ keyId })).encrypt(bytes(1, 0), { context: {} }));
        expect(error.code).toBe(ErrorCodes.KEY_NOT_FOUND);
        expect(error.cause).toMatchObject({ name: 'NotFoundException' });
        if (target.divergences.returnsRequestIds) expect(error.requestId).toEqual(expect.any(String));
      }
    });

    if (spec.divergences.enforcesKeyState)
      test('a disabled key fails new messages with ERR_KEY_DISABLED and old ones cannot be unwrapped', async () => {
        const key = await target.createKey();
        const sealflow = engine(target.store({ keyId: key.arn }));
        const sealed = await sealflow.encrypt(bytes(30, 9), { context: { k: 'v' } });
        await target.disableKey(key.keyId);
        const onEncrypt = await rejection(sealflow.encrypt(bytes(1, 0), { context: {} }));
        expect(onEncrypt.code).toBe(ErrorCodes.KEY_DISABLED);
        expect(onEncrypt.cause).toMatchObject({ name: 'DisabledException' });
        const onDecrypt = await rejection(sealflow.decrypt(sealed));
        expect(onDecrypt.code).toBe(ErrorCodes.NO_DECRYPTABLE_KEY);
        expect(failureCodes(onDecrypt)).toEqual([ErrorCodes.KEY_DISABLED]);
      });

    if (!spec.divergences.enforcesKeyState)
      test('(known divergence, pinned) a disabled key still serves GenerateDataKey and Decrypt', async () => {
        // Pinned so that an upgrade that starts enforcing key state is noticed and the
        // divergence flag (and the test above) switched on.
        const key = await target.createKey();
        await target.disableKey(key.keyId);
        const sealflow = engine(target.store({ keyId: key.arn }));
        const sealed = await sealflow.encrypt(bytes(4, 1), { context: {} });
        expect((await sealflow.decrypt(sealed)).plaintext).toEqual(bytes(4, 1));
      });
  });

  describe('multi-key messages', () => {
    test('every store wraps the same data key; each key alone decrypts, a third key does not', async () => {
      const writer = engine([target.store({ keyId: keyA.arn }), target.store({ keyId: keyB.arn })]);
      const sealed = await writer.encrypt(bytes(150, 10), { context: { multi: 'yes' } });
      expect(edkArns(writer, sealed)).toEqual([`aws-kms ${keyA.arn}`, `aws-kms ${keyB.arn}`]);
      target.takeRequests();
      for (const arn of [keyA.arn, keyB.arn]) {
        const opened = await engine(target.store({ keyIds: [arn] })).decrypt(sealed);
        expect(opened.plaintext).toEqual(bytes(150, 10));
      }
      // Strict decrypt asks KMS only about its own listed key.
      expect(target.takeRequests().map((r) => `${r.operation} ${r.keyId}`)).toEqual([
        `Decrypt ${keyA.arn}`,
        `Decrypt ${keyB.arn}`,
      ]);
      const error = await rejection(engine(target.store({ keyIds: [keyC.arn] })).decrypt(sealed));
      expect(error.code).toBe(ErrorCodes.NO_DECRYPTABLE_KEY);
      expect(target.takeRequests()).toEqual([]);
    });

    test('the generate call is GenerateDataKey and the wrap call is Encrypt, both with the context', async () => {
      const context = { multi: 'calls' };
      target.takeRequests();
      await engine([target.store({ keyId: keyA.arn }), target.store({ keyId: keyB.arn })]).encrypt(bytes(1, 1), {
        context,
      });
      expect(target.takeRequests()).toEqual([
        { operation: 'GenerateDataKey', keyId: keyA.arn, context },
        { operation: 'Encrypt', keyId: keyB.arn, context },
      ]);
    });
  });

  describe('discovery', () => {
    let sealed: Uint8Array;
    beforeAll(async () => {
      sealed = await engine(target.store({ keyId: keyA.arn })).encrypt(bytes(33, 11), {
        context: { discovery: 'yes' },
      });
    });

    test('discovery without a filter decrypts a message under any key of the region', async () => {
      expect((await engine(target.store({ discovery: true })).decrypt(sealed)).plaintext).toEqual(bytes(33, 11));
    });

    test('a filter naming the key account and partition decrypts', async () => {
      const store = target.store({
        discovery: { partition: target.partition, accountIds: ['000000000000', target.accountId] },
      });
      expect((await engine(store).decrypt(sealed)).plaintext).toEqual(bytes(33, 11));
    });

    test('a filter on another account or partition refuses the message without calling KMS', async () => {
      target.takeRequests();
      for (const discovery of [
        { partition: target.partition, accountIds: ['000000000000'] },
        { partition: 'aws-cn', accountIds: [target.accountId] },
      ]) {
        const error = await rejection(engine(target.store({ discovery })).decrypt(sealed));
        expect(error.code).toBe(ErrorCodes.NO_DECRYPTABLE_KEY);
      }
      expect(target.takeRequests()).toEqual([]);
    });
  });

  describe('bucket keys', () => {
    test('one GenerateDataKey with the bucket-level context serves several objects; each decrypts cold', async () => {
      const store = target.store({ keyId: keyA.arn });
      const writer = createEngine({ keyStore: store, frameLength: FRAME, bucketKeys: { maxAgeMs: 60_000 } });
      target.takeRequests();
      const objects = ['a.txt', 'b/c.bin', 'd'];
      const sealed = [];
      for (const [i, name] of objects.entries()) {
        sealed.push(
          await writer.encrypt(bytes(40 + i, i), {
            context: { 'aws:s3:arn': `arn:aws:s3:::photos/${name}` },
            bucketKey: true,
          }),
        );
      }
      const bucketContext = { 'aws:s3:arn': 'arn:aws:s3:::photos' };
      expect(target.takeRequests()).toEqual([
        { operation: 'GenerateDataKey', keyId: keyA.arn, context: bucketContext },
      ]);
      expect(writer.stats().bucketKeys).toMatchObject({ misses: 1, hits: 2 });
      for (const [i, message] of sealed.entries()) {
        const reader = createEngine({ keyStore: target.store({ keyIds: [keyA.arn] }) });
        const opened = await reader.decrypt(message);
        expect(opened.plaintext).toEqual(bytes(40 + i, i));
        expect(opened.context).toMatchObject({ 'aws:s3:arn': `arn:aws:s3:::photos/${objects[i]}` });
      }
      const decrypts = target.takeRequests();
      expect(decrypts).toHaveLength(3);
      expect(
        decrypts.every((r) => r.operation === 'Decrypt' && JSON.stringify(r.context) === JSON.stringify(bucketContext)),
      ).toBe(true);
      await writer.close();
    });
  });

  describe('events', () => {
    test('each KMS call publishes a sealflow:keystore:call event with the key, the outcome and no secrets', async () => {
      const events: KeyStoreCallEvent[] = [];
      const listener = (message: unknown): void => {
        events.push(message as KeyStoreCallEvent);
      };
      const store = target.store({ keyId: keyA.arn, id: `contract-events-${target.name}` });
      diagnostics.subscribe(Channels.keyStoreCall, listener);
      try {
        const generated = await store.generateDataKey({ context: { e: '1' }, length: 32 });
        const secret = Buffer.from(generated.dataKey.reveal()).toString('hex');
        generated.dataKey.destroy();
        await rejection(store.unwrapDataKey(generated.encryptedDataKey, { context: { e: 'other' }, length: 32 }));
        const mine = events.filter((e) => e.store === store.id);
        expect(mine.map((e) => [e.operation, e.keyId, e.outcome, e.errorCode])).toEqual([
          ['generate', keyA.arn, 'success', undefined],
          ['unwrap', keyA.arn, 'failure', ErrorCodes.INVALID_KEY_CIPHERTEXT],
        ]);
        if (target.divergences.returnsRequestIds) expect(mine[1]?.requestId).toEqual(expect.any(String));
        expect(JSON.stringify(mine)).not.toContain(secret);
      } finally {
        diagnostics.unsubscribe(Channels.keyStoreCall, listener);
      }
    });

    test('through the engine, each store call is published once, with its request ID', async () => {
      const events: KeyStoreCallEvent[] = [];
      const listener = (message: unknown): void => {
        events.push(message as KeyStoreCallEvent);
      };
      const store = target.store({ keyId: keyA.arn, id: `contract-engine-events-${target.name}` });
      const sealflow = engine(store);
      diagnostics.subscribe(Channels.keyStoreCall, listener);
      try {
        await sealflow.decrypt(await sealflow.encrypt(bytes(12, 3), { context: { once: 'yes' } }));
      } finally {
        diagnostics.unsubscribe(Channels.keyStoreCall, listener);
      }
      const mine = events.filter((e) => e.store === store.id);
      expect(mine.map((e) => [e.operation, e.keyId, e.outcome])).toEqual([
        ['generate', keyA.arn, 'success'],
        ['unwrap', keyA.arn, 'success'],
      ]);
      if (target.divergences.returnsRequestIds)
        expect(mine.every((e) => typeof e.requestId === 'string' && e.requestId.length > 0)).toBe(true);
    });

    test('each KMS request publishes a CloudTrail-shaped audit record on sealflow:kms:audit', async () => {
      const records: AwsKmsAuditRecord[] = [];
      const listener = (message: unknown): void => {
        records.push(message as AwsKmsAuditRecord);
      };
      const context = { audit: target.name };
      const store = target.store({ keyId: keyA.arn });
      diagnostics.subscribe(KMS_AUDIT_CHANNEL, listener);
      try {
        const generated = await store.generateDataKey({ context, length: 32 });
        generated.dataKey.destroy();
        await rejection(store.unwrapDataKey(generated.encryptedDataKey, { context: { audit: 'other' }, length: 32 }));
      } finally {
        diagnostics.unsubscribe(KMS_AUDIT_CHANNEL, listener);
      }
      const mine = records.filter((r) => r.requestParameters.encryptionContext['audit'] !== undefined);
      expect(
        mine.map((r) => [
          r.eventName,
          r.requestParameters.keyId,
          r.requestParameters.encryptionContext,
          r.resources.map((x) => x.ARN),
          r.errorCode,
        ]),
      ).toEqual([
        ['GenerateDataKey', keyA.arn, context, [keyA.arn], undefined],
        ['Decrypt', keyA.arn, { audit: 'other' }, [keyA.arn], 'InvalidCiphertextException'],
      ]);
      expect(mine.every((r) => r.awsRegion === target.region && r.eventSource === 'kms.amazonaws.com')).toBe(true);
      if (target.divergences.returnsRequestIds) expect(mine.every((r) => r.requestID.length > 0)).toBe(true);
    });
  });
}
