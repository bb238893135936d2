// The native backend inside the engine: `createEngine({ backend: 'native' | 'node' |
// 'noble' | 'auto' })`, byte-identical messages across the three, cross-decryption for the
// signing suite, the same failure for a tampered or truncated message, and `auto` being
// native once @sealflow/native loaded.
import { describe, expect, it } from 'vitest';
import { autoBackend, createEngine, nodeBackend, SealflowError, type CipherBackend, type Engine } from '@sealflow/core';
import { createTestEngine } from '@sealflow/core/testing';
import { nobleBackend } from '@sealflow/core/noble';
import { nativeBackend } from '@sealflow/native';
import { nativeNotice } from '../packages/cli/src/engine-options.js';
import {
  ENCRYPT_APIS,
  encryptVia,
  fixedMaterials,
  patternBytes,
  rawAesStore,
} from '../packages/core/test/engine/fixtures.js';

const NAMES = ['native', 'node', 'noble'] as const;
const SIZES = [0, 1, 4095, 4096, 4097, 3 * 4096 + 5, 200_000];

function engines(suite: 0x0478 | 0x0578, frameLength: number): Record<(typeof NAMES)[number], Engine> {
  const store = rawAesStore();
  return {
    native: createTestEngine({ keyStore: store, suite, frameLength, backend: 'native' }),
    node: createTestEngine({ keyStore: store, suite, frameLength, backend: 'node' }),
    noble: createTestEngine({ keyStore: store, suite, frameLength, backend: 'noble' }),
  };
}

async function failureCode(engine: Engine, ciphertext: Uint8Array): Promise<string> {
  try {
    await engine.decrypt(ciphertext);
  } catch (error) {
    if (error instanceof SealflowError) return error.code;
    throw error;
  }
  throw new Error('decrypt succeeded');
}

describe('the native backend in the engine', () => {
  it('loads here (cargo built it) and is what auto resolves to', () => {
    expect(nativeBackend).toBeDefined();
    expect(autoBackend()).toBe(nativeBackend);
    expect(autoBackend()).not.toBe(nodeBackend);
    expect(nobleBackend.name).toBe('noble');
    // Loaded: the CLI and the bench print no "not loaded" notice.
    expect(nativeNotice()).toBeUndefined();
  });

  for (const frameLength of [1, 100, 4096]) {
    it(`native, node and noble write the same bytes (suite 0x0478, frames of ${frameLength})`, async () => {
      const all = engines(0x0478, frameLength);
      const options = await fixedMaterials(rawAesStore());
      for (const size of frameLength === 1 ? [0, 1, 2, 300] : SIZES) {
        const plaintext = patternBytes(size, frameLength);
        const sealed = await Promise.all(NAMES.map((n) => all[n].encrypt(plaintext, options)));
        expect(Buffer.from(sealed[0] as Uint8Array).equals(sealed[1] as Uint8Array), `native vs node, ${size} B`).toBe(
          true,
        );
        expect(Buffer.from(sealed[2] as Uint8Array).equals(sealed[1] as Uint8Array), `noble vs node, ${size} B`).toBe(
          true,
        );
        for (const n of NAMES) {
          const { plaintext: back } = await all[n].decrypt(sealed[0] as Uint8Array);
          expect(Buffer.from(back).equals(plaintext)).toBe(true);
        }
      }
    });
  }

  it('each backend decrypts what the others sealed, signing suite 0x0578', async () => {
    const all = engines(0x0578, 4096);
    for (const size of SIZES) {
      const plaintext = patternBytes(size, 9);
      for (const from of NAMES) {
        const sealed = await all[from].encrypt(plaintext);
        for (const to of NAMES) {
          const { plaintext: back } = await all[to].decrypt(sealed);
          expect(Buffer.from(back).equals(plaintext), `${from} -> ${to}, ${size} B`).toBe(true);
        }
      }
    }
  });

  it('a tampered or truncated message fails the same way on every backend', async () => {
    for (const suite of [0x0478, 0x0578] as const) {
      const all = engines(suite, 4096);
      const sealed = await all.node.encrypt(patternBytes(3 * 4096 + 100, 1));
      const cases = [
        Uint8Array.from(sealed, (b, i) => (i === sealed.length - 5000 ? b ^ 1 : b)),
        Uint8Array.from(sealed, (b, i) => (i === sealed.length - 120 ? b ^ 0x40 : b)),
        sealed.subarray(0, sealed.length - 7),
        sealed.subarray(0, sealed.length - 4096 - 100),
      ];
      for (const [i, bad] of cases.entries()) {
        const codes = await Promise.all(NAMES.map((n) => failureCode(all[n], bad)));
        expect(new Set(codes).size, `suite ${suite} case ${i}: ${codes.join(', ')}`).toBe(1);
      }
    }
  });

  it('seals whole frames in batches (one native call each) on every encrypt API, same bytes', async () => {
    const native = nativeBackend as CipherBackend;
    let batches = 0;
    let batchedFrames = 0;
    const counting: CipherBackend = {
      ...native,
      sealRegularFrames(key, messageId, frameLength, first, input, output) {
        batches++;
        batchedFrames += input.length / frameLength;
        (native.sealRegularFrames as NonNullable<CipherBackend['sealRegularFrames']>)(
          key,
          messageId,
          frameLength,
          first,
          input,
          output,
        );
      },
    };
    const store = rawAesStore();
    const options = await fixedMaterials(store);
    const plaintext = patternBytes(50 * 1000 + 17, 3);
    for (const api of ENCRYPT_APIS) {
      for (const writes of [[plaintext.length], [7, 2999, 1000], [64 * 1024]]) {
        batches = 0;
        batchedFrames = 0;
        const viaNative = await encryptVia(
          api,
          createTestEngine({ keyStore: store, frameLength: 1000, backend: counting }),
          plaintext,
          options,
          writes,
        );
        const viaNode = await encryptVia(
          api,
          createTestEngine({ keyStore: store, frameLength: 1000, backend: 'node' }),
          plaintext,
          options,
          writes,
        );
        expect(Buffer.from(viaNative).equals(viaNode), `${api} ${writes.join('/')}`).toBe(true);
        expect(batches, `${api} ${writes.join('/')}`).toBeGreaterThan(0);
        expect(batchedFrames).toBeGreaterThan(writes[0] === 7 ? 20 : 40);
      }
    }
  });

  it('refuses an unknown backend name', () => {
    expect(() => createEngine({ keyStore: rawAesStore(), backend: 'openssl' as 'node' })).toThrow(SealflowError);
  });
});
