// The docs claim exactly what is true about who reads sealflow's messages: the old, broader
// claims are gone, the constants the docs print are the code's, and every claim names a
// suite that proves it (which this test checks exists and proves that behaviour).
import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUCKET_DATA_KEY_NAMESPACE, BUCKET_KEY_PROVIDER_ID, bucketKeyName, nodeBackend } from '@sealflow/core';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const docs = {
  readme: read('README.md'),
  cli: read('packages/cli/README.md'),
  format: read('docs/FORMAT.md'),
  bucketKeys: read('docs/bucket-keys.md'),
  keyring: read('packages/esdk-keyring/README.md'),
};
const flat = (text: string): string => text.replace(/\s+/g, ' ');

describe('what the docs claim about ESDK readers', () => {
  it('no longer claims that every ESDK reads everything, nor that bucket-key data keys come from HKDF', () => {
    expect(flat(docs.readme)).not.toContain('every ESDK reads what sealflow writes');
    expect(flat(docs.cli)).not.toContain('any AWS Encryption SDK with the matching keyring reads it');
    expect(flat(docs.cli)).not.toContain('own data key through HKDF');
  });

  it('prints the namespace, provider ID and key-name derivation the code uses', () => {
    for (const text of [docs.format, docs.bucketKeys]) {
      expect(text).toContain(BUCKET_DATA_KEY_NAMESPACE);
      expect(text).toContain(BUCKET_KEY_PROVIDER_ID);
    }
    const info = /info = "(sealflow bucket-key name v2)" \(27 bytes\), L = 16/.exec(flat(docs.bucketKeys))?.[1];
    expect(info).toBeDefined();
    const key = new Uint8Array(randomBytes(32));
    expect(bucketKeyName(nodeBackend, key)).toBe(
      Buffer.from(hkdfSync('sha512', key, new Uint8Array(0), info as string, 16)).toString('hex'),
    );
  });

  it.each([
    [
      'README: stock ESDK + Raw AES keyring after one KMS Decrypt',
      'readme',
      'Raw AES keyring once one KMS `Decrypt`',
      'test/bucket-keys/esdk-raw-aes.test.ts',
      'one KMS Decrypt of the header',
    ],
    [
      'README: client-node reads XKS messages with @sealflow/esdk-keyring',
      'readme',
      'client-node reads XKS messages too with `@sealflow/esdk-keyring`',
      'test/esdk-keyring/sealflow-keyring.test.ts',
      'opens XKS messages',
    ],
    [
      'CLI README: the recipe from inspect --json',
      'cli',
      '`sealflow inspect --json` shows the bucket key',
      'test/cli/esdk-interop.test.ts',
      'its --json is all a stock ESDK needs',
    ],
    [
      'CLI README: inspect says who reads each EDK',
      'cli',
      'which stock reader opens it',
      'packages/cli/test/inspect/describe-edk.test.ts',
      'says which stock reader opens each EDK',
    ],
    [
      'FORMAT.md: Raw AES keyring reads layout 2; the Python recipe',
      'format',
      'with its standard **Raw AES keyring**',
      'test/bucket-keys/esdk-python.test.ts',
      'aws-encryption-sdk decrypts the sample',
    ],
    [
      'FORMAT.md: no misdecrypt without the bucket key',
      'format',
      'never misdecrypts',
      'test/bucket-keys/esdk-interop.test.ts',
      'returns no plaintext',
    ],
    [
      'FORMAT.md: layout 1 is sealflow-only, still read',
      'format',
      'only sealflow reads layout 1',
      'test/esdk-keyring/sealflow-keyring.test.ts',
      'refuses a layout-1 bucket-key message',
    ],
    [
      'bucket-keys.md: tamper swaps fail',
      'bucketKeys',
      'No plaintext in any case',
      'test/bucket-keys/tamper-swap.test.ts',
      'swapping parts of two layout-2 bucket-key messages',
    ],
  ] as const)('%s: the claim is made, and its proof exists', (_, doc, claim, proof, title) => {
    expect(flat(docs[doc])).toContain(claim);
    expect(existsSync(new URL(`../../${proof}`, import.meta.url))).toBe(true);
    expect(read(proof)).toContain(title);
  });
});
