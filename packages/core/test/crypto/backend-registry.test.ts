// Without @sealflow/native loaded (this file never imports it), `auto` is node:crypto and
// `native` is refused with a typed error, not a crash: the fallback on machines without
// cargo or a prebuilt binary.
import { describe, expect, it } from 'vitest';
import {
  autoBackend,
  createEngine,
  ErrorCodes,
  nodeBackend,
  registerCipherBackend,
  SealflowError,
} from '@sealflow/core';
import { rawAesStore } from '../engine/fixtures.js';

describe('backend names', () => {
  it('auto is node:crypto when nothing native registered', async () => {
    expect(autoBackend()).toBe(nodeBackend);
    const engine = createEngine({ keyStore: rawAesStore() });
    const sealed = await engine.encrypt(new Uint8Array([1, 2, 3]));
    expect(
      Array.from((await createEngine({ keyStore: rawAesStore(), backend: 'node' }).decrypt(sealed)).plaintext),
    ).toEqual([1, 2, 3]);
  });

  it('native before it loads, and unknown names, are INVALID_ARGUMENT', () => {
    for (const backend of ['native', 'openssl', '']) {
      let caught: unknown;
      try {
        createEngine({ keyStore: rawAesStore(), backend: backend as 'native' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(SealflowError);
      expect((caught as SealflowError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
    }
  });

  it('registration accepts only native/noble CipherBackends', () => {
    expect(() => registerCipherBackend('node' as 'native', nodeBackend)).toThrow(SealflowError);
    expect(() => registerCipherBackend('native', {} as typeof nodeBackend)).toThrow(SealflowError);
    expect(autoBackend()).toBe(nodeBackend);
  });
});
