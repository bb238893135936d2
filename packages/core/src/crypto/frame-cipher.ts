import type { FrameCipher } from '../format/frame.js';
import type { CipherBackend, CipherKey } from './backend.js';

/**
 * The per-frame cipher of a {@link CipherBackend} (node:crypto, noble) under one message's
 * key: what FrameEncryptor and BodyDecryptor seal and open frames with.
 */
export function backendFrameCipher(backend: CipherBackend, key: CipherKey): FrameCipher {
  return {
    sealFrame: (iv, aad, content) => backend.seal(key, iv, aad, content),
    openFrame: (iv, aad, ciphertext, tag) => backend.open(key, iv, aad, ciphertext, tag),
  };
}
