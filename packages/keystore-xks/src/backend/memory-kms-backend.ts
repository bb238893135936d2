import { readFile } from 'node:fs/promises';
import { MemoryKms } from '@sealflow/keystore-memory';
import { assertPattern, invalidArgument, readOptions } from '@sealflow/core/validate';
import { EXTERNAL_KEY_ID } from '../shared/xks-wire.js';
import { gcmOpen, gcmSeal } from './aes-gcm.js';
import {
  isKeyUsageList,
  XKS_KEY_USAGES,
  XksBackendError,
  type XksEkmMember,
  type XksKeyBackend,
  type XksKeyDescription,
  type XksKeyUsage,
  type XksSealedBytes,
} from './key-backend.js';
import { XksKeysFile, type XksKeyEntry } from './xks-keys-file.js';

/** Options of {@link MemoryKmsXksBackend.open}. */
export interface MemoryKmsXksBackendOpenOptions {
  /** The MemoryKms store file (created when missing). */
  readonly storeFile: string;
  /** A file holding the store's passphrase (trailing newline ignored). */
  readonly passphraseFile?: string;
  /** Or a 32-byte key file (see `createKeyFile` in @sealflow/keystore-memory). */
  readonly keyFile?: string;
  /** The external keys list (created on the first `createKey`). */
  readonly xksKeysFile: string;
  /** MemoryKms region. Default `us-east-1`. */
  readonly region?: string;
}

/** Options of {@link MemoryKmsXksBackend.createKey}. */
export interface MemoryKmsXksKeyOptions {
  /** The KMS key that wraps the new material; a new KMS key is created when absent. */
  readonly kmsKeyId?: string;
  /** Default `['ENCRYPT', 'DECRYPT']`. */
  readonly usage?: readonly XksKeyUsage[];
}

/** The encryption-context key that binds a wrapped material to its external key ID. */
const CONTEXT_KEY = 'sealflow:xks-key-id';

/**
 * The default backend: external keys whose AES-256 material is wrapped under keys of
 * the in-process KMS (`MemoryKms` from @sealflow/keystore-memory) and persisted with it.
 * MemoryKms never reveals its own key material, so each external key is a 32-byte data
 * key made by KMS GenerateDataKey and kept only as KMS ciphertext in the keys file;
 * every operation unwraps it with KMS Decrypt, uses it once, and wipes it.
 *
 * The KMS key's state is the external key's status: `Enabled` is ENABLED, anything else
 * (Disabled, PendingDeletion) is DISABLED, so `disableKey` on the KMS key disables the
 * external key at once. KMS policies and audit apply to every use.
 */
export class MemoryKmsXksBackend implements XksKeyBackend {
  readonly vendor = 'sealflow MemoryKms';
  readonly kms: MemoryKms;
  readonly #file: XksKeysFile;
  readonly #ownsKms: boolean;
  #keys: Map<string, XksKeyEntry>;

  private constructor(kms: MemoryKms, file: XksKeysFile, keys: readonly XksKeyEntry[], ownsKms: boolean) {
    this.kms = kms;
    this.#file = file;
    this.#keys = new Map(keys.map((k) => [k.keyId, k]));
    this.#ownsKms = ownsKms;
  }

  /**
   * Opens the KMS store file and the keys file.
   * @throws {InvalidArgumentError} for bad options; {@link KeyStoreError} when a file is locked, corrupt or unreadable.
   */
  static async open(options: MemoryKmsXksBackendOpenOptions): Promise<MemoryKmsXksBackend> {
    const o = readOptions(options, 'MemoryKmsXksBackend.open options', [
      'storeFile',
      'passphraseFile',
      'keyFile',
      'xksKeysFile',
      'region',
    ]);
    if (o.has('passphraseFile') === o.has('keyFile'))
      throw invalidArgument(`${o.label}: give exactly one of passphraseFile and keyFile`);
    const secret = o.has('keyFile')
      ? { keyFile: o.string('keyFile') }
      : {
          passphrase: (
            await readFile(o.string('passphraseFile'), 'utf8').catch(() => {
              throw invalidArgument(`${o.field('passphraseFile')}: cannot read it`);
            })
          ).replace(/\r?\n$/, ''),
        };
    const kms = await MemoryKms.open({
      path: o.string('storeFile'),
      region: o.string('region', 'us-east-1'),
      ...secret,
    });
    try {
      return await MemoryKmsXksBackend.over(kms, o.string('xksKeysFile'), true);
    } catch (error) {
      await kms.close();
      throw error;
    }
  }

  /**
   * A backend over a MemoryKms you already hold (closing the backend leaves it open unless `ownsKms`).
   * @throws {KeyStoreError} for a corrupt or unreadable keys file.
   */
  static async over(kms: MemoryKms, xksKeysFile: string, ownsKms = false): Promise<MemoryKmsXksBackend> {
    const file = new XksKeysFile(xksKeysFile);
    return new MemoryKmsXksBackend(kms, file, await file.read(), ownsKms);
  }

