// Matching pairs of sealflow key stores and @aws-crypto/client-node keyrings over the
// same key material, and small helpers to run one message through either side.
import { generateKeyPairSync } from 'node:crypto';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy as EsdkPolicy,
  MultiKeyringNode,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  RawRsaKeyringNode,
  type KeyringNode,
} from '@aws-crypto/client-node';
import { RawAesKeyStore, RawRsaKeyStore, type EncryptionContext } from '@sealflow/core';

const esdk = buildClient(EsdkPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

export const NAMESPACE = 'sealflow-interop';

/** client-node's suite identifiers for our two suites. */
export const ESDK_SUITE = {
  0x0478: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
  0x0578: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
} as const;

/** A fixed AES key (tests must be reproducible); a fresh copy each call. */
export function aesKey(seed: number): Uint8Array {
  return new Uint8Array(32).map((_, i) => (i * 31 + seed * 17 + 5) & 0xff);
}

export interface AesPeer {
  readonly name: string;
  readonly store: RawAesKeyStore;
  /** client-node keyring with `utf8Sorting: true` (byte-order AAD, like the spec and us). */
  readonly keyring: RawAesKeyringNode;
  /** client-node keyring as built by default (`utf8Sorting` unset: locale-ordered AAD). */
  readonly defaultKeyring: RawAesKeyringNode;
}

export function aesPeer(name: string, seed: number): AesPeer {
  const keyring = (utf8Sorting: boolean | undefined): RawAesKeyringNode =>
    new RawAesKeyringNode({
      keyNamespace: NAMESPACE,
      keyName: name,
      // client-node refuses views into Node's shared buffer pool: give it its own buffer.
      unencryptedMasterKey: aesKey(seed),
      wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
      ...(utf8Sorting === undefined ? {} : { utf8Sorting }),
    });
  return {
    name,
    store: new RawAesKeyStore({ namespace: NAMESPACE, name, key: aesKey(seed) }),
    keyring: keyring(true),
    defaultKeyring: keyring(undefined),
  };
}

/** client-node's multi-keyring: `generator` makes the data key, `children` wrap it too. */
export function multiKeyring(generator: KeyringNode, ...children: KeyringNode[]): MultiKeyringNode {
  return new MultiKeyringNode({ generator, children });
}

export type OaepHash = 'sha1' | 'sha256';

export interface RsaPeer {
  readonly store: RawRsaKeyStore;
  readonly keyring: RawRsaKeyringNode;
}

let pair: { publicKey: string; privateKey: string } | undefined;
/** One RSA-2048 key pair per run (generation is the slow part). */
function rsaPair(): { publicKey: string; privateKey: string } {
  pair ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return pair;
}

export function rsaPeer(name: string, oaepHash: OaepHash): RsaPeer {
  const { publicKey, privateKey } = rsaPair();
  return {
    store: new RawRsaKeyStore({ namespace: NAMESPACE, name, publicKey, privateKey, oaepHash }),
    keyring: new RawRsaKeyringNode({
      keyNamespace: NAMESPACE,
      keyName: name,
      rsaKey: { publicKey, privateKey },
      oaepHash,
    }),
  };
}

/** Encrypts with client-node. */
export async function esdkEncrypt(
  keyring: KeyringNode,
  plaintext: Uint8Array,
  suite: 0x0478 | 0x0578,
  frameLength: number,
  context: EncryptionContext,
): Promise<Uint8Array> {
  const { result } = await esdk.encrypt(keyring, plaintext, {
    encryptionContext: { ...context },
    frameLength,
    suiteId: ESDK_SUITE[suite],
  });
  return new Uint8Array(result.buffer, result.byteOffset, result.byteLength);
}

/** Decrypts with client-node; returns the plaintext and the context it authenticated. */
export async function esdkDecrypt(
  keyring: KeyringNode,
  ciphertext: Uint8Array,
): Promise<{ plaintext: Uint8Array; context: Record<string, string> }> {
  const { plaintext, messageHeader } = await esdk.decrypt(keyring, ciphertext);
  return {
    plaintext: new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength),
    context: { ...messageHeader.encryptionContext },
  };
}

/** Bytes equality with a short failure message instead of a multi-MiB diff. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
