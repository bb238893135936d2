import type { CipherBackend } from './crypto/backend.js';
import { assertBytes, invalid, readOptions, type OptionReader } from './assert.js';
import { decryptPlan, encryptPlan, type MaterialsReader } from './call-plans.js';
import { ErrorCodes, InvalidArgumentError, isSealflowError, MalformedMessageError } from './errors.js';
import { Channels, publish } from './events.js';
import { parseHeader } from './format/header.js';
import { BucketKeyCache } from './keys/bucket-key-cache.js';
import type { DataKey } from './keys/data-key.js';
import { KeyStoreSet } from './keys/key-store-set.js';
import type { EncryptedDataKey, GenerateRequest, KeyStoreRequest } from './keys/key-store.js';
import { StatsCounter, type EngineStats } from './stats.js';
import { sessionIterable } from './stream/async-iterable.js';
import { sessionTransformStream } from './stream/web-stream.js';
import { DecryptSession, type DecryptedHeader, type DecryptPlan } from './engine/decrypt-session.js';
import { assertOpen, type BucketKeyRequest, type EngineCore, type MessageDataKey } from './engine/engine-core.js';
import { EncryptSession, type EncryptPlan } from './engine/encrypt-session.js';
import { headerInfo, type HeaderInfo } from './engine/header-info.js';
import {
  assertOptionalContext,
  assertRange,
  assertSignal,
  DECRYPT_KEYS,
  oneShot,
  resolveEngineOptions,
  type DecryptOptions,
  type EncryptOptions,
  type EngineOptions,
} from './engine/options.js';
import { decryptRange, type RandomAccessSource } from './engine/range-reader.js';
import { decryptStreamSession, encryptStreamSession, type StreamSession } from './engine/stream-session.js';
import { headerParseOptions } from './engine/commitment-policy.js';
import { rewrapHeader, rewrapIterable, type RewrapPlan, type RewrappedHeader } from './engine/header-rewrap.js';
import type { DecryptResult, PortableEngine, RangeOptions, RewrapOptions } from './portable-engine.js';

/** A stream session and its idle timeout, for an entry's own stream adapter. */
export interface AdapterSession {
  readonly session: StreamSession;
  readonly idleTimeoutMs: number | undefined;
}

/** Whether two non-empty views share bytes. */
function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length > 0 &&
    b.length > 0 &&
    a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.length &&
    b.byteOffset < a.byteOffset + a.length
  );
}

const DECRYPT_ONLY_BUCKET_KEYS = Object.freeze({ maxAgeMs: 60_000, capacity: 100 });

/**
 * The shared engine: everything but the entry's own composition (default backend, Node
 * streams). The Node and browser `createEngine` build on it.
 */
export class EngineBase implements PortableEngine {
  readonly #core: EngineCore;
  readonly #cache: BucketKeyCache;
  readonly #bucketKeysEnabled: boolean;
  readonly #materials: MaterialsReader | undefined;
  #closed = false;

