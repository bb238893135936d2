import type { CipherBackend, CipherKey } from '../crypto/backend.js';
import { bytesEqual, readUint32, writeUint32 } from '../format/bytes.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import { IV_LENGTH, TAG_LENGTH } from '../format/suites.js';
import type { EncryptedDataKey, EncryptionContext } from './key-store.js';

/** One AES wrapping key as the ESDK raw AES keyring names it on the wire. */
export interface RawAesWrappingKey {
  /** Key namespace: the EDK provider ID. */
  readonly namespace: string;
  /** Key name, UTF-8: the start of the EDK provider info. */
  readonly name: Uint8Array;
  readonly key: CipherKey;
  readonly backend: CipherBackend;
}

/**
 * Whether `edk` has the raw AES keyring's shape for `wrapping` (spec: esdk
 * framework/raw-aes-keyring.md): provider ID = namespace; provider info =
 * `name || uint32 128 (tag bits) || uint32 12 (IV bytes) || IV`; ciphertext longer than a tag.
 */
export function isRawAesEdk(wrapping: Pick<RawAesWrappingKey, 'namespace' | 'name'>, edk: EncryptedDataKey): boolean {
  const info = edk.providerInfo;
  const n = wrapping.name.length;
  return (
    edk.providerId === wrapping.namespace &&
    info.length === n + 8 + IV_LENGTH &&
    bytesEqual(info.subarray(0, n), wrapping.name) &&
    readUint32(info, n) === TAG_LENGTH * 8 &&
    readUint32(info, n + 4) === IV_LENGTH &&
    edk.ciphertext.length > TAG_LENGTH
  );
}

/**
 * Wraps `dataKey` exactly as the ESDK raw AES keyring does: a random 12-byte IV,
 * `AES-GCM(key, IV, AAD = serialized context)`, EDK ciphertext = `ciphertext || tag`.
 * The AAD uses UTF-8 byte order (client-node: `utf8Sorting: true`).
 */
export function rawAesWrap(
  wrapping: RawAesWrappingKey,
  dataKey: Uint8Array,
  context: EncryptionContext,
): EncryptedDataKey {
  const { backend, name } = wrapping;
  const iv = backend.randomBytes(IV_LENGTH);
  const { ciphertext, tag } = backend.seal(wrapping.key, iv, serializeEncryptionContext(context), dataKey);
  const info = new Uint8Array(name.length + 8 + IV_LENGTH);
  info.set(name);
  writeUint32(info, name.length, TAG_LENGTH * 8);
  writeUint32(info, name.length + 4, IV_LENGTH);
  info.set(iv, name.length + 8);
  const sealed = new Uint8Array(ciphertext.length + TAG_LENGTH);
  sealed.set(ciphertext);
  sealed.set(tag, ciphertext.length);
  return { providerId: wrapping.namespace, providerInfo: info, ciphertext: sealed };
}

/**
 * Opens an EDK written by {@link rawAesWrap} (or any ESDK raw AES keyring) with `context`
 * as AAD. Returns undefined when `edk` is not of this key's shape or its tag does not
 * verify; never unverified bytes.
 */
export function rawAesUnwrap(
  wrapping: RawAesWrappingKey,
  edk: EncryptedDataKey,
  context: EncryptionContext,
): Uint8Array | undefined {
  if (!isRawAesEdk(wrapping, edk)) return undefined;
  const iv = edk.providerInfo.subarray(wrapping.name.length + 8);
  const split = edk.ciphertext.length - TAG_LENGTH;
  return wrapping.backend.open(
    wrapping.key,
    iv,
    serializeEncryptionContext(context),
    edk.ciphertext.subarray(0, split),
    edk.ciphertext.subarray(split),
  );
}
