// The 46 key-commitment vectors (C, Java, Python and JS ESDKs) of
// ../shared/vectors/esdk/commitment, decrypted with the README's test keyring: a store
// that ignores the EDKs and returns `decrypted-dek`. This exercises everything after key
// unwrapping: commitment, KDF, header tag, frames (with IVs as read), signature, context.
import { describe, expect, it } from 'vitest';
import { reusedBuffer } from '../support/reused-buffer.js';
import { CommitmentPolicy, createEngine, ErrorCodes } from '@sealflow/core';
import {
  decryptThroughStream,
  joined,
  loadCommitmentVectors,
  StaticDekStore,
  type CommitmentVector,
} from './support/vectors.js';

const POLICIES = [
  CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
] as const;
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

function engineFor(vector: CommitmentVector, policy: CommitmentPolicy, dek: Uint8Array = vector.dek) {
  const store = new StaticDekStore(dek);
  return { store, engine: createEngine({ keyStore: store, commitmentPolicy: policy }) };
}

describe('ESDK key-commitment vectors (commitment/commitment-test-vectors.json)', () => {
  const vectors = loadCommitmentVectors();
  const label = (v: CommitmentVector): string => `#${v.number} (${v.comment.replace(/^\d+\.\s*/, '')})`;

  it('holds the 46 vectors, exactly #2, #12, #13, #20 and #21 negative', () => {
    expect(vectors).toHaveLength(46);
    expect(vectors.filter((v) => !v.status).map((v) => v.number)).toEqual([2, 12, 13, 20, 21]);
  });

  for (const policy of POLICIES) {
    describe(`under ${policy}`, () => {
      for (const v of vectors) {
        if (v.status) {
          it(`${label(v)}: decrypts to the joined plaintext-frames with the published context`, async () => {
            const { engine, store } = engineFor(v, policy);
            const result = await engine.decrypt(v.ciphertext);
            expect(same(result.plaintext, v.plaintext as Uint8Array)).toBe(true);
            expect(result.context).toEqual(v.context);
            expect(store.unwraps).toBe(1);
          });
          it(`${label(v)}: decryptIterable over one reused Buffer yields the same plaintext (nothing kept as a view)`, async () => {
            const { engine } = engineFor(v, policy);
            const parts: Uint8Array[] = [];
            for await (const part of engine.decryptIterable(reusedBuffer(v.ciphertext, 4096)))
              parts.push(Uint8Array.from(part));
            expect(same(joined(parts), v.plaintext as Uint8Array)).toBe(true);
          });
          it(`${label(v)}: decryptStream with 7-byte writes yields the same plaintext`, async () => {
            const { engine } = engineFor(v, policy);
            const outcome = await decryptThroughStream(engine, v.ciphertext, {}, 7);
            expect(outcome.error).toBeUndefined();
            expect(same(joined(outcome.data), v.plaintext as Uint8Array)).toBe(true);
          });
        } else {
          it(`${label(v)}: fails with ERR_COMMITMENT_MISMATCH after unwrapping, releasing no plaintext`, async () => {
            const { engine, store } = engineFor(v, policy);
            await expect(engine.decrypt(v.ciphertext)).rejects.toMatchObject({ code: ErrorCodes.COMMITMENT_MISMATCH });
            expect(store.unwraps).toBe(1);
            const outcome = await decryptThroughStream(engine, v.ciphertext, {}, 64);
            expect(outcome.error).toMatchObject({ code: ErrorCodes.COMMITMENT_MISMATCH });
            expect(outcome.data).toEqual([]);
            expect(outcome.headerEvents).toBe(0);
          });
        }
      }
    });
  }

  it('every positive vector fails with ERR_COMMITMENT_MISMATCH when the data key differs by one bit', async () => {
    for (const v of vectors.filter((x) => x.status)) {
      const dek = v.dek.slice();
      const at = v.number % dek.length;
      dek[at] = (dek[at] as number) ^ (1 << (v.number % 8));
      const { engine } = engineFor(v, CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, dek);
      await expect(engine.decrypt(v.ciphertext), label(v)).rejects.toMatchObject({
        code: ErrorCodes.COMMITMENT_MISMATCH,
      });
    }
  });

  it('the set covers non-framed bodies (#28, #32, #38, #40, #42, #44, #46) and frame length 1', () => {
    const engine = createEngine({ keyStore: new StaticDekStore(new Uint8Array(32)) });
    const nonFramed = vectors
      .filter((v) => engine.inspect(v.ciphertext).contentType === 'non-framed')
      .map((v) => v.number);
    expect(nonFramed).toEqual([28, 32, 38, 40, 42, 44, 46]);
    expect(vectors.filter((v) => engine.inspect(v.ciphertext).frameLength === 1).length).toBeGreaterThanOrEqual(4);
  });

  it('signed positives are refused right after the header when unsignedOnly is set', async () => {
    for (const v of vectors.filter((x) => x.status && Object.hasOwn(x.context, 'aws-crypto-public-key'))) {
      const { engine, store } = engineFor(v, CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      await expect(engine.decrypt(v.ciphertext, { unsignedOnly: true }), label(v)).rejects.toMatchObject({
        code: ErrorCodes.INVALID_ARGUMENT,
      });
      expect(store.unwraps).toBe(0);
    }
  });
});