  /**
   * `platformBackend`: the entry's default cipher backend; `materials`: test engines only.
   * @throws {InvalidArgumentError} for invalid options.
   */
  constructor(options: EngineOptions, materials: MaterialsReader | undefined, platformBackend: CipherBackend) {
    this.#materials = materials;
    const resolved = resolveEngineOptions(options, platformBackend);
    const backend: CipherBackend = resolved.backend;
    const stats = new StatsCounter();
    const stores = new KeyStoreSet(resolved.stores, stats);
    // Decrypt always understands bucket-key EDKs; without the option, unwrapped bucket keys
    // are kept for one minute (100 entries) so reading a bucket stays cheap.
    const cache = new BucketKeyCache(stores, backend, stats, resolved.bucketKeys ?? DECRYPT_ONLY_BUCKET_KEYS);
    this.#cache = cache;
    this.#bucketKeysEnabled = resolved.bucketKeys !== undefined;
    this.#core = {
      stores,
      backend,
      stats,
      limits: resolved.limits,
      commitmentPolicy: resolved.commitmentPolicy,
      suite: resolved.suite,
      frameLength: resolved.frameLength,
      offload: resolved.offload,
      isClosed: () => this.#closed,
      acquireDataKey: (request, messageId, bucketKey) => acquire(stores, cache, request, messageId, bucketKey),
      unwrapDataKey: (edks, request, messageId) => unwrap(stores, cache, edks, request, messageId),
    };
  }

  async encrypt(plaintext: Uint8Array, options?: EncryptOptions): Promise<Uint8Array> {
    return this.#encryptOneShot(plaintext, undefined, options);
  }

  async encryptInto(plaintext: Uint8Array, output: Uint8Array, options?: EncryptOptions): Promise<Uint8Array> {
    assertBytes(output, 'encryptInto output');
    assertBytes(plaintext, 'encrypt plaintext');
    if (overlaps(output, plaintext))
      throw invalid('encryptInto output', 'memory that does not overlap the plaintext', output);
    return this.#encryptOneShot(plaintext, output, options);
  }

  async #encryptOneShot(
    plaintext: Uint8Array,
    into: Uint8Array | undefined,
    options: EncryptOptions | undefined,
  ): Promise<Uint8Array> {
    assertBytes(plaintext, 'encrypt plaintext');
    const plan = oneShot(this.#encryptPlan(options, plaintext.length), 'encrypt');
    let session: EncryptSession | undefined;
    try {
      session = await EncryptSession.open(this.#core, plan, true, into);
      const out = await session.push(plaintext);
      out.push(...(await session.end()));
      return session.join(out);
    } catch (error) {
      this.#failed('encrypt', session, error);
      throw error;
    }
  }

  async decrypt(ciphertext: Uint8Array, options?: DecryptOptions): Promise<DecryptResult> {
    return this.#decryptOneShot(ciphertext, undefined, options);
  }

  async decryptInto(ciphertext: Uint8Array, output: Uint8Array, options?: DecryptOptions): Promise<DecryptResult> {
    assertBytes(output, 'decryptInto output');
    assertBytes(ciphertext, 'decrypt ciphertext');
    if (overlaps(output, ciphertext))
      throw invalid('decryptInto output', 'memory that does not overlap the ciphertext', output);
    return this.#decryptOneShot(ciphertext, output, options);
  }

  async #decryptOneShot(
    ciphertext: Uint8Array,
    into: Uint8Array | undefined,
    options: DecryptOptions | undefined,
  ): Promise<DecryptResult> {
    assertBytes(ciphertext, 'decrypt ciphertext');
    const session = new DecryptSession(this.#core, oneShot(this.#decryptPlan(options), 'decrypt'), {
      offload: true,
      messageLength: ciphertext.length,
      oneShot: true,
      into,
    });
    try {
      const out = await session.push(ciphertext);
      out.push(...(await session.end()));
      const header = session.header as DecryptedHeader;
      return { plaintext: session.join(out), context: header.context, header: header.info };
    } catch (error) {
      session.fail(isSealflowError(error) ? error.code : 'ERR_UNKNOWN');
      throw error;
    }
  }

  /** For an entry's own stream adapter: a validated encrypt stream session. @throws {InvalidArgumentError} */
  protected encryptSession(options: EncryptOptions | undefined): AdapterSession {
    const plan = this.#encryptPlan(options);
    return { session: encryptStreamSession(this.#core, plan), idleTimeoutMs: plan.idleTimeoutMs };
  }

  /** For an entry's own stream adapter: a validated decrypt stream session. @throws {InvalidArgumentError} */
  protected decryptSession(
    options: DecryptOptions | undefined,
    onHeader?: (header: DecryptedHeader) => void,
  ): AdapterSession {
    const plan = this.#decryptPlan(options);
    return { session: decryptStreamSession(this.#core, plan, onHeader), idleTimeoutMs: plan.idleTimeoutMs };
  }

  encryptWebStream(options?: EncryptOptions): TransformStream<Uint8Array, Uint8Array> {
    const plan = this.#encryptPlan(options);
    return sessionTransformStream(encryptStreamSession(this.#core, plan), plan.idleTimeoutMs);
  }

  decryptWebStream(options?: DecryptOptions): TransformStream<Uint8Array, Uint8Array> {
    const plan = this.#decryptPlan(options);
    return sessionTransformStream(decryptStreamSession(this.#core, plan), plan.idleTimeoutMs);
  }

  encryptIterable(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: EncryptOptions,
  ): AsyncIterable<Uint8Array> {
    const plan = this.#encryptPlan(options);
    return sessionIterable(encryptStreamSession(this.#core, plan), source, plan.idleTimeoutMs);
  }

  decryptIterable(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: DecryptOptions,
  ): AsyncIterable<Uint8Array> {
    const plan = this.#decryptPlan(options);
    return sessionIterable(decryptStreamSession(this.#core, plan), source, plan.idleTimeoutMs);
  }

  async decryptRange(source: Uint8Array | RandomAccessSource, options: RangeOptions): Promise<Uint8Array> {
    const o = readOptions(options, 'decryptRange options', ['start', 'end', 'suffixLength', ...DECRYPT_KEYS], {
      optional: true,
    });
    const range = assertRange(o.raw('start'), o.raw('end'), o.raw('suffixLength'));
    const plan = oneShot(this.#decryptPlan(o), 'decryptRange');
    const random: RandomAccessSource =
      source instanceof Uint8Array ? { size: source.length, read: async (p, l) => source.subarray(p, p + l) } : source;
    if (
      typeof random !== 'object' ||
      random === null ||
      typeof random.read !== 'function' ||
      !Number.isSafeInteger(random.size) ||
      random.size < 0
    ) {
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        'decryptRange source: expected a Uint8Array or { size, read(position, length) }',
      );
    }
    try {
      return await decryptRange(this.#core, random, range, plan);
    } catch (error) {
      this.#core.stats.decryptFailures++;
      publish(Channels.failure, { operation: 'decrypt', code: isSealflowError(error) ? error.code : 'ERR_UNKNOWN' });
      throw error;
    }
  }

  async rewrapHeader(headerBytes: Uint8Array, options: RewrapOptions): Promise<RewrappedHeader> {
    assertBytes(headerBytes, 'rewrapHeader headerBytes');
    return rewrapHeader(this.#core, headerBytes, this.#rewrapPlan(options, 'rewrapHeader'));
  }

  rewrapIterable(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: RewrapOptions,
  ): AsyncIterable<Uint8Array> {
    const plan = this.#rewrapPlan(options, 'rewrapIterable');
    if (
      source === null ||
      typeof source !== 'object' ||
      !(Symbol.asyncIterator in source || Symbol.iterator in source)
    ) {
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        'rewrapIterable source: expected an iterable of Uint8Array',
      );
    }
    return rewrapIterable(this.#core, source, plan);
  }

  #rewrapPlan(options: RewrapOptions, label: string): RewrapPlan {
    assertOpen(this.#core);
    const o = readOptions(options, `${label} options`, ['keyStore', 'reproducedContext', 'expectContext', 'signal']);
    return {
      stores: resolveEngineOptions({ keyStore: o.raw('keyStore') }, this.#core.backend).stores,
      reproducedContext: assertOptionalContext(o.raw('reproducedContext'), `${label} reproducedContext`),
      expectContext: assertOptionalContext(o.raw('expectContext'), `${label} expectContext`),
      signal: assertSignal(o.raw('signal'), `${label} signal`),
    };
  }

  inspect(bytes: Uint8Array): HeaderInfo {
    assertBytes(bytes, 'inspect bytes');
    const result = parseHeader(bytes, headerParseOptions(this.#core));
    if ('need' in result) {
      throw new MalformedMessageError(
        ErrorCodes.TRUNCATED,
        `inspect: the header needs at least ${result.need} byte${result.need === 1 ? '' : 's'}, got ${bytes.length}`,
      );
    }
    return headerInfo(result.header);
  }

  stats(): EngineStats {
    return this.#core.stats.snapshot(this.#cache.size);
  }

  forget(filter?: { readonly keyId?: string }): number {
    const keyId = readOptions(filter, 'forget filter', ['keyId'], { optional: true }).raw('keyId');
    if (keyId !== undefined && typeof keyId !== 'string')
      throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'forget keyId: expected a string');
    return this.#cache.forget(keyId);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cache.close();
  }

  #encryptPlan(options: EncryptOptions | undefined, knownLength?: number): EncryptPlan {
    return encryptPlan(
      { core: this.#core, materials: this.#materials, bucketKeysEnabled: this.#bucketKeysEnabled },
      options,
      knownLength,
    );
  }

  #decryptPlan(options: DecryptOptions | OptionReader<(typeof DECRYPT_KEYS)[number]> | undefined): DecryptPlan {
    return decryptPlan(this.#core, options);
  }

  #failed(operation: 'encrypt', session: EncryptSession | undefined, error: unknown): void {
    const code = isSealflowError(error) ? error.code : 'ERR_UNKNOWN';
    if (session !== undefined) session.fail(code);
    else {
      this.#core.stats.encryptFailures++;
      publish(Channels.failure, { operation, code });
    }
  }
}

async function acquire(
  stores: KeyStoreSet,
  cache: BucketKeyCache,
  request: GenerateRequest,
  messageId: Uint8Array,
  bucketKey: BucketKeyRequest | undefined,
): Promise<MessageDataKey> {
  if (bucketKey === undefined) {
    const key = await stores.newDataKey(request);
    return { ...key, release: () => key.dataKey.destroy(), charge: () => {} };
  }
  const key = await cache.acquire(request, messageId, bucketKey);
  return {
    dataKey: key.dataKey,
    encryptedDataKeys: key.encryptedDataKeys,
    release: () => key.dataKey.destroy(),
    charge: key.charge,
  };
}

function unwrap(
  stores: KeyStoreSet,
  cache: BucketKeyCache,
  edks: readonly EncryptedDataKey[],
  request: KeyStoreRequest,
  messageId: Uint8Array,
): Promise<DataKey> {
  return stores.unwrap(
    edks,
    request,
    (store, edk) => cache.unwrap(store, edk, request, messageId, edks),
    (store, edk) => cache.accepts(store, edk),
  );
}
