// End to end: the core engine sealing messages with data keys from the in-process KMS,
// through the key lifecycle (rotation, disable, enable), key policies, accounts and
// contexts, plus the ESDK's own KMS keyring talking to MemoryKms (both directions).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  KmsKeyringNode,
  type KmsNodeClientSupplier,
} from '@aws-crypto/client-node';
import { describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes, KeyStoreError, type Engine, type KeyStore } from '@sealflow/core';
import { MemoryKms, memoryKeyStore } from '@sealflow/keystore-memory';

const A = '111122223333';
const B = '444455556666';
const ROOT_A = `arn:aws:iam::${A}:root`;
const ROOT_B = `arn:aws:iam::${B}:root`;
const ADMIN = `arn:aws:iam::${A}:role/admin`;
const WRITER = `arn:aws:iam::${A}:role/writer`;
const READER = `arn:aws:iam::${A}:role/reader`;
const FRAME = 64;
const SIZES = [0, 1, FRAME - 1, FRAME, FRAME + 1, 2 * FRAME + 7];
const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/tenant-a/object', tenant: 'tenant-a' };
const decoder = new TextDecoder();

function bytes(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

function engine(keyStore: KeyStore): Engine {
  return createEngine({ keyStore, frameLength: FRAME });
}

/** The KeyStoreError a decrypt (or encrypt) rejects with, and the codes its stores gave. */
async function storeFailure(promise: Promise<unknown>): Promise<{ code: string; codes: string[] }> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KeyStoreError);
  const e = error as KeyStoreError;
  return { code: e.code, codes: e.failures.map((f) => f.code) };
}

/** The KMS material version the EDK's ciphertext blob names (blob bytes 17..20). */
function materialVersion(sealflow: Engine, message: Uint8Array): number {
  const [edk] = sealflow.inspect(message).encryptedDataKeys;
  const blob = edk?.ciphertext ?? new Uint8Array(21);
  return new DataView(blob.buffer, blob.byteOffset).getUint32(17);
}

describe('engine + MemoryKms: key lifecycle', () => {
  it('encrypt, rotate, encrypt again, disable, enable: everything decrypts, and nothing while disabled', async () => {
    let now = Date.UTC(2026, 0, 1);
    const kms = new MemoryKms({ now: () => now });
    const { KeyMetadata } = await kms.createKey({ Description: 'e2e' });
    const sealflow = engine(memoryKeyStore(kms, { keyId: KeyMetadata.Arn }));
    const messages: { plaintext: Uint8Array; sealed: Uint8Array }[] = [];
    const seal = async (seed: number): Promise<void> => {
      for (const size of SIZES) {
        const plaintext = bytes(size, seed);
        messages.push({ plaintext, sealed: await sealflow.encrypt(plaintext, { context }) });
      }
    };
    await seal(1);
    await kms.rotateKeyOnDemand({ KeyId: KeyMetadata.KeyId });
    await seal(2);
    await kms.enableKeyRotation({ KeyId: KeyMetadata.KeyId, RotationPeriodInDays: 90 });
    now += 90 * 86_400_000;
    await seal(3);
    expect(messages.map((m) => materialVersion(sealflow, m.sealed))).toEqual([
      ...SIZES.map(() => 0),
      ...SIZES.map(() => 1),
      ...SIZES.map(() => 2),
    ]);

    await kms.disableKey({ KeyId: KeyMetadata.KeyId });
    for (const message of [messages[0], messages.at(-1)]) {
      const failed = await storeFailure(sealflow.decrypt(message?.sealed ?? new Uint8Array(0)));
      expect(failed).toEqual({ code: ErrorCodes.NO_DECRYPTABLE_KEY, codes: [ErrorCodes.KEY_DISABLED] });
    }
    expect((await storeFailure(sealflow.encrypt(bytes(5, 0), { context }))).code).toBe(ErrorCodes.KEY_DISABLED);

    await kms.enableKey({ KeyId: KeyMetadata.KeyId });
    for (const { plaintext, sealed } of messages) {
      const opened = await sealflow.decrypt(sealed);
      expect(opened.plaintext).toEqual(plaintext);
      expect(opened.context).toMatchObject(context);
    }
  });

  it('keys survive a restart of a persistent MemoryKms: messages sealed before decrypt after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sealflow-e2e-'));
    try {
      const path = join(dir, 'kms.json');
      const first = await MemoryKms.open({ path, passphrase: 'pw', scrypt: { N: 1024, r: 8, p: 1 } });
      const { KeyMetadata } = await first.createKey();
      await first.createAlias({ AliasName: 'alias/cli', TargetKeyId: KeyMetadata.KeyId });
      const sealed = await engine(memoryKeyStore(first, { keyId: 'alias/cli' })).encrypt(bytes(200, 9), { context });
      await first.close();
      const second = await MemoryKms.open({ path, passphrase: 'pw' });
      expect((await engine(memoryKeyStore(second, { keyId: 'alias/cli' })).decrypt(sealed)).plaintext).toEqual(
        bytes(200, 9),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('engine + MemoryKms: permissions and accounts', () => {
  it('a principal without kms:Decrypt cannot decrypt what it encrypted; one with it can', async () => {
    const kms = new MemoryKms();
    const keyPolicy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: ADMIN }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: WRITER }, Action: 'kms:GenerateDataKey', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: READER }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    });
    const { KeyMetadata } = await kms.as(ADMIN).createKey({ Policy: keyPolicy });
    const writer = engine(memoryKeyStore(kms, { keyId: KeyMetadata.Arn, principal: WRITER }));
    const reader = engine(memoryKeyStore(kms, { keyId: KeyMetadata.Arn, principal: READER }));
    const sealed = await writer.encrypt(bytes(100, 4), { context });
    expect(await storeFailure(writer.decrypt(sealed))).toEqual({
      code: ErrorCodes.NO_DECRYPTABLE_KEY,
      codes: [ErrorCodes.ACCESS_DENIED],
    });
    expect((await reader.decrypt(sealed)).plaintext).toEqual(bytes(100, 4));
    expect((await storeFailure(reader.encrypt(bytes(1, 1), { context }))).code).toBe(ErrorCodes.ACCESS_DENIED);
    const denied = kms.auditLog().find((r) => r.errorCode === 'AccessDeniedException' && r.eventName === 'Decrypt');
    expect(denied?.userIdentity.arn).toBe(WRITER);
    expect(denied?.requestParameters.encryptionContext).toMatchObject(context);
  });

  it('a message under alias/aws/s3 from account A cannot be decrypted from account B', async () => {
    const kms = new MemoryKms();
    const inA = engine(memoryKeyStore(kms, { principal: ROOT_A }));
    const sealed = await inA.encrypt(bytes(150, 8), { context });
    const [edk] = inA.inspect(sealed).encryptedDataKeys;
    expect(decoder.decode(edk?.providerInfo)).toBe((await kms.describeKey({ KeyId: 'alias/aws/s3' })).KeyMetadata.Arn);
    // B offering the EDK to KMS (discovery): A's AWS-managed key refuses B.
    const discovering = engine(memoryKeyStore(kms, { principal: ROOT_B, discovery: true }));
    expect(await storeFailure(discovering.decrypt(sealed))).toEqual({
      code: ErrorCodes.NO_DECRYPTABLE_KEY,
      codes: [ErrorCodes.ACCESS_DENIED],
    });
    // B with its own default key: its alias/aws/s3 is another key, and KMS says so.
    const bDefault = engine(memoryKeyStore(kms, { principal: ROOT_B }));
    expect(await storeFailure(bDefault.decrypt(sealed))).toEqual({
      code: ErrorCodes.NO_DECRYPTABLE_KEY,
      codes: [ErrorCodes.INVALID_KEY_CIPHERTEXT],
    });
    expect((await inA.decrypt(sealed)).plaintext).toEqual(bytes(150, 8));
  });

  it('a wrong context fails: an altered stored context is refused by KMS, an unexpected one by the engine', async () => {
    const kms = new MemoryKms();
    const { KeyMetadata } = await kms.createKey();
    const sealflow = engine(memoryKeyStore(kms, { keyId: KeyMetadata.Arn }));
    const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/object', tenant: 'tenant-a' };
    const sealed = await sealflow.encrypt(bytes(90, 2), { context });
    const altered = sealed.slice();
    const at = Buffer.from(altered).indexOf('tenant-a');
    expect(at).toBeGreaterThan(0);
    altered.set(new TextEncoder().encode('tenant-b'), at);
    const failed = await storeFailure(sealflow.decrypt(altered));
    expect(failed.codes).toEqual([ErrorCodes.INVALID_KEY_CIPHERTEXT]);
    const decrypts = kms.auditLog().filter((r) => r.eventName === 'Decrypt');
    expect(decrypts.at(-1)).toMatchObject({
      errorCode: 'InvalidCiphertextException',
      requestParameters: { encryptionContext: { tenant: 'tenant-b' } },
    });
    await expect(sealflow.decrypt(sealed, { expectContext: { tenant: 'tenant-b' } })).rejects.toMatchObject({
      code: ErrorCodes.CONTEXT_MISMATCH,
    });
    expect((await sealflow.decrypt(sealed, { expectContext: { tenant: 'tenant-a' } })).plaintext).toEqual(bytes(90, 2));
  });
});

