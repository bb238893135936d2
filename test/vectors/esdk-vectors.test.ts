// Every vector of ../shared/vectors/esdk (manifest.json: ESDK-NET 4.0.x;
// generated-client-node/manifest.json: client-node 5.0.2) gives its published result
// under both commitment policies, one-shot and streaming. Commitment vectors:
// commitment-vectors.test.ts; truncation and bit flips: tamper.test.ts.
import { describe, expect, it } from 'vitest';
import { CommitmentPolicy, createEngine, ErrorCodes, type ErrorCode, type KeyStore } from '@sealflow/core';
import {
  CountingStore,
  decryptThroughStream,
  joined,
  loadManifest,
  storeFor,
  type ManifestTest,
  type MasterKey,
} from './support/vectors.js';

const POLICIES = [
  CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT,
] as const;
const PUBLIC_KEY = 'aws-crypto-public-key';

interface Expectation {
  readonly outcome: 'output' | 'error';
  readonly code?: ErrorCode;
}

/**
 * The published result under `policy`, and the code we must fail with: policy refusals
 * (v1 suites under REQUIRE/REQUIRE), a header tag over `body || 00 00` (the ESDK-NET 4.0.0
 * negatives) and locale-ordered raw-AES AAD (client-node's default keyring).
 */
function expectation(t: ManifestTest, policy: CommitmentPolicy, negativeCode: ErrorCode): Expectation {
  const published =
    policy === CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
      ? t.underRequire
      : t.plaintext === undefined
        ? 'error'
        : 'output';
  if (published === 'output') return { outcome: 'output' };
  if (t.plaintext !== undefined) return { outcome: 'error', code: ErrorCodes.COMMITMENT_POLICY };
  return { outcome: 'error', code: negativeCode };
}

function engineFor(
  t: ManifestTest,
  policy: CommitmentPolicy,
  stores: readonly KeyStore[] = t.masterKeys.map(storeFor),
) {
  const counting = stores.map((s) => new CountingStore(s));
  return { engine: createEngine({ keyStore: counting, commitmentPolicy: policy }), counting };
}

const options = (t: ManifestTest) => (t.cmm === 'RequiredEncryptionContext' ? { reproducedContext: t.context } : {});

function runManifest(relative: string, negativeCode: ErrorCode): void {
  const tests = loadManifest(relative);
  for (const policy of POLICIES) {
    describe(`under ${policy}`, () => {
      for (const t of tests) {
        const want = expectation(t, policy, negativeCode);
        if (want.outcome === 'output') {
          it(`${t.id}: decrypts to the published plaintext and context`, async () => {
            const { engine } = engineFor(t, policy);
            const result = await engine.decrypt(t.ciphertext, options(t));
            expect(Buffer.from(result.plaintext).equals(Buffer.from(t.plaintext as Uint8Array))).toBe(true);
            expect(result.header.suiteId).toBe(t.suite);
            expect(result.context).toMatchObject(t.context);
            expect(Object.hasOwn(result.context, PUBLIC_KEY)).toBe(t.suite === 0x0578 || t.suite === 0x0378);
          });
          it(`${t.id}: decryptStream (1000-byte writes) emits one header and the same plaintext`, async () => {
            const { engine } = engineFor(t, policy);
            const outcome = await decryptThroughStream(engine, t.ciphertext, options(t), 1000);
            expect(outcome.error).toBeUndefined();
            expect(outcome.headerEvents).toBe(1);
            expect(Buffer.from(joined(outcome.data)).equals(Buffer.from(t.plaintext as Uint8Array))).toBe(true);
          });
        } else {
          it(`${t.id}: fails with ${want.code as string} and releases no plaintext`, async () => {
            const { engine, counting } = engineFor(t, policy);
            await expect(engine.decrypt(t.ciphertext, options(t))).rejects.toMatchObject({ code: want.code });
            if (want.code === ErrorCodes.COMMITMENT_POLICY) {
              // Refused as soon as the suite ID is parsed: no key store was even asked.
              expect(counting.reduce((n, s) => n + s.calls, 0)).toBe(0);
            }
            const outcome = await decryptThroughStream(engine, t.ciphertext, options(t), 512);
            expect(outcome.error).toMatchObject({ code: want.code });
            expect(outcome.data).toEqual([]);
            expect(outcome.headerEvents).toBe(0);
            expect(engine.stats().messagesDecrypted).toBe(0);
          });
        }
      }
    });
  }
}