  /** The external key IDs, in creation order. */
  keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  /**
   * Creates an external key: 32 bytes from KMS GenerateDataKey, kept only wrapped.
   * @throws {InvalidArgumentError} for a bad or existing key ID; KMS errors as thrown by MemoryKms.
   */
  async createKey(keyId: string, options: MemoryKmsXksKeyOptions = {}): Promise<void> {
    assertPattern(keyId, 'createKey: keyId', EXTERNAL_KEY_ID, '1-128 characters of A-Z a-z 0-9 . _ -');
    const o = readOptions(options, 'createKey options', ['kmsKeyId', 'usage']);
    if (this.#keys.has(keyId)) throw invalidArgument(`createKey: external key "${keyId}" already exists`);
    const usage = o.array('usage') ?? ['ENCRYPT', 'DECRYPT'];
    if (!isKeyUsageList(usage))
      throw invalidArgument(`${o.field('usage')}: expected 1 to 10 of ${XKS_KEY_USAGES.join(', ')}`);
    const kmsKeyId =
      o.optionalString('kmsKeyId') ??
      (await this.kms.createKey({ Description: `XKS external key ${keyId}` })).KeyMetadata.Arn;
    const generated = await this.kms.generateDataKeyWithoutPlaintext({
      KeyId: kmsKeyId,
      KeySpec: 'AES_256',
      EncryptionContext: { [CONTEXT_KEY]: keyId },
    });
    const entry = {
      keyId,
      kmsKeyArn: generated.KeyId,
      usage: [...new Set(usage)],
      wrappedMaterial: generated.CiphertextBlob,
    };
    const next = new Map(this.#keys).set(keyId, entry);
    await this.#file.write([...next.values()]);
    this.#keys = next;
  }

  /** Changes an external key's usage (e.g. decrypt-only while retiring it). */
  async setUsage(keyId: string, usage: readonly XksKeyUsage[]): Promise<void> {
    if (!isKeyUsageList(usage)) throw invalidArgument(`setUsage: expected 1 to 10 of ${XKS_KEY_USAGES.join(', ')}`);
    const entry = this.#keys.get(keyId);
    if (entry === undefined) throw invalidArgument(`setUsage: no external key "${keyId}"`);
    const next = new Map(this.#keys).set(keyId, { ...entry, usage: [...new Set(usage)] });
    await this.#file.write([...next.values()]);
    this.#keys = next;
  }

  async describe(keyId: string): Promise<XksKeyDescription | undefined> {
    const entry = this.#keys.get(keyId);
    if (entry === undefined) return undefined;
    const { KeyMetadata } = await kmsCall(() => this.kms.describeKey({ KeyId: entry.kmsKeyArn }));
    return {
      keySpec: 'AES_256',
      keyUsage: [...entry.usage],
      keyStatus: KeyMetadata.KeyState === 'Enabled' ? 'ENABLED' : 'DISABLED',
    };
  }

  async encrypt(keyId: string, plaintext: Uint8Array, aad: Uint8Array): Promise<XksSealedBytes> {
    return this.#withMaterial(keyId, (material) => gcmSeal(material, plaintext, aad));
  }

  async decrypt(keyId: string, sealed: XksSealedBytes, aad: Uint8Array): Promise<Uint8Array> {
    return this.#withMaterial(keyId, (material) => gcmOpen(material, sealed, aad));
  }

  async members(): Promise<readonly XksEkmMember[]> {
    let healthy = true;
    try {
      await this.kms.listKeys({ Limit: 1 });
    } catch {
      healthy = false;
    }
    return [
      {
        id: 'memory-kms-0',
        model: `sealflow MemoryKms (${this.kms.region})`,
        healthStatus: healthy ? 'ACTIVE' : 'UNAVAILABLE',
      },
    ];
  }

  /** Closes the MemoryKms when this backend opened it. */
  async close(): Promise<void> {
    if (this.#ownsKms) await this.kms.close();
  }

  async #withMaterial<T>(keyId: string, use: (material: Uint8Array) => T): Promise<T> {
    const entry = this.#keys.get(keyId);
    if (entry === undefined) throw new XksBackendError('KeyNotFoundException', 'no such external key');
    const { Plaintext } = await kmsCall(() =>
      this.kms.decrypt({
        CiphertextBlob: entry.wrappedMaterial,
        KeyId: entry.kmsKeyArn,
        EncryptionContext: { [CONTEXT_KEY]: keyId },
      }),
    );
    try {
      return use(Plaintext);
    } finally {
      Plaintext.fill(0);
    }
  }
}

/** Runs a KMS call, mapping KMS exceptions (by their SDK name) onto XKS error names. */
async function kmsCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message = `the KMS refused: ${name || 'error'}`;
    switch (name) {
      case 'DisabledException':
      case 'KMSInvalidStateException':
        throw new XksBackendError('InvalidStateException', message, { cause: error });
      case 'NotFoundException':
        throw new XksBackendError('KeyNotFoundException', message, { cause: error });
      case 'AccessDeniedException':
        throw new XksBackendError('AccessDeniedException', message, { cause: error });
      default:
        throw new XksBackendError('InternalException', message, { cause: error });
    }
  }
}
