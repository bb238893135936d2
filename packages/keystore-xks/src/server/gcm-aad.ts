import { XksLimits } from '../shared/xks-wire.js';

/**
 * The AAD the proxy hands to the key manager, binding the caller's AAD and the
 * ciphertextMetadata into one GCM tag (spec: xks-api.md §6, the spec's raw layout):
 *
 *   u16be(len(aad)) || aad || u8(len(metadata)) || metadata
 *
 * The length prefixes stop bytes moving between the two fields. An absent field and
 * an empty one are the same here (length 0), a deliberate difference from the
 * reference proxy, which hashes the AAD and tells "absent" from "empty".
 */
export function buildGcmAad(aad: Uint8Array | undefined, metadata: Uint8Array | undefined): Uint8Array {
  const a = aad ?? new Uint8Array(0);
  const m = metadata ?? new Uint8Array(0);
  // The callers cap both fields first; these are the format's own hard limits.
  if (a.length > XksLimits.maxAadBytes || m.length > XksLimits.maxCiphertextMetadataBytes) {
    throw new RangeError('AAD or ciphertextMetadata too long for the GCM AAD layout');
  }
  const out = new Uint8Array(2 + a.length + 1 + m.length);
  out[0] = a.length >>> 8;
  out[1] = a.length & 0xff;
  out.set(a, 2);
  out[2 + a.length] = m.length;
  out.set(m, 3 + a.length);
  return out;
}
