import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  DataKey,
  EncryptedDataKey,
  EncryptionContext,
  GenerateRequest,
  GeneratedDataKey,
  KeyStore,
  KeyStoreRequest,
} from '@sealflow/core';

/**
 * How a write is verified before it is acknowledged (`S3ServiceOptions.verifyWrites`):
 * - `local` (default): the stored message is opened with the data key this process
 *   got from the key store for it, and only if the stored EDK is byte-identical to what
 *   the key store returned (same context); no second key-store call.
 * - `kms`: the stored EDK is unwrapped through the key store again (one `Decrypt` per
 *   object, or per bucket key when it is not cached yet).
 * Both then check the key commitment, the header tag, the context and the trailer frames
 * read back from storage. See docs/S3-OBJECTS.md, "Write path".
 */
export type VerifyWrites = 'local' | 'kms';

/** The verification modes, for option validation. */
export const VERIFY_WRITES_MODES: readonly VerifyWrites[] = ['local', 'kms'];

/** One verification: the remembered keys it used, dropped when it ends. */
interface Scope {
  readonly done: (() => void)[];
}

const verifying = new AsyncLocalStorage<Scope>();

/**
 * Runs `fn` as a write-path verification: only there does a `WriteKeyMemo` answer from
 * memory, as often as the verification asks (a DSSE-KMS read-back opens its outer layer
 * more than once); the keys it used are wiped when it ends.
 */
export async function asWriteVerification<T>(fn: () => Promise<T>): Promise<T> {
  const scope: Scope = { done: [] };
  try {
    return await verifying.run(scope, fn);
  } finally {
    for (const drop of scope.done) drop();
  }
}

/** Bounds of the memo (entries never used by a verification leave on their own). */
export interface WriteKeyMemoOptions {
  /** Most entries kept (oldest wiped first; default 10,000). */
  readonly capacity?: number;
  /** How long an unused entry is kept, in ms (default 1 hour: a 5 GiB PUT's verification comes after its body). */
  readonly maxAgeMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly key: DataKey;
  readonly created: number;
}

const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');

/** One string for an EDK (every byte of it) and a context (pairs sorted): equal strings, identical inputs. */
function memoKey(edk: EncryptedDataKey, context: EncryptionContext, length: number): string {
  const pairs = Object.keys(context)
    .sort()
    .map((k) => [k, context[k]]);
  return [edk.providerId, hex(edk.providerInfo), hex(edk.ciphertext), String(length), JSON.stringify(pairs)].join(
    '\u0001',
  );
}

/**
 * A key store that remembers the data keys its inner store generated (a copy of the
 * plaintext, keyed by every byte of the EDK the store returned and by the context), so
 * that write-path verification can open the message just written without a second KMS
 * call. A remembered key is given out only inside one `asWriteVerification` (and wiped when it ends), for
 * an EDK and context byte-identical to the ones generated; everything else (reads,
 * re-keys, a verification whose EDK differs) goes to the inner store. With bucket keys
 * the remembered key is the bucket key: the first verification of its window opens the
 * stored bucket-key EDK from memory, and the engine's decrypt-side cache serves the rest.
 */
export class WriteKeyMemo implements KeyStore {
  readonly #inner: KeyStore;
  readonly #entries = new Map<string, Entry>();
  readonly #capacity: number;
  readonly #maxAgeMs: number;
  readonly #now: () => number;

  /** @throws {TypeError} for a capacity or age that is not a positive integer. */
  constructor(inner: KeyStore, options: WriteKeyMemoOptions = {}) {
    const capacity = options.capacity ?? 10_000;
    const maxAgeMs = options.maxAgeMs ?? 3_600_000;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new TypeError('WriteKeyMemo: capacity must be >= 1');
    if (!Number.isSafeInteger(maxAgeMs) || maxAgeMs < 1) throw new TypeError('WriteKeyMemo: maxAgeMs must be >= 1');
    this.#inner = inner;
    this.id = inner.id;
    if (inner.principal !== undefined) this.principal = inner.principal;
    if (inner.publishesCallEvents !== undefined) this.publishesCallEvents = inner.publishesCallEvents;
    this.#capacity = capacity;
    this.#maxAgeMs = maxAgeMs;
    this.#now = options.now ?? Date.now;
  }

  readonly id: string;
  readonly principal?: string;
  readonly publishesCallEvents?: boolean;

  /** Keys held now (for tests and stats). */
  get size(): number {
    this.#sweep();
    return this.#entries.size;
  }

  canUnwrap(edk: EncryptedDataKey): boolean {
    return this.#inner.canUnwrap(edk);
  }

  async generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey> {
    const generated = await this.#inner.generateDataKey(request);
    this.#sweep();
    const name = memoKey(generated.encryptedDataKey, request.context, request.length);
    this.#drop(name);
    while (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#drop(oldest);
    }
    this.#entries.set(name, { key: generated.dataKey.clone(), created: this.#now() });
    return generated;
  }

  wrapDataKey(dataKey: DataKey, request: KeyStoreRequest): Promise<EncryptedDataKey> {
    return this.#inner.wrapDataKey(dataKey, request);
  }

  async unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey> {
    const scope = verifying.getStore();
    if (scope !== undefined) {
      this.#sweep();
      const name = memoKey(edk, request.context, request.length);
      const entry = this.#entries.get(name);
      if (entry !== undefined) {
        scope.done.push(() => this.#drop(name));
        return entry.key.clone();
      }
    }
    return this.#inner.unwrapDataKey(edk, request);
  }

  /** Wipes every remembered key. */
  clear(): void {
    for (const name of [...this.#entries.keys()]) this.#drop(name);
  }

  #drop(name: string): void {
    const entry = this.#entries.get(name);
    if (entry === undefined) return;
    this.#entries.delete(name);
    entry.key.destroy();
  }

  #sweep(): void {
    const cutoff = this.#now() - this.#maxAgeMs;
    for (const [name, entry] of this.#entries) {
      if (entry.created > cutoff) break;
      this.#drop(name);
    }
  }
}
