// Loading the ESDK vectors vendored in test/vectors/esdk (published AWS data, Apache-2.0;
// sources in that folder's README.md and the repository's NOTICE) and the key stores they
// need. A missing vector file is a failure of the suite that needs it, never a skip.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DataKey,
  RawAesKeyStore,
  RawRsaKeyStore,
  type EncryptedDataKey,
  type Engine,
  type EncryptionContext,
  type GeneratedDataKey,
  type KeyStore,
  type KeyStoreRequest,
  type DecryptOptions,
} from '@sealflow/core';

/** test/vectors/support -> test/vectors/esdk, vendored in the repository. */
export const VECTORS_DIR = fileURLToPath(new URL('../esdk/', import.meta.url));

export interface MasterKey {
  readonly type: string;
  readonly key: string;
  readonly 'provider-id': string;
  readonly 'encryption-algorithm': 'aes' | 'rsa';
  readonly 'padding-algorithm'?: string;
  readonly 'padding-hash'?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
}

export interface ManifestTest {
  readonly id: string;
  readonly description?: string;
  readonly ciphertext: Uint8Array;
  readonly masterKeys: readonly MasterKey[];
  readonly cmm: 'Default' | 'RequiredEncryptionContext';
  readonly context: EncryptionContext;
  /** The plaintext for `output` results; undefined for `error` results. */
  readonly plaintext: Uint8Array | undefined;
  readonly suite: number;
  /** Outcome under REQUIRE_ENCRYPT_REQUIRE_DECRYPT (the `x-result-under-...` field, else `result`). */
  readonly underRequire: 'output' | 'error';
}

interface RawManifest {
  readonly tests: Record<
    string,
    {
      readonly description?: string;
      readonly ciphertext: string;
      readonly 'master-keys': MasterKey[];
      readonly cmm?: 'Default' | 'RequiredEncryptionContext';
      readonly 'encryption-context'?: Record<string, string>;
      readonly result: { readonly output?: { readonly plaintext: string }; readonly error?: unknown };
      readonly 'x-result-under-REQUIRE_ENCRYPT_REQUIRE_DECRYPT'?: 'output' | 'error';
    }
  >;
}

interface RawKey {
  readonly type: string;
  readonly algorithm: string;
  readonly encoding: string;
  readonly material: string;
}

/** The algorithm suite ID of a message: bytes 1-2 in v2, 2-3 in v1 (after the type byte). */
export function suiteOf(message: Uint8Array): number {
  const at = message[0] === 1 ? 2 : 1;
  return ((message[at] ?? 0) << 8) | (message[at + 1] ?? 0);
}

const readUri = (base: string, uri: string): Uint8Array => {
  if (!uri.startsWith('file://')) throw new Error(`unsupported URI ${uri}`);
  return new Uint8Array(readFileSync(`${base}${uri.slice('file://'.length)}`));
};

/** The tests of a decrypt manifest (`manifest.json` or `generated-client-node/manifest.json`). */
export function loadManifest(relative: string): ManifestTest[] {
  const path = `${VECTORS_DIR}${relative}`;
  const base = path.slice(0, path.lastIndexOf('/') + 1);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as RawManifest;
  return Object.entries(manifest.tests).map(([id, t]) => {
    const ciphertext = readUri(base, t.ciphertext);
    const result = t.result.output === undefined ? 'error' : 'output';
    return {
      id,
      ...(t.description === undefined ? {} : { description: t.description }),
      ciphertext,
      masterKeys: t['master-keys'],
      cmm: t.cmm ?? 'Default',
      context: t['encryption-context'] ?? {},
      plaintext: t.result.output === undefined ? undefined : readUri(base, t.result.output.plaintext),
      suite: suiteOf(ciphertext),
      underRequire: t['x-result-under-REQUIRE_ENCRYPT_REQUIRE_DECRYPT'] ?? result,
    };
  });
}

let keys: Record<string, RawKey> | undefined;
function loadKeys(): Record<string, RawKey> {
  keys ??= (JSON.parse(readFileSync(`${VECTORS_DIR}keys.json`, 'utf8')) as { keys: Record<string, RawKey> }).keys;
  return keys;
}

/** The raw AES wrapping key `aes-256` of keys.json. */
export function aesKeyBytes(name = 'aes-256'): Uint8Array {
  const key = loadKeys()[name];
  if (key === undefined || key.encoding !== 'base64') throw new Error(`no base64 key ${name} in keys.json`);
  return new Uint8Array(Buffer.from(key.material, 'base64'));
}

/**
 * The private PEM that decrypts for key `name`: its own material when it is a private
 * key; for a public key, the private key in keys.json whose public half equals it
 * (README: `rsa-4096-public` is decrypted with `rsa-4096-private`'s material).
 */
export function rsaPrivatePem(name: string): string {
  const all = loadKeys();
  const key = all[name];
  if (key === undefined) throw new Error(`no key ${name} in keys.json`);
  if (key.type === 'private') return key.material;
  const wanted = createPublicKey(key.material).export({ type: 'spki', format: 'der' });
  for (const candidate of Object.values(all)) {
    if (candidate.algorithm !== 'rsa' || candidate.type !== 'private') continue;
    const half = createPublicKey(createPrivateKey(candidate.material)).export({ type: 'spki', format: 'der' });
    if (half.equals(wanted)) return candidate.material;
  }
  throw new Error(`no private key in keys.json matches ${name}`);
}

