import { nodeBackend } from '../crypto/node-backend.js';
import { RawAesStoreBase, type RawAesKeyStoreOptions } from './raw-aes-store-base.js';

export type { RawAesKeyStoreOptions } from './raw-aes-store-base.js';

/**
 * A key store over a local AES key, byte-compatible with the ESDK raw AES keyring
 * (spec: esdk framework/raw-aes-keyring.md); see {@link RawAesStoreBase} for the wire
 * format. Node entry: sealed with node:crypto unless `backend` says otherwise.
 */
export class RawAesKeyStore extends RawAesStoreBase {
  /** @throws {InvalidArgumentError} for a bad namespace, name or key. */
  constructor(options: RawAesKeyStoreOptions) {
    super(options, nodeBackend);
  }
}
