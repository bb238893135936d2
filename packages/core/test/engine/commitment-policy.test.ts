// The engine's commitment policy, applied through parseHeader's onSuite hook.
import { describe, expect, it } from 'vitest';
import { DEFAULT_DECRYPT_LIMITS, type SealflowError } from '@sealflow/core';
import { parseHeader } from '@sealflow/core/codecs';
import { headerParseOptions } from '../../src/engine/commitment-policy.js';

const v1Start = Uint8Array.of(1, 0x80, 0x01, 0x78);

describe('headerParseOptions', () => {
  it('refuses a non-committing (v1) suite as soon as the suite is read, under the default policy', () => {
    let thrown: unknown;
    try {
      parseHeader(
        v1Start,
        headerParseOptions({ limits: DEFAULT_DECRYPT_LIMITS, commitmentPolicy: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' }),
      );
    } catch (error) {
      thrown = error;
    }
    expect((thrown as SealflowError).code).toBe('ERR_COMMITMENT_POLICY');
  });

  it('lets a non-committing suite through under REQUIRE_ENCRYPT_ALLOW_DECRYPT', () => {
    const options = headerParseOptions({
      limits: DEFAULT_DECRYPT_LIMITS,
      commitmentPolicy: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT',
    });
    expect(parseHeader(v1Start, options)).toHaveProperty('need');
  });
});
