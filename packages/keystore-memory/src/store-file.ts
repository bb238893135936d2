import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { ErrorCodes, InvalidArgumentError, KeyStoreError } from '@sealflow/core';
import { removeStaleTempFiles, writeFileAtomic, type AtomicWriteHooks } from './atomic-write.js';
import {
  checkMatches,
  DEFAULT_SCRYPT,
  deriveFromPassphrase,
  newSalt,
  readKeyFile,
  rootKeys,
  scryptParamsAllowed,
  type ScryptParams,
} from './root-key.js';
import { decodeState, type DecodedState } from './state-codec.js';

/**
 * The single file a persistent `MemoryKms` lives in. A JSON envelope whose header is in
 * clear (format, version, region, partition, how the root key is obtained, a check value)
 * and whose body is the whole state sealed with AES-256-GCM under the root key's sealing
 * subkey, the header bytes as AAD:
 *
 * ```json
 * {"format":"sealflow-memory-kms","version":1,"region":"us-east-1","partition":"aws",
 *  "rootKey":{"source":"scrypt","salt":"<b64>","N":32768,"r":8,"p":1} | {"source":"key-file"},
 *  "check":"<b64>","iv":"<b64>","sealed":"<b64 ciphertext||tag>"}
 * ```
 *
 * Every save writes a new file atomically (see `atomic-write.ts`), so a crash leaves the
 * previous file whole.
 */

/** How the root key is obtained: a passphrase (scrypt) or a key file. */
export type StoreSecret = { readonly passphrase: string | Uint8Array } | { readonly keyFile: string };

export interface StoreFileOptions {
  readonly path: string;
  readonly secret: StoreSecret;
  readonly region: string;
  readonly partition: string;
  /** scrypt cost for a new store (an existing store keeps its own). */
  readonly scrypt?: ScryptParams;
  /** Test seam for the atomic write. */
  readonly hooks?: AtomicWriteHooks;
}

type RootKeySpec = { readonly source: 'scrypt'; readonly salt: string; readonly N: number; readonly r: number; readonly p: number } | { readonly source: 'key-file' };

interface Header {
  readonly format: 'sealflow-memory-kms';
  readonly version: 1;
  readonly region: string;
  readonly partition: string;
  readonly rootKey: RootKeySpec;
  readonly check: string;
}

const FORMAT = 'sealflow-memory-kms';
/** Largest store file read: keys are small; anything bigger is not ours. */
const MAX_STORE_FILE_BYTES = 64 * 1024 * 1024;

function storeError(code: typeof ErrorCodes.KEY_STORE_CORRUPT | typeof ErrorCodes.KEY_STORE_LOCKED | typeof ErrorCodes.KEY_STORE_UNAVAILABLE, path: string, message: string, cause?: unknown): KeyStoreError {
  return new KeyStoreError(code, `key store file ${path}: ${message}`, { store: `memory-kms:${path}`, ...(cause === undefined ? {} : { cause }) });
}

/** The header fields in a fixed order: the AAD of the sealed body. */
function headerAad(header: Header): Uint8Array {
  const rootKey = header.rootKey.source === 'scrypt' ? [header.rootKey.source, header.rootKey.salt, header.rootKey.N, header.rootKey.r, header.rootKey.p] : [header.rootKey.source];
  return new TextEncoder().encode(JSON.stringify([header.format, header.version, header.region, header.partition, rootKey, header.check]));
}

export class StoreFile {
  readonly path: string;
  readonly #header: Header;
  readonly #sealKey: Uint8Array;
  readonly #hooks: AtomicWriteHooks;

  private constructor(path: string, header: Header, sealKey: Uint8Array, hooks: AtomicWriteHooks) {
    this.path = path;
    this.#header = header;
    this.#sealKey = sealKey;
    this.#hooks = hooks;
  }

  /**
   * Opens the store at `options.path`, or prepares a new one when no file exists there
   * (`state` is then `undefined`; nothing is written until the first save).
   * @throws {KeyStoreError} `ERR_KEY_STORE_LOCKED` for a wrong passphrase or key file,
   * `ERR_KEY_STORE_CORRUPT` for a file that is not a valid store or was altered.
   * @throws {InvalidArgumentError} for a region or partition other than the store's, or a bad key file.
   */
  static async open(options: StoreFileOptions): Promise<{ file: StoreFile; state: DecodedState | undefined }> {
    const { path, secret } = options;
    await removeStaleTempFiles(path);
    const size = await stat(path).then(
      (info) => info.size,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw storeError(ErrorCodes.KEY_STORE_UNAVAILABLE, path, `cannot be read (${error.code ?? 'error'})`, error);
      },
    );
    if (size === undefined) return { file: await StoreFile.#create(options), state: undefined };
    if (size > MAX_STORE_FILE_BYTES) throw storeError(ErrorCodes.KEY_STORE_CORRUPT, path, `it is over ${MAX_STORE_FILE_BYTES} bytes`);
    const { header, iv, sealed } = StoreFile.#parse(path, await readFile(path));
    if (header.region !== options.region || header.partition !== options.partition) {
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        `key store file ${path} belongs to ${header.partition}/${header.region}, not ${options.partition}/${options.region}`,
      );
    }
    let root: Uint8Array;
    if (header.rootKey.source === 'scrypt') {
      if (!('passphrase' in secret)) throw storeError(ErrorCodes.KEY_STORE_LOCKED, path, 'it is sealed with a passphrase, not a key file');
      root = await deriveFromPassphrase(secret.passphrase, Buffer.from(header.rootKey.salt, 'base64'), header.rootKey);
    } else {
      if (!('keyFile' in secret)) throw storeError(ErrorCodes.KEY_STORE_LOCKED, path, 'it is sealed with a key file, not a passphrase');
      root = await readKeyFile(secret.keyFile);
    }
    const keys = rootKeys(root);
    root.fill(0);
    if (!checkMatches(Buffer.from(header.check, 'base64'), keys.check)) {
      keys.sealKey.fill(0);
      throw storeError(ErrorCodes.KEY_STORE_LOCKED, path, 'wrong passphrase or key file');
    }
    const file = new StoreFile(path, header, keys.sealKey, options.hooks ?? {});
    return { file, state: file.#unseal(iv, sealed, options.partition, options.region) };
  }

