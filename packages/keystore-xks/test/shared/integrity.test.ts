import { describe, expect, it } from 'vitest';
import { computeCdiv } from '../../src/shared/integrity.js';

describe('computeCdiv', () => {
  it('reproduces the value recomputed from the spec example (xks-api.md §7)', () => {
    const cdiv = computeCdiv({
      aad: Buffer.from('project=nile,department=marketing'),
      ciphertextMetadata: Buffer.from('key_version=1'),
      initializationVector: Buffer.from('HMrlRw85cAJUd5Ax', 'base64'),
      ciphertext: Buffer.from('ghxkK1txeDNn3q8Y', 'base64'),
      authenticationTag: Buffer.from('vBxN2ncH1oEkR8WVXpmyYQ==', 'base64'),
    });
    expect(Buffer.from(cdiv).toString('base64')).toBe('qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc=');
  });

  it('lets an absent AAD or metadata contribute nothing (no length prefixes)', () => {
    const base = {
      initializationVector: Buffer.from('iv'),
      ciphertext: Buffer.from('ct'),
      authenticationTag: Buffer.from('tag'),
    };
    expect(computeCdiv({ ...base, aad: undefined, ciphertextMetadata: undefined })).toEqual(
      computeCdiv({ ...base, aad: new Uint8Array(0), ciphertextMetadata: new Uint8Array(0) }),
    );
    expect(computeCdiv({ ...base, aad: Buffer.from('a'), ciphertextMetadata: undefined })).toEqual(
      computeCdiv({ ...base, aad: undefined, ciphertextMetadata: Buffer.from('a') }),
    );
  });
});
