import { KmsKeyStore } from '@sealflow/core';
import type { MemoryKms } from '@sealflow/keystore-memory';
import { note, type CliContext } from '../cli-context.js';
import { openLocalKms } from './local-kms.js';
import { openAwsStore, openXksStore, type OpenedStore } from './remote-stores.js';
import { chooseStore, type StoreFlags } from './store-flags.js';

export type { OpenedStore } from './remote-stores.js';

/** The AWS-managed key S3 uses when no key is named; the embedded store creates it on first use. */
const DEFAULT_KEY = 'alias/aws/s3';

/**
 * The key store `encrypt` or `decrypt` runs against, from the flags: the embedded store
 * (default), AWS KMS (`--kms aws`) or an XKS proxy (`--xks URL`).
 *
 * On the embedded store, encrypt uses `--key` or `alias/aws/s3` (created on first use,
 * as in S3); decrypt names `--key` when given (KMS then refuses blobs of any other key),
 * else lets the KMS find the key from each blob (discovery).
 * @throws {InvalidArgumentError} (rejects) for a bad flag combination or store option.
 * @throws {KeyStoreError} (rejects) when the embedded store is missing, locked or corrupt.
 */
export async function openStore(
  context: CliContext,
  flags: StoreFlags,
  purpose: 'encrypt' | 'decrypt',
): Promise<OpenedStore> {
  const choice = chooseStore(flags, context.io.env);
  if (purpose === 'encrypt' && flags.key === undefined && choice.kind !== 'xks') {
    // A default that acts should say so: the data lands under a key the user never named.
    note(
      context,
      `sealflow: no -k/--key given: encrypting under the AWS-managed key ${DEFAULT_KEY}, as S3 does (name a key with -k)`,
    );
  }
  switch (choice.kind) {
    case 'aws':
      return openAwsStore(choice, flags.key, purpose);
    case 'xks':
      return openXksStore(choice, flags.key, context.io.env);
    case 'local': {
      const kms = await openLocalKms(context, purpose === 'encrypt' ? 'create' : 'existing');
      return localStore(kms, flags.key, purpose);
    }
  }
}

/**
 * A core `KmsKeyStore` over an open `MemoryKms`; closing it closes the KMS.
 * @throws {InvalidArgumentError} for a malformed key identifier.
 */
function localStore(kms: MemoryKms, key: string | undefined, purpose: 'encrypt' | 'decrypt'): OpenedStore {
  const store = new KmsKeyStore({
    client: kms,
    ...(key !== undefined
      ? { keyId: key }
      : purpose === 'decrypt'
        ? { discovery: true as const }
        : { keyId: DEFAULT_KEY }),
    principal: kms.principal,
    id: `embedded-kms:${key ?? (purpose === 'decrypt' ? 'any key' : DEFAULT_KEY)}`,
  });
  return { store, close: async () => kms.close() };
}
