import { createHash } from 'node:crypto';

/** The five byte strings the ciphertext data integrity value covers. */
export interface IntegrityInputs {
  readonly aad: Uint8Array | undefined;
  readonly ciphertextMetadata: Uint8Array | undefined;
  readonly initializationVector: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly authenticationTag: Uint8Array;
}

/**
 * The ciphertext data integrity value (CDIV) of an Encrypt result:
 * SHA-256(aad || ciphertextMetadata || iv || ciphertext || tag) over raw bytes, with no
 * length prefixes; an absent field contributes nothing (spec: xks-api.md §7).
 */
export function computeCdiv(inputs: IntegrityInputs): Uint8Array {
  const hash = createHash('sha256');
  if (inputs.aad !== undefined) hash.update(inputs.aad);
  if (inputs.ciphertextMetadata !== undefined) hash.update(inputs.ciphertextMetadata);
  hash.update(inputs.initializationVector);
  hash.update(inputs.ciphertext);
  hash.update(inputs.authenticationTag);
  return new Uint8Array(hash.digest());
}
