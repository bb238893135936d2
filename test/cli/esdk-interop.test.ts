// What the CLI writes is a standard ESDK v2 message: @aws-crypto/client-node's KMS keyring,
// over the same store file (MemoryKms, shaped like the SDK v3 client), reads it; and the
// CLI reads what client-node wrote.
import { readFileSync, writeFileSync } from 'node:fs';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  KmsKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  type KmsNodeClientSupplier,
} from '@aws-crypto/client-node';
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
  ])(
    'client-node decrypts what `sealflow encrypt --suite %s` wrote from %s (frame %i, %i bytes)',
    async (suite, source, frame, size) => {
      const plaintext = bytes(size);
      writeFileSync(box.path('in.bin'), plaintext);
      const args = [
        'encrypt',
        '-k',
        'alias/interop',
        '--suite',
        suite,
        '--frame-length',
        String(frame),
        '-c',
        'tenant=a',
      ];
      const run =
        source === 'stdin' ? await box.run(args, { input: plaintext }) : await box.run([...args, box.path('in.bin')]);
      expect(run.code).toBe(0);
      const opened = await withStore((kms) =>
        esdk.decrypt(new KmsKeyringNode({ keyIds: [arn], clientProvider: supplier(kms) }), run.stdout),
      );
      expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
      expect(opened.messageHeader.encryptionContext).toMatchObject({ tenant: 'a' });
    },
  );

  it.each([
    ['0x0478', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY],
    ['0x0578', AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384],
  ])('`sealflow decrypt` (whole and --range) reads what client-node wrote (suite %s)', async (_, suiteId) => {
    const plaintext = bytes(5000);
    const { result } = await withStore((kms) =>
      esdk.encrypt(new KmsKeyringNode({ generatorKeyId: arn, clientProvider: supplier(kms) }), plaintext, {
        encryptionContext: { tenant: 'b' },
        suiteId,
        frameLength: 1024,
      }),
    );
    writeFileSync(box.path('esdk.sealed'), result);
    const whole = await box.run(['decrypt', box.path('esdk.sealed'), '--expect-context', 'tenant=b']);
    expect(whole.stderr).toBe('');
    expect(whole.stdout.equals(plaintext)).toBe(true);
    const range = await box.run(['decrypt', box.path('esdk.sealed'), '--range', '1000-3000']);
    expect(range.stdout.equals(plaintext.subarray(1000, 3001))).toBe(true);
    expect(readFileSync(box.path('esdk.sealed')).equals(Buffer.from(result))).toBe(true);
  });

  it('`sealflow inspect` says who reads each EDK of a --bucket-key message, and its --json is all a stock ESDK needs (one KMS Decrypt, then the Raw AES keyring)', async () => {
    const plaintext = bytes(3000);
    const objectArn = 'arn:aws:s3:::archive/2026/report.pdf';
    const enc = await box.run(
      ['encrypt', '-k', 'alias/interop', '--bucket-key', '-c', `aws:s3:arn=${objectArn}`, '-o', box.path('b.sealed')],
      { input: plaintext },
    );
    expect(enc.code).toBe(0);
    const text = (await box.run(['inspect', box.path('b.sealed')])).stdout.toString();
    expect(text).toMatch(
      /read by: any ESDK with a Raw AES keyring \(namespace sealflow-bucket-data-key, key name [0-9a-f]{32}\) holding the unwrapped bucket key/,
    );
    expect(text).toContain('read by: sealflow, or client-node with @sealflow/esdk-keyring');
    const info = JSON.parse((await box.run(['inspect', box.path('b.sealed'), '--json'])).stdout.toString()) as {
      encryptedDataKeys: {
        providerId: string;
        key: string;
        reader: string;
        bucketContext?: Record<string, string>;
        bucketKey?: { layout: number; providerId: string; key: string; ciphertextBase64: string };
      }[];
    };
    const [wrapped, blob] = info.encryptedDataKeys;
    expect(wrapped).toMatchObject({
      providerId: 'sealflow-bucket-data-key',
      reader: 'esdk-raw-aes-keyring-bucket-key',
    });
    expect(blob).toMatchObject({
      providerId: 'sealflow-bucket-key',
      reader: 'sealflow-or-esdk-keyring',
      bucketKey: { layout: 2, providerId: 'aws-kms', key: arn },
    });
    // The recipe: KMS Decrypt(CiphertextBlob, KeyId, EncryptionContext = bucket context) -> bucket key.
    const bucketKey = await withStore(
      async (kms) =>
        (
          await kms.decrypt({
            CiphertextBlob: Buffer.from(blob?.bucketKey?.ciphertextBase64 ?? '', 'base64'),
            KeyId: blob?.bucketKey?.key ?? '',
            EncryptionContext: blob?.bucketContext ?? {},
          })
        ).Plaintext,
    );
    const keyring = new RawAesKeyringNode({
      keyNamespace: 'sealflow-bucket-data-key',
      keyName: wrapped?.key ?? '',
      unencryptedMasterKey: new Uint8Array(bucketKey),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
      utf8Sorting: true,
    });
    const opened = await esdk.decrypt(keyring, readFileSync(box.path('b.sealed')));
    expect(Buffer.from(opened.plaintext).equals(plaintext)).toBe(true);
    expect(opened.messageHeader.encryptionContext).toMatchObject({ 'aws:s3:arn': objectArn });
  });
});
