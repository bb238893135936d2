import { assertString, invalid, readOptions } from '../assert.js';
import { BUCKET_KEY_PROVIDER_ID } from './bucket-key-edk.js';

import type { OaepHash } from '../crypto/oaep-hash.js';

export type { OaepHash } from '../crypto/oaep-hash.js';

export interface RawRsaKeyStoreOptions {
  readonly namespace: string;
  readonly name: string;
  /** PEM (or DER) public key: needed to generate and wrap. */
  readonly publicKey?: string | Uint8Array;
  /** PEM (or DER) private key: needed to unwrap (its public half is used to wrap when `publicKey` is absent). */
  readonly privateKey?: string | Uint8Array;
  /** OAEP hash (MGF1 uses the same). Default sha256. */
  readonly oaepHash?: OaepHash;
}

/** `RawRsaKeyStoreOptions` after validation (keys not parsed yet: each entry parses its own way). */
export interface RawRsaSettings {
  readonly namespace: string;
  readonly name: string;
  readonly hash: OaepHash;
  readonly publicKey: string | Uint8Array | undefined;
  readonly privateKey: string | Uint8Array | undefined;
}

const OAEP_HASHES: readonly OaepHash[] = ['sha1', 'sha256', 'sha384', 'sha512'];

/**
 * Reads `RawRsaKeyStore` options, shared by the Node (node:crypto) and browser (WebCrypto) stores.
 * @throws {InvalidArgumentError} for bad names, hash, or no key at all.
 */
export function readRawRsaOptions(options: unknown): RawRsaSettings {
  const o = readOptions(options, 'RawRsaKeyStore options', [
    'namespace',
    'name',
    'publicKey',
    'privateKey',
    'oaepHash',
  ]);
  const namespace = assertString(o.raw('namespace'), 'RawRsaKeyStore namespace');
  const name = assertString(o.raw('name'), 'RawRsaKeyStore name');
  if (namespace.startsWith('aws-kms'))
    throw invalid('RawRsaKeyStore namespace', 'a namespace not starting with "aws-kms"', namespace);
  // The bucket-key envelope's provider ID is ours; a raw store under it would be ambiguous on decrypt.
  if (namespace === BUCKET_KEY_PROVIDER_ID)
    throw invalid('RawRsaKeyStore namespace', `a namespace other than "${BUCKET_KEY_PROVIDER_ID}"`, namespace);
  const hash = o.raw('oaepHash') ?? 'sha256';
  if (!OAEP_HASHES.includes(hash as OaepHash)) throw invalid('RawRsaKeyStore oaepHash', OAEP_HASHES.join(' | '), hash);
  const publicKey = o.raw('publicKey') as string | Uint8Array | undefined;
  const privateKey = o.raw('privateKey') as string | Uint8Array | undefined;
  if (publicKey === undefined && privateKey === undefined)
    throw invalid('RawRsaKeyStore', 'a publicKey or a privateKey', undefined);
  return { namespace, name, hash: hash as OaepHash, publicKey, privateKey };
}