describe('ESDK-NET vectors (manifest.json)', () => {
  runManifest('manifest.json', ErrorCodes.AUTHENTICATION_FAILED);

  const tests = loadManifest('manifest.json');
  const required = tests.filter((t) => t.cmm === 'RequiredEncryptionContext');
  const stored = tests.filter(
    (t) => t.cmm === 'Default' && t.plaintext !== undefined && t.suite >= 0x0478 && Object.keys(t.context).length > 0,
  );
  const rsa = tests.filter((t) => t.masterKeys.some((k) => k['encryption-algorithm'] === 'rsa'));

  it('covers the 17 vectors the README lists, 4 of them required-context and 2 raw RSA', () => {
    expect(tests).toHaveLength(17);
    expect(required).toHaveLength(4);
    expect(rsa).toHaveLength(2);
  });

  for (const t of required) {
    it(`${t.id}: without the reproduced context no EDK unwraps (the pairs are in the wrapping AAD)`, async () => {
      const { engine } = engineFor(t, CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      await expect(engine.decrypt(t.ciphertext)).rejects.toMatchObject({ code: ErrorCodes.NO_DECRYPTABLE_KEY });
      const wrong = { ...t.context, key2: 'not-val2' };
      await expect(engine.decrypt(t.ciphertext, { reproducedContext: wrong })).rejects.toMatchObject({
        code: ErrorCodes.NO_DECRYPTABLE_KEY,
      });
    });
    it(`${t.id}: the header stores no caller pairs; decrypt returns the reproduced ones`, async () => {
      const { engine } = engineFor(t, CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      const stored = Object.keys(engine.inspect(t.ciphertext).context);
      expect(stored).toEqual(t.suite === 0x0578 ? [PUBLIC_KEY] : []);
      const result = await engine.decrypt(t.ciphertext, { reproducedContext: t.context });
      expect(result.context).toMatchObject(t.context);
    });
  }

  for (const t of stored) {
    it(`${t.id}: a reproduced context equal to the stored one is accepted, a contradicting one fails before any key-store call`, async () => {
      const { engine, counting } = engineFor(t, CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
      await expect(engine.decrypt(t.ciphertext, { reproducedContext: t.context })).resolves.toBeDefined();
      const before = counting.reduce((n, s) => n + s.calls, 0);
      await expect(engine.decrypt(t.ciphertext, { reproducedContext: { key1: 'other' } })).rejects.toMatchObject({
        code: ErrorCodes.CONTEXT_MISMATCH,
      });
      expect(counting.reduce((n, s) => n + s.calls, 0)).toBe(before);
    });
  }

  for (const t of rsa) {
    it(`${t.id}: each of the two RSA EDKs decrypts alone with its own OAEP hash, not with the other's`, async () => {
      for (const master of t.masterKeys) {
        const { engine } = engineFor(t, CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, [storeFor(master)]);
        const result = await engine.decrypt(t.ciphertext);
        expect(Buffer.from(result.plaintext).equals(Buffer.from(t.plaintext as Uint8Array))).toBe(true);
        const otherHash = master['padding-hash'] === 'sha512' ? 'sha256' : 'sha512';
        const wrong = engineFor(t, CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT, [
          storeFor({ ...master, 'padding-hash': otherHash }),
        ]);
        await expect(wrong.engine.decrypt(t.ciphertext)).rejects.toMatchObject({ code: ErrorCodes.NO_DECRYPTABLE_KEY });
      }
    });
  }
});

describe('client-node 5.0.2 vectors (generated-client-node/manifest.json)', () => {
  runManifest('generated-client-node/manifest.json', ErrorCodes.NO_DECRYPTABLE_KEY);

  it('includes both framing shapes: an empty final frame after whole frames, and a lone empty final frame', () => {
    const tests = loadManifest('generated-client-node/manifest.json');
    const engine = createEngine({ keyStore: storeFor((tests[0] as ManifestTest).masterKeys[0] as MasterKey) });
    for (const t of tests.filter((v) => v.id.includes('exact-multiple') || v.id.includes('empty-plaintext'))) {
      const info = engine.inspect(t.ciphertext);
      const body = t.ciphertext.subarray(info.headerLength);
      const regular = (t.plaintext as Uint8Array).length / info.frameLength;
      // regular frames of 32 + FL bytes, then a final frame of 40 bytes holding nothing
      expect(body.subarray(regular * (32 + info.frameLength), regular * (32 + info.frameLength) + 4)).toEqual(
        new Uint8Array([255, 255, 255, 255]),
      );
      const finalLength = body.subarray(regular * (32 + info.frameLength) + 20, regular * (32 + info.frameLength) + 24);
      expect(finalLength).toEqual(new Uint8Array(4));
    }
  });
});
