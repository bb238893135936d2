import { randomBytes } from 'node:crypto';
import { assertBytes, assertPattern, invalidArgument, readOptions } from '@sealflow/core/validate';
import { EXTERNAL_KEY_ID } from '../shared/xks-wire.js';
import { gcmOpen, gcmSeal } from './aes-gcm.js';
import {
  isKeyUsageList,
  XKS_KEY_USAGES,
  XksBackendError,
  type XksEkmMember,
  type XksKeyBackend,
  type XksKeyDescription,
  type XksKeyStatus,
  type XksKeyUsage,
  type XksSealedBytes,
} from './key-backend.js';

/** Options of {@link InMemoryXksBackend.createKey}. */
export interface InMemoryKeyOptions {
  /** Defaults to `['ENCRYPT', 'DECRYPT']`. */
  readonly usage?: readonly XksKeyUsage[];
  /** Defaults to `ENABLED`. */
  readonly status?: XksKeyStatus;
  /** 32 bytes of key material (copied); random when absent. For tests with known keys. */
  readonly material?: Uint8Array;
}

interface Entry {
  readonly material: Uint8Array;
  usage: readonly XksKeyUsage[];
  status: XksKeyStatus;
}

/**
 * A volatile backend holding AES-256 keys in process memory: for tests and demos.
 * Keys vanish with the process, so anything wrapped under them becomes unreadable;
 * production proxies use a persistent backend.
 */
export class InMemoryXksBackend implements XksKeyBackend {
  readonly vendor = 'sealflow in-memory';
  readonly #keys = new Map<string, Entry>();
  #available = true;

  /**
   * Adds a key.
   * @throws {InvalidArgumentError} for a malformed key ID, an existing key, bad usage or material.
   */
  createKey(keyId: string, options: InMemoryKeyOptions = {}): void {
    assertPattern(keyId, 'createKey: keyId', EXTERNAL_KEY_ID, '1-128 characters of A-Z a-z 0-9 . _ -');
    const o = readOptions(options, 'createKey options', ['usage', 'status', 'material']);
    if (this.#keys.has(keyId)) throw invalidArgument(`createKey: key "${keyId}" already exists`);
    const material = o.has('material')
      ? Uint8Array.from(assertBytes(o.raw('material'), o.field('material')))
      : new Uint8Array(randomBytes(32));
    if (material.length !== 32)
      throw invalidArgument(`${o.field('material')}: expected 32 bytes, got ${material.length}`);
    this.#keys.set(keyId, {
      material,
      usage: o.has('usage') ? checkUsage(o.raw('usage'), o.field('usage')) : ['ENCRYPT', 'DECRYPT'],
      status: o.has('status') ? checkStatus(o.raw('status'), o.field('status')) : 'ENABLED',
    });
  }

  /** @throws {InvalidArgumentError} for an unknown key or status. */
  setStatus(keyId: string, status: XksKeyStatus): void {
    this.#entry(keyId).status = checkStatus(status, 'setStatus: status');
  }

  /** @throws {InvalidArgumentError} for an unknown key or usage. */
  setUsage(keyId: string, usage: readonly XksKeyUsage[]): void {
    this.#entry(keyId).usage = checkUsage(usage, 'setUsage: usage');
  }

  /** Wipes and forgets a key. */
  deleteKey(keyId: string): void {
    this.#keys.get(keyId)?.material.fill(0);
    this.#keys.delete(keyId);
  }

  /** Simulates the key manager going down (every call fails) or coming back. */
  setAvailable(available: boolean): void {
    this.#available = available;
  }

  async describe(keyId: string): Promise<XksKeyDescription | undefined> {
    this.#checkAvailable();
    const entry = this.#keys.get(keyId);
    return entry === undefined
      ? undefined
      : { keySpec: 'AES_256', keyUsage: [...entry.usage], keyStatus: entry.status };
  }

  async encrypt(keyId: string, plaintext: Uint8Array, aad: Uint8Array): Promise<XksSealedBytes> {
    return gcmSeal(this.#material(keyId), plaintext, aad);
  }

  async decrypt(keyId: string, sealed: XksSealedBytes, aad: Uint8Array): Promise<Uint8Array> {
    return gcmOpen(this.#material(keyId), sealed, aad);
  }

  async members(): Promise<readonly XksEkmMember[]> {
    return [{ id: 'memory-0', model: 'sealflow in-memory', healthStatus: this.#available ? 'ACTIVE' : 'UNAVAILABLE' }];
  }

  /** Wipes every key. */
  async close(): Promise<void> {
    for (const entry of this.#keys.values()) entry.material.fill(0);
    this.#keys.clear();
  }

  #checkAvailable(): void {
    if (!this.#available)
      throw new XksBackendError('InternalException', 'the in-memory key manager is marked unavailable');
  }

  #material(keyId: string): Uint8Array {
    this.#checkAvailable();
    const entry = this.#keys.get(keyId);
    if (entry === undefined) throw new XksBackendError('KeyNotFoundException', 'no such key');
    return entry.material;
  }

  #entry(keyId: string): Entry {
    const entry = this.#keys.get(keyId);
    if (entry === undefined) throw invalidArgument(`no key "${keyId}"`);
    return entry;
  }
}

function checkUsage(value: unknown, label: string): readonly XksKeyUsage[] {
  if (!isKeyUsageList(value)) throw invalidArgument(`${label}: expected 1 to 10 of ${XKS_KEY_USAGES.join(', ')}`);
  return [...new Set(value)];
}

function checkStatus(value: unknown, label: string): XksKeyStatus {
  if (value !== 'ENABLED' && value !== 'DISABLED') throw invalidArgument(`${label}: expected "ENABLED" or "DISABLED"`);
  return value;
}
