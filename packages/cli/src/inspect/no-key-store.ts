import {
  ErrorCodes,
  KeyStoreError,
  type DataKey,
  type EncryptedDataKey,
  type GeneratedDataKey,
  type KeyStore,
} from '@sealflow/core';

const refuse = (): Promise<never> =>
  Promise.reject(new KeyStoreError(ErrorCodes.NO_DECRYPTABLE_KEY, 'inspect uses no key store', { store: 'none' }));

/** A key store that holds no key: `inspect` needs an engine, never a key. */
export const NO_KEY_STORE: KeyStore = Object.freeze({
  id: 'none',
  canUnwrap: (_edk: EncryptedDataKey): boolean => false,
  generateDataKey: (): Promise<GeneratedDataKey> => refuse(),
  wrapDataKey: (): Promise<EncryptedDataKey> => refuse(),
  unwrapDataKey: (): Promise<DataKey> => refuse(),
});
