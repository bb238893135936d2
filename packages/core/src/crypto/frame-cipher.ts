import type { FrameCipher, SealedFrame } from '../format/frame.js';
import type { CipherBackend, CipherKey } from './backend.js';

/**
 * A backend's seal and open under one key, as methods of one class (not a pair of closures
 * made per message): every message's cipher then shares the same two functions, so the
 * per-frame call site stays monomorphic and inlinable.
 */
class BackendFrameCipher implements FrameCipher {
  readonly #backend: CipherBackend;
  readonly #key: CipherKey;

  constructor(backend: CipherBackend, key: CipherKey) {
    this.#backend = backend;
    this.#key = key;
  }

  sealFrame(iv: Uint8Array, aad: Uint8Array, content: Uint8Array): SealedFrame {
    return this.#backend.seal(this.#key, iv, aad, content);
  }

  openFrame(iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | undefined {
    return this.#backend.open(this.#key, iv, aad, ciphertext, tag);
  }
}

/**
 * The per-frame cipher of a {@link CipherBackend} (node:crypto, noble) under one message's
 * key: what FrameEncryptor and BodyDecryptor seal and open frames with.
 */
export function backendFrameCipher(backend: CipherBackend, key: CipherKey): FrameCipher {
  return new BackendFrameCipher(backend, key);
}