  static async #create(options: StoreFileOptions): Promise<StoreFile> {
    const { secret } = options;
    let root: Uint8Array;
    let rootKey: RootKeySpec;
    if ('passphrase' in secret) {
      const params = options.scrypt ?? DEFAULT_SCRYPT;
      const salt = newSalt();
      root = await deriveFromPassphrase(secret.passphrase, salt, params);
      rootKey = { source: 'scrypt', salt: Buffer.from(salt).toString('base64'), N: params.N, r: params.r, p: params.p };
    } else {
      root = await readKeyFile(secret.keyFile);
      rootKey = { source: 'key-file' };
    }
    const keys = rootKeys(root);
    root.fill(0);
    const header: Header = {
      format: FORMAT,
      version: 1,
      region: options.region,
      partition: options.partition,
      rootKey,
      check: Buffer.from(keys.check).toString('base64'),
    };
    return new StoreFile(options.path, header, keys.sealKey, options.hooks ?? {});
  }

  static #parse(path: string, bytes: Buffer): { header: Header; iv: Uint8Array; sealed: Uint8Array } {
    const corrupt = (why: string): KeyStoreError => storeError(ErrorCodes.KEY_STORE_CORRUPT, path, why);
    let envelope: Record<string, unknown>;
    try {
      envelope = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw corrupt('it is not a sealflow key store (not JSON)');
    }
    if (envelope === null || typeof envelope !== 'object' || envelope['format'] !== FORMAT) throw corrupt('it is not a sealflow key store');
    if (envelope['version'] !== 1) throw corrupt(`store version ${String(envelope['version'])} is not supported`);
    const text = (key: string): string => {
      const value = envelope[key];
      if (typeof value !== 'string' || value.length === 0) throw corrupt(`field ${key} is missing`);
      return value;
    };
    const rootKey = envelope['rootKey'] as Record<string, unknown> | null;
    let spec: RootKeySpec;
    if (rootKey !== null && typeof rootKey === 'object' && rootKey['source'] === 'key-file') {
      spec = { source: 'key-file' };
    } else if (rootKey !== null && typeof rootKey === 'object' && rootKey['source'] === 'scrypt' && typeof rootKey['salt'] === 'string') {
      const params = { N: rootKey['N'] as number, r: rootKey['r'] as number, p: rootKey['p'] as number };
      if (!scryptParamsAllowed(params)) throw corrupt('its scrypt parameters are outside the allowed range');
      spec = { source: 'scrypt', salt: rootKey['salt'], ...params };
    } else {
      throw corrupt('field rootKey is malformed');
    }
    const header: Header = { format: FORMAT, version: 1, region: text('region'), partition: text('partition'), rootKey: spec, check: text('check') };
    const iv = Buffer.from(text('iv'), 'base64');
    const sealed = Buffer.from(text('sealed'), 'base64');
    if (iv.length !== 12 || sealed.length < 16) throw corrupt('the sealed body is truncated');
    return { header, iv, sealed };
  }

  #unseal(iv: Uint8Array, sealed: Uint8Array, partition: string, region: string): DecodedState {
    const decipher = createDecipheriv('aes-256-gcm', this.#sealKey, iv);
    decipher.setAAD(headerAad(this.#header));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plain = decipher.update(sealed.subarray(0, sealed.length - 16));
    try {
      decipher.final();
    } catch {
      plain.fill(0);
      throw storeError(ErrorCodes.KEY_STORE_CORRUPT, this.path, 'it was altered (the sealed body does not authenticate)');
    }
    try {
      return decodeState(plain, partition, region);
    } finally {
      plain.fill(0);
    }
  }

  /** Seals `state` (as `encodeState` made it) and replaces the file atomically; wipes `state`. */
  async save(state: Uint8Array): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv);
    cipher.setAAD(headerAad(this.#header));
    const body = Buffer.concat([cipher.update(state), cipher.final(), cipher.getAuthTag()]);
    state.fill(0);
    const envelope = { ...this.#header, iv: iv.toString('base64'), sealed: body.toString('base64') };
    await writeFileAtomic(this.path, new TextEncoder().encode(`${JSON.stringify(envelope)}\n`), this.#hooks);
  }

  /**
   * Reads the file back with the key already held (to roll memory back to what is on disk).
   * @throws {KeyStoreError} `ERR_KEY_STORE_CORRUPT` when the file changed under us.
   */
  async load(): Promise<DecodedState | undefined> {
    const bytes = await readFile(this.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw storeError(ErrorCodes.KEY_STORE_UNAVAILABLE, this.path, 'cannot be read', error);
    });
    if (bytes === undefined) return undefined;
    const { header, iv, sealed } = StoreFile.#parse(this.path, bytes);
    if (JSON.stringify(header) !== JSON.stringify(this.#header)) throw storeError(ErrorCodes.KEY_STORE_CORRUPT, this.path, 'it was replaced by another store');
    return this.#unseal(iv, sealed, header.partition, header.region);
  }

  /** Zeroes the sealing key. */
  close(): void {
    this.#sealKey.fill(0);
  }
}
