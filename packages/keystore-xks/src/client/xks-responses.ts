import { timingSafeEqual } from 'node:crypto';
import { decodeBase64Strict } from '../shared/base64.js';
import { computeCdiv } from '../shared/integrity.js';
import { XksLimits } from '../shared/xks-wire.js';

/**
 * Checks of what a proxy answers. The proxy is trusted with keys, not with memory
 * safety or shape: every field is decoded strictly and sized before use. A string
 * result says what is wrong.
 */

/** A checked Encrypt answer. */
export interface EncryptAnswer {
  readonly ciphertext: Uint8Array;
  readonly iv: Uint8Array;
  readonly tag: Uint8Array;
  readonly ciphertextMetadata: Uint8Array | undefined;
}

/** GetKeyMetadata, as answered. */
export interface XksKeyMetadata {
  readonly keySpec: string;
  readonly keyUsage: readonly string[];
  readonly keyStatus: string;
}

/** GetHealthStatus, as answered. */
export interface XksHealthStatus {
  readonly xksProxyFleetSize: number;
  readonly xksProxyVendor: string;
  readonly xksProxyModel: string;
  readonly ekmVendor: string;
  readonly ekmFleetDetails: readonly { readonly id: string; readonly model: string; readonly healthStatus: string }[];
}

type Json = Record<string, unknown>;

function base64Field(json: Json, name: string, optional = false): Uint8Array | undefined | string {
  const value = Object.hasOwn(json, name) ? json[name] : undefined;
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string') return `${name} is missing`;
  return decodeBase64Strict(value) ?? `${name} is not standard Base64`;
}

/**
 * Checks an Encrypt answer: ciphertext as long as the plaintext (the tag not
 * appended), a 12 or 16 byte IV, a 16 byte tag, metadata of at most 20 bytes, and,
 * when asked for, a CDIV equal to our own computation (spec: xks-api.md §4.3, §7).
 */
export function checkEncryptAnswer(
  json: Json,
  plaintextLength: number,
  aad: Uint8Array,
  expectCdiv: boolean,
): EncryptAnswer | string {
  const ciphertext = base64Field(json, 'ciphertext');
  const iv = base64Field(json, 'initializationVector');
  const tag = base64Field(json, 'authenticationTag');
  const metadata = base64Field(json, 'ciphertextMetadata', true);
  for (const field of [ciphertext, iv, tag, metadata]) if (typeof field === 'string') return field;
  const answer = { ciphertext, iv, tag, ciphertextMetadata: metadata } as EncryptAnswer;
  if (answer.ciphertext.length !== plaintextLength) return 'ciphertext is not as long as the plaintext';
  if (!XksLimits.ivBytes.includes(answer.iv.length)) return 'initializationVector is not 12 or 16 bytes';
  if (answer.tag.length !== XksLimits.tagBytes) return 'authenticationTag is not 16 bytes';
  if (
    answer.ciphertextMetadata !== undefined &&
    answer.ciphertextMetadata.length > XksLimits.maxCiphertextMetadataBytes
  ) {
    return 'ciphertextMetadata is longer than 20 bytes';
  }
  if (expectCdiv) {
    const cdiv = base64Field(json, 'ciphertextDataIntegrityValue');
    if (typeof cdiv === 'string') return cdiv;
    const ours = computeCdiv({
      aad,
      ciphertextMetadata: answer.ciphertextMetadata,
      initializationVector: answer.iv,
      ciphertext: answer.ciphertext,
      authenticationTag: answer.tag,
    });
    if (cdiv === undefined || cdiv.length !== ours.length || !timingSafeEqual(cdiv, ours)) {
      return 'ciphertextDataIntegrityValue does not match the answer (corrupted in transit or by the proxy)';
    }
  }
  return answer;
}

/** Checks a Decrypt answer: a plaintext of exactly `length` bytes. */
export function checkDecryptAnswer(json: Json, length: number): Uint8Array | string {
  const plaintext = base64Field(json, 'plaintext');
  if (typeof plaintext === 'string') return plaintext;
  if (plaintext === undefined || plaintext.length !== length) {
    plaintext?.fill(0);
    return 'plaintext is not as long as the ciphertext';
  }
  return plaintext;
}

/** Checks a GetKeyMetadata answer (spec §4.2). */
export function checkMetadataAnswer(json: Json): XksKeyMetadata | string {
  const { keySpec, keyUsage, keyStatus } = json;
  if (typeof keySpec !== 'string' || typeof keyStatus !== 'string') return 'keySpec or keyStatus is missing';
  if (
    !Array.isArray(keyUsage) ||
    keyUsage.length > XksLimits.maxKeyUsage ||
    !keyUsage.every((u) => typeof u === 'string')
  ) {
    return 'keyUsage is not a list of at most 10 strings';
  }
  return { keySpec, keyUsage: keyUsage as string[], keyStatus };
}

/** Checks a GetHealthStatus answer (spec §4.1). */
export function checkHealthAnswer(json: Json): XksHealthStatus | string {
  const { xksProxyFleetSize, xksProxyVendor, xksProxyModel, ekmVendor, ekmFleetDetails } = json;
  if (typeof xksProxyFleetSize !== 'number' || !Number.isInteger(xksProxyFleetSize) || xksProxyFleetSize < 1)
    return 'xksProxyFleetSize is not a positive integer';
  if (typeof xksProxyVendor !== 'string' || typeof xksProxyModel !== 'string' || typeof ekmVendor !== 'string')
    return 'a vendor or model field is missing';
  if (
    !Array.isArray(ekmFleetDetails) ||
    ekmFleetDetails.length < XksLimits.minFleetDetails ||
    ekmFleetDetails.length > XksLimits.maxFleetDetails
  ) {
    return 'ekmFleetDetails does not hold 1 to 10 entries';
  }
  const details = [];
  for (const entry of ekmFleetDetails as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return 'an ekmFleetDetails entry is not an object';
    const { id, model, healthStatus } = entry as Json;
    if (
      typeof id !== 'string' ||
      typeof model !== 'string' ||
      !['ACTIVE', 'DEGRADED', 'UNAVAILABLE'].includes(healthStatus as string)
    ) {
      return 'an ekmFleetDetails entry is malformed';
    }
    details.push({ id, model, healthStatus: healthStatus as string });
  }
  return { xksProxyFleetSize, xksProxyVendor, xksProxyModel, ekmVendor, ekmFleetDetails: details };
}
