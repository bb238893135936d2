import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { ErrorCodes, InvalidArgumentError, type KeyStoreError } from '@sealflow/core';
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
import { decodeState, encodeState, type DecodedState } from './state-codec.js';
import { DEFAULT_LOCK_OPTIONS, StoreLock, type StoreLockOptions } from './store-lock.js';
import { readSnapshot, signatureOf, storeError } from './store-snapshot.js';

/**
 * The single file a persistent `MemoryKms` lives in. A JSON envelope whose header is in
 * clear (format, version, region, partition, how the root key is obtained, a check value)
 * and whose body is the whole state sealed with AES-256-GCM under the root key's sealing
 * subkey, the header bytes as AAD:
 *
 * ```json
 * {"format":"sealflow-memory-kms","version":1,"region":"us-east-1","partition":"aws",
 *  "rootKey":{"source":"scrypt","salt":"<b64>","N":32768,"r":8,"p":1} | {"source":"key-file"},
 *  "check":"<b64>","generation":7,"iv":"<b64>","sealed":"<b64 ciphertext||tag>"}
 * ```
 *
 * Every save writes a new file atomically (see `atomic-write.ts`), so a crash leaves the
 * previous file whole. Several processes may share the file: every write happens under
 * the store lock (`store-lock.ts`) and bumps `generation`; readers compare the file's
 * identity (device, inode, size, mtime, ctime) and generation with the last they saw and
 * reload when either moved. `generation` is outside the AAD: altering it only causes a
 * reload (the body still has to authenticate).
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
  /** Inter-process lock timing (default {@link DEFAULT_LOCK_OPTIONS}). */
  readonly lock?: StoreLockOptions;
}

/** What a reader last saw of the file: its write generation and its identity on disk. */
interface Seen {
  readonly generation: number;
  readonly signature: string;
}

type RootKeySpec =
  | { readonly source: 'scrypt'; readonly salt: string; readonly N: number; readonly r: number; readonly p: number }
  | { readonly source: 'key-file' };

interface Header {
  readonly format: 'sealflow-memory-kms';
  readonly version: 1;
  readonly region: string;
  readonly partition: string;
  readonly rootKey: RootKeySpec;
  readonly check: string;
}

const FORMAT = 'sealflow-memory-kms';

/** The header fields in a fixed order: the AAD of the sealed body. */
function headerAad(header: Header): Uint8Array {
  const rootKey =
    header.rootKey.source === 'scrypt'
      ? [header.rootKey.source, header.rootKey.salt, header.rootKey.N, header.rootKey.r, header.rootKey.p]
      : [header.rootKey.source];
  return new TextEncoder().encode(
    JSON.stringify([header.format, header.version, header.region, header.partition, rootKey, header.check]),
  );
}

export class StoreFile {
  readonly path: string;
  readonly #header: Header;
  readonly #sealKey: Uint8Array;
  readonly #hooks: AtomicWriteHooks;
  readonly #lock: StoreLock;
  #seen: Seen = { generation: 0, signature: '' };

  private constructor(path: string, header: Header, sealKey: Uint8Array, hooks: AtomicWriteHooks, lock: StoreLock) {
    this.path = path;
    this.#header = header;
    this.#sealKey = sealKey;
    this.#hooks = hooks;
    this.#lock = lock;
  }

