import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCodes, KeyStoreError } from '@sealflow/core';
import { decodeBase64Strict, encodeBase64 } from '../shared/base64.js';
import { EXTERNAL_KEY_ID } from '../shared/xks-wire.js';
import { isKeyUsageList, type XksKeyUsage } from './key-backend.js';

/** One external key: its AES-256 material wrapped under a KMS key (never in clear on disk). */
export interface XksKeyEntry {
  readonly keyId: string;
  /** The KMS key that wraps the material. */
  readonly kmsKeyArn: string;
  readonly usage: readonly XksKeyUsage[];
  /** KMS ciphertext of the 32-byte material, bound to the key ID by its encryption context. */
  readonly wrappedMaterial: Uint8Array;
}

const FORMAT = 'sealflow-xks-keys';
/** A keys file lists a few keys; anything larger is not ours. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const MAX_WRAPPED_BYTES = 6144;

/**
 * The external keys list of the MemoryKms backend, one JSON file:
 * `{"format":"sealflow-xks-keys","version":1,"keys":[{"keyId","kmsKeyArn","usage","wrappedMaterial"}]}`.
 * It holds no secret: each material is a KMS ciphertext. Writes are atomic (temp file,
 * fsync, rename), so a crash leaves the old list or the new one.
 */
export class XksKeysFile {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /**
   * Reads the list; a missing file is an empty list.
   * @throws {KeyStoreError} `ERR_KEY_STORE_CORRUPT` for a file that is not a valid list,
   * `ERR_KEY_STORE_UNAVAILABLE` when it cannot be read.
   */
  async read(): Promise<XksKeyEntry[]> {
    let text: string;
    try {
      if ((await stat(this.path)).size > MAX_FILE_BYTES) throw this.#corrupt(`larger than ${MAX_FILE_BYTES} bytes`);
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if (error instanceof KeyStoreError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new KeyStoreError(
        ErrorCodes.KEY_STORE_UNAVAILABLE,
        `XKS keys file ${this.path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        { cause: error },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw this.#corrupt('not JSON');
    }
    const doc = json as { format?: unknown; version?: unknown; keys?: unknown };
    if (
      typeof json !== 'object' ||
      json === null ||
      doc.format !== FORMAT ||
      doc.version !== 1 ||
      !Array.isArray(doc.keys)
    ) {
      throw this.#corrupt(`not a ${FORMAT} version 1 file`);
    }
    const seen = new Set<string>();
    return doc.keys.map((raw: unknown, i: number) => {
      const entry = raw as Record<string, unknown>;
      const wrapped =
        typeof entry?.['wrappedMaterial'] === 'string' ? decodeBase64Strict(entry['wrappedMaterial']) : undefined;
      const usage = entry?.['usage'];
      if (
        typeof entry !== 'object' ||
        entry === null ||
        typeof entry['keyId'] !== 'string' ||
        !EXTERNAL_KEY_ID.test(entry['keyId']) ||
        seen.has(entry['keyId']) ||
        typeof entry['kmsKeyArn'] !== 'string' ||
        !isKeyUsageList(usage) ||
        wrapped === undefined ||
        wrapped.length === 0 ||
        wrapped.length > MAX_WRAPPED_BYTES
      ) {
        throw this.#corrupt(`keys[${i}] is malformed or a duplicate`);
      }
      seen.add(entry['keyId']);
      return { keyId: entry['keyId'], kmsKeyArn: entry['kmsKeyArn'], usage, wrappedMaterial: wrapped };
    });
  }

  /** Replaces the list atomically. @throws {KeyStoreError} `ERR_KEY_STORE_UNAVAILABLE` on I/O failure. */
  async write(entries: readonly XksKeyEntry[]): Promise<void> {
    const text = JSON.stringify({
      format: FORMAT,
      version: 1,
      keys: entries.map((e) => ({
        keyId: e.keyId,
        kmsKeyArn: e.kmsKeyArn,
        usage: e.usage,
        wrappedMaterial: encodeBase64(e.wrappedMaterial),
      })),
    });
    const temp = join(
      dirname(this.path),
      `.${basename(this.path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
    );
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(`${text}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.path);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw new KeyStoreError(
        ErrorCodes.KEY_STORE_UNAVAILABLE,
        `XKS keys file ${this.path}: cannot write it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        { cause: error },
      );
    }
  }

  #corrupt(why: string): KeyStoreError {
    return new KeyStoreError(ErrorCodes.KEY_STORE_CORRUPT, `XKS keys file ${this.path}: ${why}`);
  }
}
