import type { EncryptedDataKey } from '@sealflow/core';
import { EXTERNAL_KEY_ID, XksLimits } from '../shared/xks-wire.js';

/** The EDK provider ID of data keys wrapped through an XKS proxy. */
export const XKS_PROVIDER_ID = 'sealflow-xks';

/** The providerInfo layout version written by this package. */
const LAYOUT_V1 = 0x01;
const TAG_BYTES = XksLimits.tagBytes;

/** Everything an XKS Decrypt needs, as carried in one EDK. */
export interface XksEdkFields {
  readonly keyId: string;
  readonly iv: Uint8Array;
  readonly ciphertextMetadata: Uint8Array | undefined;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/**
 * Encodes an XKS EDK (the README's "EDK layout" section is the normative text):
 *
 *   providerId   = "sealflow-xks"
 *   providerInfo = u8 version (0x01) || u8 len(keyId) || keyId (ASCII)
 *                  || u8 len(iv) || iv (12 or 16) || u8 len(metadata) || metadata (0..20)
 *   ciphertext   = XKS ciphertext (as long as the data key) || XKS authenticationTag (16)
 */
export function encodeXksEdk(fields: XksEdkFields): EncryptedDataKey {
  const keyId = new TextEncoder().encode(fields.keyId);
  const metadata = fields.ciphertextMetadata ?? new Uint8Array(0);
  const info = new Uint8Array(1 + 1 + keyId.length + 1 + fields.iv.length + 1 + metadata.length);
  let at = 0;
  info[at++] = LAYOUT_V1;
  info[at++] = keyId.length;
  info.set(keyId, at);
  at += keyId.length;
  info[at++] = fields.iv.length;
  info.set(fields.iv, at);
  at += fields.iv.length;
  info[at++] = metadata.length;
  info.set(metadata, at);
  const ciphertext = new Uint8Array(fields.ciphertext.length + TAG_BYTES);
  ciphertext.set(fields.ciphertext, 0);
  ciphertext.set(fields.tag, fields.ciphertext.length);
  return { providerId: XKS_PROVIDER_ID, providerInfo: info, ciphertext };
}

/**
 * Decodes an XKS EDK; undefined when it is not one this version wrote (another
 * provider, another layout version, or any length out of bounds). Never throws and
 * never allocates more than the input holds.
 */
export function decodeXksEdk(edk: EncryptedDataKey): XksEdkFields | undefined {
  if (edk.providerId !== XKS_PROVIDER_ID) return undefined;
  const info = edk.providerInfo;
  if (info.length < 1 || info[0] !== LAYOUT_V1) return undefined;
  let at = 1;
  const field = (min: number, max: number): Uint8Array | undefined => {
    const length = info[at];
    if (length === undefined || length < min || length > max || at + 1 + length > info.length) return undefined;
    const bytes = info.subarray(at + 1, at + 1 + length);
    at += 1 + length;
    return bytes;
  };
  const keyIdBytes = field(1, 128);
  const iv = field(12, 16);
  const metadata = field(0, XksLimits.maxCiphertextMetadataBytes);
  if (keyIdBytes === undefined || iv === undefined || metadata === undefined || at !== info.length) return undefined;
  if (!XksLimits.ivBytes.includes(iv.length)) return undefined;
  const keyId = String.fromCharCode(...keyIdBytes);
  if (!EXTERNAL_KEY_ID.test(keyId)) return undefined;
  if (edk.ciphertext.length <= TAG_BYTES) return undefined;
  const split = edk.ciphertext.length - TAG_BYTES;
  return {
    keyId,
    iv,
    ciphertextMetadata: metadata.length === 0 ? undefined : metadata,
    ciphertext: edk.ciphertext.subarray(0, split),
    tag: edk.ciphertext.subarray(split),
  };
}