  /**
   * Opens the store at `options.path`, or creates it (an empty store, written at once) when
   * no file exists there. Runs under the store lock, so two processes creating one path
   * agree on one root key, and leftover temp files of dead writers are removed safely.
   * @throws {KeyStoreError} `ERR_KEY_STORE_LOCKED` for a wrong passphrase or key file,
   * `ERR_KEY_STORE_CORRUPT` for a file that is not a valid store or was altered,
   * `ERR_KEY_STORE_UNAVAILABLE` for an I/O error or a lock held too long.
   * @throws {InvalidArgumentError} for a region or partition other than the store's, or a bad key file.
   */
  static async open(options: StoreFileOptions): Promise<{ file: StoreFile; state: DecodedState }> {
    const { path, secret } = options;
    const lock = new StoreLock(path, options.lock ?? DEFAULT_LOCK_OPTIONS);
    return lock.hold(async () => {
      await removeStaleTempFiles(path);
      const snapshot = await readSnapshot(path);
      if (snapshot === undefined) {
        const file = await StoreFile.#create(options, lock);
        try {
          await file.save(encodeState([], []));
        } catch (error) {
          file.close();
          throw storeError(
            ErrorCodes.KEY_STORE_UNAVAILABLE,
            path,
            `cannot be created (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
            error,
          );
        }
        return { file, state: { keys: [], aliases: [] } };
      }
      const { header, generation, iv, sealed } = StoreFile.#parse(path, snapshot.bytes);
      if (header.region !== options.region || header.partition !== options.partition) {
        throw new InvalidArgumentError(
          ErrorCodes.INVALID_ARGUMENT,
          `key store file ${path} belongs to ${header.partition}/${header.region}, not ${options.partition}/${options.region}`,
        );
      }
      let root: Uint8Array;
      if (header.rootKey.source === 'scrypt') {
        if (!('passphrase' in secret))
          throw storeError(ErrorCodes.KEY_STORE_LOCKED, path, 'it is sealed with a passphrase, not a key file');
        root = await deriveFromPassphrase(
          secret.passphrase,
          Buffer.from(header.rootKey.salt, 'base64'),
          header.rootKey,
        );
      } else {
        if (!('keyFile' in secret))
          throw storeError(ErrorCodes.KEY_STORE_LOCKED, path, 'it is sealed with a key file, not a passphrase');
        root = await readKeyFile(secret.keyFile);
      }
      const keys = rootKeys(root);
      root.fill(0);
      if (!checkMatches(Buffer.from(header.check, 'base64'), keys.check)) {
        keys.sealKey.fill(0);
        throw storeError(ErrorCodes.KEY_STORE_LOCKED, path, 'wrong passphrase or key file');
      }
      const file = new StoreFile(path, header, keys.sealKey, options.hooks ?? {}, lock);
      const state = file.#unseal(iv, sealed, options.partition, options.region);
      file.#seen = { generation, signature: snapshot.signature };
      return { file, state };
    });
  }

  static async #create(options: StoreFileOptions, lock: StoreLock): Promise<StoreFile> {
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
    return new StoreFile(options.path, header, keys.sealKey, options.hooks ?? {}, lock);
  }

  static #parse(
    path: string,
    bytes: Buffer,
  ): { header: Header; generation: number; iv: Uint8Array; sealed: Uint8Array } {
    const corrupt = (why: string): KeyStoreError => storeError(ErrorCodes.KEY_STORE_CORRUPT, path, why);
    let envelope: Record<string, unknown>;
    try {
      envelope = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    } catch {
      throw corrupt('it is not a sealflow key store (not JSON)');
    }
    if (envelope === null || typeof envelope !== 'object' || envelope['format'] !== FORMAT)
      throw corrupt('it is not a sealflow key store');
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
    } else if (
      rootKey !== null &&
      typeof rootKey === 'object' &&
      rootKey['source'] === 'scrypt' &&
      typeof rootKey['salt'] === 'string'
    ) {
      const params = { N: rootKey['N'] as number, r: rootKey['r'] as number, p: rootKey['p'] as number };
      if (!scryptParamsAllowed(params)) throw corrupt('its scrypt parameters are outside the allowed range');
      spec = { source: 'scrypt', salt: rootKey['salt'], ...params };
    } else {
      throw corrupt('field rootKey is malformed');
    }
    const header: Header = {
      format: FORMAT,
      version: 1,
      region: text('region'),
      partition: text('partition'),
      rootKey: spec,
      check: text('check'),
    };
    const iv = Buffer.from(text('iv'), 'base64');
    const sealed = Buffer.from(text('sealed'), 'base64');
    if (iv.length !== 12 || sealed.length < 16) throw corrupt('the sealed body is truncated');
    // Files written before generations existed have none: generation 0.
    const generation = envelope['generation'] ?? 0;
    if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0)
      throw corrupt('field generation is malformed');
    return { header, generation, iv, sealed };
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
      throw storeError(
        ErrorCodes.KEY_STORE_CORRUPT,
        this.path,
        'it was altered (the sealed body does not authenticate)',
      );
    }
    try {
      return decodeState(plain, partition, region);
    } finally {
      plain.fill(0);
    }
  }

  /**
   * Runs `task` holding the store's inter-process lock (see `store-lock.ts`).
   * @throws {KeyStoreError} `ERR_KEY_STORE_UNAVAILABLE` when the lock cannot be taken.
   */
  hold<T>(task: () => Promise<T>): Promise<T> {
    return this.#lock.hold(task);
  }

  /**
   * Seals `state` (as `encodeState` made it) and replaces the file atomically, as the next
   * generation; wipes `state`. Only under {@link hold}, after reading the file's latest state.
   * @throws {KeyStoreError} `ERR_KEY_STORE_UNAVAILABLE` when the lock is not held (or was taken over).
   * @throws {Error} the file system error of the write.
   */
  async save(state: Uint8Array): Promise<void> {
    try {
      this.#lock.assertHeld();
    } catch (error) {
      state.fill(0);
      throw error;
    }
    const generation = this.#seen.generation + 1;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#sealKey, iv);
    cipher.setAAD(headerAad(this.#header));
    const body = Buffer.concat([cipher.update(state), cipher.final(), cipher.getAuthTag()]);
    state.fill(0);
    const envelope = { ...this.#header, generation, iv: iv.toString('base64'), sealed: body.toString('base64') };
    await writeFileAtomic(this.path, new TextEncoder().encode(`${JSON.stringify(envelope)}\n`), {
      beforeRename: async (tempPath) => {
        await this.#hooks.beforeRename?.(tempPath);
        // A holder that stalled past the stale time lost the lock: its write would undo another's.
        this.#lock.assertHeld();
      },
    });
    // Under the lock nobody else renames: this is the file just written.
    this.#seen = { generation, signature: signatureOf(await stat(this.path, { bigint: true })) };
  }

  /**
   * Whether the file on disk may differ from what this instance last read or wrote: a
   * stat, no read. Any change of device, inode, size, mtime or ctime counts.
   */
  async changed(): Promise<boolean> {
    try {
      return signatureOf(await stat(this.path, { bigint: true })) !== this.#seen.signature;
    } catch {
      return true;
    }
  }

  /**
   * Reads the file; returns its state when it is not the one last seen (another generation
   * or another file), `undefined` when nothing changed.
   * @throws {KeyStoreError} `ERR_KEY_STORE_CORRUPT` when the file was altered or replaced by
   * another store, `ERR_KEY_STORE_UNAVAILABLE` when it cannot be read or was removed.
   */
  async loadIfChanged(): Promise<DecodedState | undefined> {
    return this.#read(false);
  }

  /**
   * Reads the file back with the key already held (to roll memory back to what is on disk).
   * @throws {KeyStoreError} as {@link loadIfChanged}.
   */
  async load(): Promise<DecodedState> {
    return (await this.#read(true)) as DecodedState;
  }

  async #read(always: boolean): Promise<DecodedState | undefined> {
    const snapshot = await readSnapshot(this.path);
    if (snapshot === undefined) throw storeError(ErrorCodes.KEY_STORE_UNAVAILABLE, this.path, 'it was removed');
    const { header, generation, iv, sealed } = StoreFile.#parse(this.path, snapshot.bytes);
    if (JSON.stringify(header) !== JSON.stringify(this.#header))
      throw storeError(ErrorCodes.KEY_STORE_CORRUPT, this.path, 'it was replaced by another store');
    if (!always && generation === this.#seen.generation && snapshot.signature === this.#seen.signature)
      return undefined;
    const state = this.#unseal(iv, sealed, header.partition, header.region);
    this.#seen = { generation, signature: snapshot.signature };
    return state;
  }

  /** Zeroes the sealing key. */
  close(): void {
    this.#sealKey.fill(0);
  }
}
