import type { XksErrorName } from '../shared/xks-wire.js';

/** Whether a key may be used at all (spec: xks-api.md §4.2). */
export type XksKeyStatus = 'ENABLED' | 'DISABLED';

/** A key usage as GetKeyMetadata reports it; ENCRYPT and DECRYPT are the ones XKS needs. */
export type XksKeyUsage = 'ENCRYPT' | 'DECRYPT' | 'DERIVE' | 'SIGN' | 'VERIFY' | 'WRAP' | 'UNWRAP';

/** Every key usage GetKeyMetadata may report (spec: xks-api.md §4.2). */
export const XKS_KEY_USAGES: readonly XksKeyUsage[] = [
  'ENCRYPT',
  'DECRYPT',
  'DERIVE',
  'SIGN',
  'VERIFY',
  'WRAP',
  'UNWRAP',
];

/** Whether `value` is a list of 1 to 10 known key usages. */
export function isKeyUsageList(value: unknown): value is readonly XksKeyUsage[] {
  return (
    Array.isArray(value) &&
    value.length >= 1 &&
    value.length <= 10 &&
    value.every((u) => XKS_KEY_USAGES.includes(u as XksKeyUsage))
  );
}

/** What the proxy needs to know about a key before it uses it. */
export interface XksKeyDescription {
  /** Only `AES_256` keys exist in XKS v1. */
  readonly keySpec: 'AES_256';
  readonly keyUsage: readonly XksKeyUsage[];
  readonly keyStatus: XksKeyStatus;
}

/** One AES-GCM result: the tag is separate, never appended (spec: xks-api.md §4.3). */
export interface XksSealedBytes {
  readonly ciphertext: Uint8Array;
  /** 12 or 16 bytes, chosen by the backend, never by the caller. */
  readonly iv: Uint8Array;
  /** 16 bytes. */
  readonly tag: Uint8Array;
}

/** One key manager behind the proxy, as GetHealthStatus reports it. */
export interface XksEkmMember {
  readonly id: string;
  readonly model: string;
  readonly healthStatus: 'ACTIVE' | 'DEGRADED' | 'UNAVAILABLE';
}

/**
 * Where the proxy's key material lives. The proxy validates, authenticates,
 * authorizes, checks key state and usage, and builds the GCM AAD; a backend only
 * answers for keys and seals or opens bytes. Backends never log plaintext.
 *
 * Errors: throw {@link XksBackendError} to choose the XKS error name; anything else
 * becomes `InternalException` (500).
 */
export interface XksKeyBackend {
  /** Vendor name reported as `ekmVendor` by GetHealthStatus. */
  readonly vendor: string;
  /** The key's description, or undefined when there is no such key. */
  describe(keyId: string): Promise<XksKeyDescription | undefined>;
  /** AES-256-GCM encrypts `plaintext` under the key with `aad` as the GCM AAD. */
  encrypt(keyId: string, plaintext: Uint8Array, aad: Uint8Array): Promise<XksSealedBytes>;
  /**
   * Opens `sealed` under the key with `aad`.
   * @throws {XksBackendError} `InvalidCiphertextException` when the tag does not verify.
   */
  decrypt(keyId: string, sealed: XksSealedBytes, aad: Uint8Array): Promise<Uint8Array>;
  /** The key managers behind this backend and their health (a shallow check). */
  members(): Promise<readonly XksEkmMember[]>;
  /** Releases resources; the proxy calls it on close when it owns the backend. */
  close?(): Promise<void>;
}

/** A backend failure that maps to a specific XKS error name. */
export class XksBackendError extends Error {
  readonly errorName: XksErrorName;

  constructor(errorName: XksErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errorName = errorName;
  }

  override get name(): string {
    return 'XksBackendError';
  }
}