describe('the ESDK KMS keyring (client-node 5.0.2) over MemoryKms', () => {
  const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  // The ESDK asks for a client per region and calls it like an SDK v3 client. The cast:
  // the ESDK's declared client type is SDK-v2-flavoured; at run time any v3-shaped client works.
  const supplier = (kms: MemoryKms): KmsNodeClientSupplier => (() => kms) as unknown as KmsNodeClientSupplier;

  it.each([
    ['0x0478', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY],
    ['0x0578', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384],
  ])('sealflow decrypts what the ESDK encrypted through MemoryKms (suite %s)', async (_, suiteId) => {
    const kms = new MemoryKms();
    const { KeyMetadata } = await kms.createKey();
    const keyring = new KmsKeyringNode({ generatorKeyId: KeyMetadata.Arn, clientProvider: supplier(kms) });
    const { result } = await esdk.encrypt(keyring, bytes(300, 5), {
      encryptionContext: context,
      suiteId,
      frameLength: 128,
    });
    const opened = await engine(memoryKeyStore(kms, { keyId: KeyMetadata.Arn })).decrypt(result);
    expect(opened.plaintext).toEqual(bytes(300, 5));
    expect(opened.context).toMatchObject(context);
  });

  it.each([
    ['0x0478', 0x0478],
    ['0x0578', 0x0578],
  ] as const)('the ESDK decrypts what sealflow encrypted through MemoryKms (suite %s)', async (_, suite) => {
    const kms = new MemoryKms();
    const { KeyMetadata } = await kms.createKey();
    const sealed = await createEngine({
      keyStore: memoryKeyStore(kms, { keyId: KeyMetadata.Arn }),
      suite,
      frameLength: 128,
    }).encrypt(bytes(300, 6), { context });
    const keyring = new KmsKeyringNode({ keyIds: [KeyMetadata.Arn], clientProvider: supplier(kms) });
    const { plaintext, messageHeader } = await esdk.decrypt(keyring, sealed);
    expect(new Uint8Array(plaintext)).toEqual(bytes(300, 6));
    expect(messageHeader.encryptionContext).toMatchObject(context);
  });
});
