import { copyBytes, writeUint16 } from '../format/bytes.js';
import type { AlgorithmSuite } from '../format/suites.js';
import type { CipherBackend } from './backend.js';

const DERIVE_KEY = new TextEncoder().encode('DERIVEKEY');
const COMMIT_KEY = new TextEncoder().encode('COMMITKEY');
const HASH_LENGTH = { sha256: 32, sha384: 48, sha512: 64 } as const;

export interface MessageKeys {
  /** The AES key for the header tag and the body. The caller wipes it. */
  readonly derivedKey: Uint8Array;
  /** The 32-byte key commitment (committing suites only). */
  readonly commitment: Uint8Array | undefined;
}

/**
 * Per-message keys from the data key and the message ID.
 *
 * Committing suites (spec: esdk transitive-requirements.md#hkdf-encryption-key):
 * HKDF-SHA512 with the 32-byte message ID as salt; info = suite ID || "DERIVEKEY" for the
 * content key and "COMMITKEY" (no suite ID) for the commitment. v1 suites: HKDF with a
 * zero salt of the hash length and info = suite ID || message ID, or the identity KDF.
 */
export function deriveMessageKeys(
  backend: CipherBackend,
  suite: AlgorithmSuite,
  dataKey: Uint8Array,
  messageId: Uint8Array,
): MessageKeys {
  const suiteId = new Uint8Array(2);
  writeUint16(suiteId, 0, suite.id);
  if (suite.kdf === undefined) return { derivedKey: copyBytes(dataKey), commitment: undefined };
  if (!suite.committing) {
    const info = new Uint8Array(2 + messageId.length);
    info.set(suiteId);
    info.set(messageId, 2);
    const salt = new Uint8Array(HASH_LENGTH[suite.kdf]);
    return { derivedKey: backend.hkdf(suite.kdf, dataKey, salt, info, suite.keyLength), commitment: undefined };
  }
  const info = new Uint8Array(2 + DERIVE_KEY.length);
  info.set(suiteId);
  info.set(DERIVE_KEY, 2);
  return {
    derivedKey: backend.hkdf(suite.kdf, dataKey, messageId, info, suite.keyLength),
    commitment: backend.hkdf(suite.kdf, dataKey, messageId, COMMIT_KEY, 32),
  };
}
