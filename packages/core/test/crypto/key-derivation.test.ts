// Known answers for the committing-suite key schedule (spec: esdk
// transitive-requirements.md#hkdf-commit-key) from the 46 published commitment vectors:
// for each positive vector's `decrypted-dek` and `message-id`, both backends must derive
// the published `commitment` and, where given, the `content-encryption-key`. (In the five
// negative vectors those fields describe the header, not the data key they ship with.)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeBackend, type CipherBackend } from '@sealflow/core';
import { deriveMessageKeys, getSuite, type AlgorithmSuite } from '@sealflow/core/frames';
import { nobleBackend } from '@sealflow/core/noble';

/** The published vectors, vendored in the repository (test/vectors/esdk, sources in NOTICE). */
const FILE = fileURLToPath(
  new URL('../../../../test/vectors/esdk/commitment/commitment-test-vectors.json', import.meta.url),
);

interface Vector {
  readonly ciphertext: string;
  readonly 'decrypted-dek': string;
  readonly 'message-id': string;
  readonly commitment: string;
  readonly 'content-encryption-key'?: string;
  readonly status: boolean;
}

const b64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? new Uint8Array(0)).toString('hex');

describe('committing key schedule: known answers from the ESDK commitment vectors', () => {
  // A missing file fails the suite (readFileSync throws); it is never skipped.
  const vectors = (JSON.parse(readFileSync(FILE, 'utf8')) as { tests: Vector[] }).tests;
  const positive = vectors.filter((v) => v.status);

  for (const backend of [nodeBackend, nobleBackend] as readonly CipherBackend[]) {
    it(`${backend.name}: derives the published commitment for all ${positive.length} positive vectors and the content key for the ${positive.filter((v) => v['content-encryption-key'] !== undefined).length} that publish it`, () => {
      expect(positive).toHaveLength(41);
      const wrong: string[] = [];
      for (const [i, v] of positive.entries()) {
        const message = b64(v.ciphertext);
        const suite = getSuite((message[1] as number) * 256 + (message[2] as number)) as AlgorithmSuite;
        const keys = deriveMessageKeys(backend, suite, b64(v['decrypted-dek']), b64(v['message-id']));
        if (hex(keys.commitment) !== hex(b64(v.commitment))) wrong.push(`positive #${i + 1} commitment`);
        const published = v['content-encryption-key'];
        if (published !== undefined && hex(keys.derivedKey) !== hex(b64(published)))
          wrong.push(`positive #${i + 1} content key`);
      }
      expect(wrong).toEqual([]);
    });
  }

  it('the vectors agree with their own headers: message ID at bytes 3-35; the commitment field equals the derived one exactly for the positive vectors', () => {
    for (const [i, v] of vectors.entries()) {
      const message = b64(v.ciphertext);
      expect(hex(message.subarray(3, 35)), `#${i + 1}`).toBe(hex(b64(v['message-id'])));
      const suite = getSuite((message[1] as number) * 256 + (message[2] as number)) as AlgorithmSuite;
      const derived = deriveMessageKeys(nodeBackend, suite, b64(v['decrypted-dek']), b64(v['message-id'])).commitment;
      // The derived commitment appears in the message (header field 10) exactly when the
      // vector is positive: the negatives ship a data key their header does not commit to.
      expect(Buffer.from(message).includes(Buffer.from(derived ?? [])), `#${i + 1}`).toBe(v.status);
    }
  });

  it('the commitment does not depend on the suite ID; the content key does', () => {
    const v = vectors[0] as Vector;
    const [dek, id] = [b64(v['decrypted-dek']), b64(v['message-id'])];
    const k478 = deriveMessageKeys(nodeBackend, getSuite(0x0478) as AlgorithmSuite, dek, id);
    const k578 = deriveMessageKeys(nodeBackend, getSuite(0x0578) as AlgorithmSuite, dek, id);
    expect(hex(k478.commitment)).toBe(hex(k578.commitment));
    expect(hex(k478.derivedKey)).not.toBe(hex(k578.derivedKey));
  });
});