/** One key store per manifest master key, built as the README says. */
export function storeFor(master: MasterKey): KeyStore {
  if (master.type !== 'raw') throw new Error(`unsupported master key type ${master.type}`);
  if (master['encryption-algorithm'] === 'aes') {
    return new RawAesKeyStore({ namespace: master['provider-id'], name: master.key, key: aesKeyBytes(master.key) });
  }
  if (master['padding-algorithm'] !== 'oaep-mgf1' || master['padding-hash'] === undefined)
    throw new Error(`unsupported RSA padding for ${master.key}`);
  return new RawRsaKeyStore({
    namespace: master['provider-id'],
    name: master.key,
    privateKey: rsaPrivatePem(master.key),
    oaepHash: master['padding-hash'],
  });
}

/** Wraps a store and counts every call the engine makes into it. */
export class CountingStore implements KeyStore {
  readonly id: string;
  readonly #inner: KeyStore;
  calls = 0;

  constructor(inner: KeyStore) {
    this.#inner = inner;
    this.id = inner.id;
  }

  canUnwrap(edk: EncryptedDataKey): boolean {
    this.calls++;
    return this.#inner.canUnwrap(edk);
  }

  generateDataKey(request: Parameters<KeyStore['generateDataKey']>[0]): Promise<GeneratedDataKey> {
    this.calls++;
    return this.#inner.generateDataKey(request);
  }

  wrapDataKey(dataKey: DataKey, request: KeyStoreRequest): Promise<EncryptedDataKey> {
    this.calls++;
    return this.#inner.wrapDataKey(dataKey, request);
  }

  unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey> {
    this.calls++;
    return this.#inner.unwrapDataKey(edk, request);
  }
}

/**
 * The commitment vectors' test keyring (README: "a test keyring that ignores the EDKs
 * and returns decrypted-dek"): it claims every EDK and hands back a copy of `dek`.
 */
export class StaticDekStore implements KeyStore {
  readonly id = 'test:static-dek';
  readonly #dek: Uint8Array;
  unwraps = 0;

  constructor(dek: Uint8Array) {
    this.#dek = dek;
  }

  canUnwrap(): boolean {
    return true;
  }

  async generateDataKey(): Promise<GeneratedDataKey> {
    throw new Error('StaticDekStore only decrypts');
  }

  async wrapDataKey(): Promise<EncryptedDataKey> {
    throw new Error('StaticDekStore only decrypts');
  }

  async unwrapDataKey(): Promise<DataKey> {
    this.unwraps++;
    return DataKey.copyOf(this.#dek);
  }
}

export interface CommitmentVector {
  /** 1-based position, as in the README and each vector's `comment`. */
  readonly number: number;
  readonly comment: string;
  readonly status: boolean;
  readonly ciphertext: Uint8Array;
  readonly dek: Uint8Array;
  readonly messageId: Uint8Array;
  readonly commitment: Uint8Array;
  readonly contentKey: Uint8Array | undefined;
  readonly context: EncryptionContext;
  readonly plaintext: Uint8Array | undefined;
}

interface RawCommitmentVector {
  readonly ciphertext: string;
  readonly 'decrypted-dek': string;
  readonly 'message-id': string;
  readonly commitment: string;
  readonly 'content-encryption-key'?: string;
  readonly 'encryption-context': Record<string, string>;
  readonly 'plaintext-frames'?: string[];
  readonly status: boolean;
  readonly comment: string;
}

const b64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

export function loadCommitmentVectors(): CommitmentVector[] {
  const file = JSON.parse(readFileSync(`${VECTORS_DIR}commitment/commitment-test-vectors.json`, 'utf8')) as {
    tests: RawCommitmentVector[];
  };
  return file.tests.map((t, i) => ({
    number: i + 1,
    comment: t.comment,
    status: t.status,
    ciphertext: b64(t.ciphertext),
    dek: b64(t['decrypted-dek']),
    messageId: b64(t['message-id']),
    commitment: b64(t.commitment),
    contentKey: t['content-encryption-key'] === undefined ? undefined : b64(t['content-encryption-key']),
    context: t['encryption-context'],
    plaintext:
      t['plaintext-frames'] === undefined ? undefined : new TextEncoder().encode(t['plaintext-frames'].join('')),
  }));
}

export interface StreamOutcome {
  /** Every `data` chunk, in order. */
  readonly data: Uint8Array[];
  readonly error: unknown;
  readonly headerEvents: number;
}

/** Feeds `bytes` through `engine.decryptStream` in `chunkSize` pieces; never rejects. */
export async function decryptThroughStream(
  engine: Engine,
  bytes: Uint8Array,
  options: DecryptOptions = {},
  chunkSize = bytes.length || 1,
): Promise<StreamOutcome> {
  const stream = engine.decryptStream(options);
  const data: Uint8Array[] = [];
  let headerEvents = 0;
  stream.on('header', () => headerEvents++);
  stream.on('data', (chunk: Uint8Array) => data.push(chunk));
  const done = new Promise<unknown>((resolve) => {
    stream.on('error', resolve);
    stream.on('end', () => resolve(undefined));
  });
  for (let i = 0; i < bytes.length; i += chunkSize) stream.write(bytes.subarray(i, i + chunkSize));
  stream.end();
  const error = await done;
  return { data, error, headerEvents };
}

/** Concatenates chunks. */
export function joined(chunks: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(chunks));
}
