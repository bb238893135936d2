import { timingSafeEqual } from 'node:crypto';
import type { XksKeyDescription, XksSealedBytes } from '../backend/key-backend.js';
import { encodeBase64 } from '../shared/base64.js';
import { computeCdiv } from '../shared/integrity.js';
import { XksLimits } from '../shared/xks-wire.js';
import { callBackend } from './backend-call.js';
import { buildGcmAad } from './gcm-aad.js';
import type { ResolvedProxyOptions } from './proxy-options.js';
import type { DecryptInput, EncryptInput } from './request-validation.js';
import { XksRequestError } from './xks-error.js';

/**
 * The three key operations, after the request has been routed, authenticated,
 * validated and authorized. Each returns the JSON response object.
 */
export class KeyOperations {
  readonly #options: ResolvedProxyOptions;

  constructor(options: ResolvedProxyOptions) {
    this.#options = options;
  }

  /** The key's description; `KeyNotFoundException` when the backend has no such key. */
  async describe(keyId: string): Promise<XksKeyDescription> {
    const { backend, backendTimeoutMs } = this.#options;
    const description = await callBackend('describe', backendTimeoutMs, () => backend.describe(keyId));
    if (description === undefined) throw new XksRequestError('KeyNotFoundException', 'no such external key');
    return description;
  }

  /** GetKeyMetadata (spec: xks-api.md §4.2). */
  async metadata(keyId: string): Promise<object> {
    const d = await this.describe(keyId);
    return { keySpec: d.keySpec, keyUsage: d.keyUsage.slice(0, XksLimits.maxKeyUsage), keyStatus: d.keyStatus };
  }

  /**
   * Encrypt (spec §4.3), with the CDIV when asked: computed over the encrypt output
   * first, then a verification decrypt of that same output (spec §7, Appendix C order).
   */
  async encrypt(keyId: string, input: EncryptInput): Promise<object> {
    const key = await this.describe(keyId);
    usable(key, 'ENCRYPT');
    // The CDIV promises a decrypt will succeed, which an encrypt-only key cannot check (spec §15 item 9).
    if (input.withCdiv) usable(key, 'DECRYPT');
    const { backend, backendTimeoutMs, ciphertextMetadata } = this.#options;
    const gcmAad = buildGcmAad(input.aad, ciphertextMetadata);
    const sealed = await callBackend('encrypt', backendTimeoutMs, () =>
      backend.encrypt(keyId, input.plaintext, gcmAad),
    );
    checkSealed(sealed, input.plaintext.length);
    const response: Record<string, string> = {
      ciphertext: encodeBase64(sealed.ciphertext),
      initializationVector: encodeBase64(sealed.iv),
      authenticationTag: encodeBase64(sealed.tag),
    };
    if (ciphertextMetadata !== undefined) response['ciphertextMetadata'] = encodeBase64(ciphertextMetadata);
    if (input.withCdiv) {
      const cdiv = computeCdiv({
        aad: input.aad,
        ciphertextMetadata,
        initializationVector: sealed.iv,
        ciphertext: sealed.ciphertext,
        authenticationTag: sealed.tag,
      });
      const check = await callBackend('encrypt: verification decrypt', backendTimeoutMs, () =>
        backend.decrypt(keyId, sealed, gcmAad),
      );
      const same = check.length === input.plaintext.length && timingSafeEqual(check, input.plaintext);
      check.fill(0);
      if (!same)
        throw new XksRequestError(
          'InternalException',
          'the encrypt result did not verify',
          'encrypt: verification decrypt differs',
        );
      response['ciphertextDataIntegrityValue'] = encodeBase64(cdiv);
    }
    return response;
  }

  /** Decrypt (spec §4.4). The caller wipes the returned plaintext once encoded. */
  async decrypt(keyId: string, input: DecryptInput): Promise<Uint8Array> {
    const key = await this.describe(keyId);
    usable(key, 'DECRYPT');
    const { backend, backendTimeoutMs } = this.#options;
    const gcmAad = buildGcmAad(input.aad, input.ciphertextMetadata);
    const sealed = { ciphertext: input.ciphertext, iv: input.iv, tag: input.tag };
    const plaintext = await callBackend('decrypt', backendTimeoutMs, () => backend.decrypt(keyId, sealed, gcmAad));
    if (plaintext.length !== input.ciphertext.length) {
      plaintext.fill(0);
      throw new XksRequestError('InternalException', 'the key manager returned a malformed result');
    }
    return plaintext;
  }
}

/** A disabled key is `InvalidStateException`; a missing usage is `InvalidKeyUsageException` (spec §9). */
function usable(key: XksKeyDescription, usage: 'ENCRYPT' | 'DECRYPT'): void {
  if (key.keyStatus !== 'ENABLED') throw new XksRequestError('InvalidStateException', 'the external key is disabled');
  if (!key.keyUsage.includes(usage)) {
    throw new XksRequestError('InvalidKeyUsageException', `the external key does not allow ${usage}`);
  }
}

/** A backend result must have the spec's shape: the tag split off, a 12 or 16 byte IV (spec §15 item 7). */
function checkSealed(sealed: XksSealedBytes, plaintextLength: number): void {
  if (
    sealed.ciphertext.length !== plaintextLength ||
    !XksLimits.ivBytes.includes(sealed.iv.length) ||
    sealed.tag.length !== XksLimits.tagBytes
  ) {
    throw new XksRequestError(
      'InternalException',
      'the key manager returned a malformed result',
      'encrypt: backend result has the wrong shape',
    );
  }
}
