// Interop with the AWS Encryption SDK for JavaScript (@aws-crypto/client-node 5.0.2):
// its KmsKeyringNode and our AwsKmsKeyStore, pointed at the same KMS emulator, each
// decrypt what the other wrote, both suites, single and multi-key, strict and discovery.
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  KMS,
  KmsKeyringNode,
  type KmsNodeClientSupplier,
} from '@aws-crypto/client-node';
import { createEngine, type Engine } from '@sealflow/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

import {
  emulatorEndpoints,
  localKmsTarget,
  motoTarget,
  TEST_CREDENTIALS,
  type CreatedKey,
  type KmsTarget,
} from './support/kms-target.js';

const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const decoder = new TextDecoder();

const targets = [
  ['moto', (): string => emulatorEndpoints.moto, motoTarget],
  ['local-kms', (): string => emulatorEndpoints.localKms, localKmsTarget],
] as const;

function bytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);
}

for (const [name, endpoint, makeTarget] of targets) {
  describe(`ESDK KmsKeyringNode interop against ${name}`, () => {
    let target: KmsTarget;
    let keyA: CreatedKey;
    let keyB: CreatedKey;
    // The ESDK asks this supplier for a client per region (the key ARN's), like the default
    // one but pointed at the emulator. The cast: the ESDK's declared client interface is not
    // assignable from SDK v3's under exactOptionalPropertyTypes (KeyId?: string | undefined);
    // at run time it is the client the ESDK documents.
    const clients = new Map<string, KMS>();
    const clientProvider = ((region: string) => {
      let client = clients.get(region);
      if (client === undefined) {
        client = new KMS({ region, endpoint: endpoint(), credentials: TEST_CREDENTIALS, maxAttempts: 1 });
        clients.set(region, client);
      }
      return client;
    }) as unknown as KmsNodeClientSupplier;
    const keyring = (input: ConstructorParameters<typeof KmsKeyringNode>[0]) =>
      new KmsKeyringNode({ clientProvider, ...input });

    beforeAll(async () => {
      target = makeTarget(endpoint());
      [keyA, keyB] = await Promise.all([target.createKey(), target.createKey()]);
    });
    afterAll(() => {
      target.close();
      for (const client of clients.values()) client.destroy();
    });

    function sealflow(options: Parameters<KmsTarget['store']>[0]): Engine {
      return createEngine({ keyStore: target.store(options), frameLength: 128 });
    }

    test.each([
      ['0x0478 (committing, unsigned)', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY],
      [
        '0x0578 (committing, ECDSA P-384)',
        AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
      ],
    ])('sealflow decrypts what the ESDK encrypted with suite %s', async (_, suiteId) => {
      const plaintext = bytes(1000, 1);
      const encryptionContext = { 'aws:s3:arn': 'arn:aws:s3:::bucket/from-esdk', purpose: 'interop' };
      const { result } = await esdk.encrypt(keyring({ generatorKeyId: keyA.arn }), plaintext, {
        encryptionContext,
        suiteId,
        frameLength: 256,
      });
      const engine = sealflow({ keyIds: [keyA.arn] });
      expect(
        engine.inspect(result).encryptedDataKeys.map((e) => [e.providerId, decoder.decode(e.providerInfo)]),
      ).toEqual([['aws-kms', keyA.arn]]);
      const opened = await engine.decrypt(result);
      expect(opened.plaintext).toEqual(plaintext);
      expect(opened.context).toMatchObject(encryptionContext);
      expect(opened.header.suiteId).toBe(suiteId);
    });

    test.each([
      ['0x0478', 0x0478],
      ['0x0578', 0x0578],
    ] as const)('the ESDK decrypts what sealflow encrypted with suite %s', async (_, suite) => {
      const plaintext = bytes(777, 2);
      const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/from-sealflow', purpose: 'interop' };
      const sealed = await sealflow({ keyId: keyA.arn }).encrypt(plaintext, { context, suite });
      const { plaintext: opened, messageHeader } = await esdk.decrypt(keyring({ keyIds: [keyA.arn] }), sealed);
      expect(new Uint8Array(opened)).toEqual(plaintext);
      expect(messageHeader.encryptionContext).toMatchObject(context);
      expect(messageHeader.suiteId).toBe(suite);
    });

    test('a multi-key ESDK message decrypts in sealflow with only the second key, and the reverse', async () => {
      const fromEsdk = (
        await esdk.encrypt(keyring({ generatorKeyId: keyA.arn, keyIds: [keyB.arn] }), bytes(50, 3), {
          encryptionContext: { m: '1' },
        })
      ).result;
      expect((await sealflow({ keyIds: [keyB.arn] }).decrypt(fromEsdk)).plaintext).toEqual(bytes(50, 3));

      const writer = createEngine({ keyStore: [target.store({ keyId: keyA.arn }), target.store({ keyId: keyB.arn })] });
      const fromSealflow = await writer.encrypt(bytes(60, 4), { context: { m: '2' } });
      const { plaintext } = await esdk.decrypt(keyring({ keyIds: [keyB.arn] }), fromSealflow);
      expect(new Uint8Array(plaintext)).toEqual(bytes(60, 4));
    });

    test('discovery on both sides: filtered by partition and account', async () => {
      const discoveryFilter = { partition: target.partition, accountIDs: [target.accountId] };
      const fromEsdk = (
        await esdk.encrypt(keyring({ generatorKeyId: keyA.arn }), bytes(10, 5), { encryptionContext: { d: '1' } })
      ).result;
      const engine = sealflow({ discovery: { partition: target.partition, accountIds: [target.accountId] } });
      expect((await engine.decrypt(fromEsdk)).plaintext).toEqual(bytes(10, 5));

      const fromSealflow = await sealflow({ keyId: keyB.arn }).encrypt(bytes(11, 6), { context: { d: '2' } });
      const { plaintext } = await esdk.decrypt(keyring({ discovery: true, discoveryFilter }), fromSealflow);
      expect(new Uint8Array(plaintext)).toEqual(bytes(11, 6));
    });

    test('neither side decrypts the other under a key it was not given', async () => {
      const fromEsdk = (
        await esdk.encrypt(keyring({ generatorKeyId: keyA.arn }), bytes(5, 7), { encryptionContext: {} })
      ).result;
      await expect(sealflow({ keyIds: [keyB.arn] }).decrypt(fromEsdk)).rejects.toMatchObject({
        code: 'ERR_NO_DECRYPTABLE_KEY',
      });
      const fromSealflow = await sealflow({ keyId: keyA.arn }).encrypt(bytes(5, 8), { context: {} });
      await expect(esdk.decrypt(keyring({ keyIds: [keyB.arn] }), fromSealflow)).rejects.toThrow();
    });
  });
}
