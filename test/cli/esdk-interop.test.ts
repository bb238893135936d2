// What the CLI writes is a standard ESDK v2 message: @aws-crypto/client-node's KMS keyring,
// over the same store file (MemoryKms, shaped like the SDK v3 client), reads it; and the
// CLI reads what client-node wrote.
import { readFileSync, writeFileSync } from 'node:fs';
import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, KmsKeyringNode, type KmsNodeClientSupplier } from '@aws-crypto/client-node';
import { MemoryKms } from '@sealflow/keystore-memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes } from './support/messages.js';
import { PASSPHRASE, sandbox, type CliSandbox } from './support/run-cli.js';

const esdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
// client-node calls the supplied client like an SDK v3 client; its declared type is v2-flavoured.
const supplier = (kms: MemoryKms): KmsNodeClientSupplier => (() => kms) as unknown as KmsNodeClientSupplier;

let box: CliSandbox;
let arn: string;
beforeEach(async () => {
  box = sandbox();
  const created = await box.run(['keys', 'create', '--alias', 'alias/interop', '--json']);
  arn = (JSON.parse(created.stdout.toString()) as { arn: string }).arn;
});
afterEach(() => box.remove());

async function withStore<T>(work: (kms: MemoryKms) => Promise<T>): Promise<T> {
  const kms = await MemoryKms.open({ path: box.keystore, passphrase: PASSPHRASE });
  try {
    return await work(kms);
  } finally {
    await kms.close();
  }
}

describe('sealflow CLI and @aws-crypto/client-node', () => {
  it.each([
    ['0x0478', 'a file', 4096, 3 * 4096 + 11],
    ['0x0578', 'a file', 4096, 2 * 4096],
    ['0x0478', 'stdin', 1024, 4 * 1024],
  ])('client-node decrypts what `sealflow encrypt --suite %s` wrote from %s (frame %i, %i bytes)', async (suite, source, frame, size) => {
    const plaintext = bytes(size);
    writeFileSync(box.path('in.bin'), plaintext);
    const args = ['encrypt', '-k', 'alias/interop', '--suite', suite, '--frame-length', String(frame), '-c', 'tenant=a'];
    const run = source === 'stdin' ? await box.run(args, { input: plaintext }) : await box.run([...args, box.path('in.bin')]);
    expect(run.code).toBe(0);
    const opened = await withStore((kms) => esdk.decrypt(new KmsKeyringNode({ keyIds: [arn], clientProvider: supplier(kms) }), run.stdout));
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    expect(opened.messageHeader.encryptionContext).toMatchObject({ tenant: 'a' });
  });

  it.each([
    ['0x0478', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY],
    ['0x0578', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384],
  ])('`sealflow decrypt` (whole and --range) reads what client-node wrote (suite %s)', async (_, suiteId) => {
    const plaintext = bytes(5000);
    const { result } = await withStore((kms) =>
      esdk.encrypt(new KmsKeyringNode({ generatorKeyId: arn, clientProvider: supplier(kms) }), plaintext, { encryptionContext: { tenant: 'b' }, suiteId, frameLength: 1024 }),
    );
    writeFileSync(box.path('esdk.sealed'), result);
    const whole = await box.run(['decrypt', box.path('esdk.sealed'), '--expect-context', 'tenant=b']);
    expect(whole.stderr).toBe('');
    expect(whole.stdout.equals(plaintext)).toBe(true);
    const range = await box.run(['decrypt', box.path('esdk.sealed'), '--range', '1000-3000']);
    expect(range.stdout.equals(plaintext.subarray(1000, 3001))).toBe(true);
    expect(readFileSync(box.path('esdk.sealed')).equals(Buffer.from(result))).toBe(true);
  });
});
