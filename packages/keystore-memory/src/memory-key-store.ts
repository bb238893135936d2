import { InvalidArgumentError, ErrorCodes, KmsKeyStore, type KmsKeyStoreOptions } from '@sealflow/core';
import type { MemoryKms } from './memory-kms.js';

/** `KmsKeyStore` options, without `client` (the `MemoryKms` is it). */
export type MemoryKeyStoreOptions = Omit<KmsKeyStoreOptions, 'client'>;

/**
 * A core `KmsKeyStore` over a `MemoryKms`: the engine then writes ESDK AWS KMS keyring
 * EDKs (provider ID `aws-kms`, key ARN as provider info) through the in-process KMS.
 * With `principal`, the store calls KMS as that principal (`kms.as(principal)`); without,
 * as the KMS view's own principal.
 * @throws {InvalidArgumentError} for malformed options (see `KmsKeyStore`).
 */
export function memoryKeyStore(kms: MemoryKms, options: MemoryKeyStoreOptions = {}): KmsKeyStore {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'memoryKeyStore: expected an options object');
  }
  const principal = Object.hasOwn(options, 'principal') ? options.principal : undefined;
  const client = principal === undefined ? kms : kms.as(principal);
  return new KmsKeyStore({ ...options, client, principal: client.principal });
}
