import { nobleBackend } from '../crypto/noble-backend.js';
import { RawAesStoreBase, type RawAesKeyStoreOptions } from '../keys/raw-aes-store-base.js';

/**
 * The browser entry's raw AES key store: the same wire format and code as the Node
 * entry's (see {@link RawAesStoreBase}), sealing with `@noble/ciphers` unless `backend`
 * says otherwise.
 */
export class RawAesKeyStore extends RawAesStoreBase {
  /** @throws {InvalidArgumentError} for a bad namespace, name or key. */
  constructor(options: RawAesKeyStoreOptions) {
    super(options, nobleBackend);
  }
}
