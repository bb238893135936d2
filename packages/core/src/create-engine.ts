import type { Transform } from 'node:stream';
import type { CipherBackend } from './crypto/backend.js';
import { nodeBackend } from './crypto/node-backend.js';
import { assertBytes, assertInteger, invalid, OptionReader, readOptions } from './assert.js';
import { ErrorCodes, InvalidArgumentError, isSealflowError, MalformedMessageError } from './errors.js';
import { Channels, publish } from './events.js';
import { parseHeader } from './format/header.js';
import { FormatLimits } from './format/limits.js';
import { BucketKeyCache, s3BucketContext } from './keys/bucket-key-cache.js';
import type { DataKey } from './keys/data-key.js';
import { KeyStoreSet } from './keys/key-store-set.js';
import type {
  EncryptedDataKey,
  EncryptionContext,
  GenerateRequest,
  KeyStore,
  KeyStoreRequest,
} from './keys/key-store.js';
import { StatsCounter, type EngineStats } from './stats.js';
import { SessionTransform } from './stream/node-transform.js';
import { sessionIterable } from './stream/async-iterable.js';
import { sessionTransformStream } from './stream/web-stream.js';
import { DecryptSession, type DecryptedHeader, type DecryptPlan } from './engine/decrypt-session.js';
import {
  assertOpen,
  type BucketKeyRequest,
  type EngineCore,
  type FixedMaterials,
  type MessageDataKey,
} from './engine/engine-core.js';
import { EncryptSession, type EncryptPlan } from './engine/encrypt-session.js';
import { headerInfo, type HeaderInfo } from './engine/header-info.js';
import {
  assertIdleTimeout,
  assertOptionalContext,
  assertRange,
  assertSignal,
  assertStringList,
  assertSuite,
  DECRYPT_KEYS,
  ENCRYPT_KEYS,
  oneShot,
  resolveEngineOptions,
  type DecryptOptions,
  type EncryptOptions,
  type EngineOptions,
} from './engine/options.js';
import { decryptRange, type RandomAccessSource } from './engine/range-reader.js';
import { decryptStreamSession, encryptStreamSession } from './engine/stream-session.js';
import { headerParseOptions } from './engine/commitment-policy.js';
import { rewrapHeader, rewrapIterable, type RewrapPlan, type RewrappedHeader } from './engine/header-rewrap.js';

/** The result of a one-shot decrypt. */
export interface DecryptResult {
  readonly plaintext: Uint8Array;
  /** The authenticated context: stored pairs plus reproduced ones. */
  readonly context: Readonly<Record<string, string>>;
  readonly header: HeaderInfo;
}

/**
 * Options of `decryptRange`: the range plus decrypt options. Either `start` and `end`
 * (end exclusive), or `suffixLength`: the last n plaintext bytes (all of them when the
 * plaintext is shorter), for which the engine learns the size from the message.
 */
export type RangeOptions = DecryptOptions &
  (
    | { readonly start: number; readonly end: number; readonly suffixLength?: never }
    | { readonly suffixLength: number; readonly start?: never; readonly end?: never }
  );

/** Options of `rewrapHeader`. */
export interface RewrapOptions {
  /** The store(s) that wrap the data key in the new header; each writes one EDK (e.g. a `KmsKeyStore` on the new key). */
  readonly keyStore: KeyStore | readonly KeyStore[];
  /** Authenticate-only pairs the message was sealed with (as for decrypt). */
  readonly reproducedContext?: EncryptionContext;
  /** Pairs that must be in the authenticated context. */
  readonly expectContext?: EncryptionContext;
  readonly signal?: AbortSignal;
}

/**
 * A Node Transform that decrypts; emits `'header'` (a DecryptedHeader: the authenticated
 * context and header facts) once, after the header verified and before any data.
 */
export type DecryptTransform = HeaderListeners & Transform;

/** The `'header'` overloads of `DecryptTransform`, ahead of Transform's own (so they match first). */
export interface HeaderListeners {
  on(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  once(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  addListener(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  prependListener(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  prependOnceListener(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  off(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  removeListener(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
}

/** The engine: see the public API contract in the README and docs. */
export interface Engine {
  /** @throws {SealflowError} (rejects) */
  encrypt(plaintext: Uint8Array, options?: EncryptOptions): Promise<Uint8Array>;
  /**
   * `encrypt`, written into the caller's `output` from its start (a gateway reusing
   * buffers avoids fresh-memory page faults); resolves to the view holding the message.
   * The engine owns `output` until the promise settles: do not read or write it before.
   * Needs a suite without a signature (such as the default 0x0478).
   * @throws {SealflowError} (rejects) INVALID_ARGUMENT for a signing suite or an output too small.
   */
  encryptInto(plaintext: Uint8Array, output: Uint8Array, options?: EncryptOptions): Promise<Uint8Array>;
  /** @throws {SealflowError} (rejects) */
  decrypt(ciphertext: Uint8Array, options?: DecryptOptions): Promise<DecryptResult>;
  /**
   * `decrypt`, with the plaintext written into the caller's `output` from its start (a
   * gateway reusing buffers avoids fresh-memory page faults); resolves to the usual result,
   * whose `plaintext` is the view of `output` holding it. The engine owns `output` until the
   * promise settles: do not read or write it before. On any failure the part of `output`
   * the plaintext would occupy is zeroed (no verified frame of a failed message stays).
   * Needs an unsigned framed message (such as the default suite 0x0478 writes).
   * @throws {SealflowError} (rejects) INVALID_ARGUMENT for a signed or non-framed message, an
   * output too small or overlapping the ciphertext; and every decrypt failure.
   */
  decryptInto(ciphertext: Uint8Array, output: Uint8Array, options?: DecryptOptions): Promise<DecryptResult>;
  encryptStream(options?: EncryptOptions): Transform;
  decryptStream(options?: DecryptOptions): DecryptTransform;
  encryptWebStream(options?: EncryptOptions): TransformStream<Uint8Array, Uint8Array>;
  decryptWebStream(options?: DecryptOptions): TransformStream<Uint8Array, Uint8Array>;
  encryptIterable(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: EncryptOptions,
  ): AsyncIterable<Uint8Array>;
  decryptIterable(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options?: DecryptOptions,
  ): AsyncIterable<Uint8Array>;
  /**
   * Decrypts plaintext [start, end), or the last `suffixLength` bytes, reading only what it needs.
   * @throws {SealflowError} (rejects) ERR_RANGE_NOT_SATISFIABLE for a start past the plaintext size, and decrypt failures
   */
  decryptRange(source: Uint8Array | RandomAccessSource, options: RangeOptions): Promise<Uint8Array>;
  /**
   * Re-keys a message in place: a new header with the same data key wrapped by `keyStore`
   * (new EDKs, new header tag); the body bytes after `replacedLength` stay valid unchanged.
   * Unsigned framed v2 messages only.
   * @throws {SealflowError} (rejects) malformed header, signing suite, authentication or key-store failures
   */
  rewrapHeader(headerBytes: Uint8Array, options: RewrapOptions): Promise<RewrappedHeader>;
  /**
   * Re-keys a whole message in one streaming pass (signed messages too): the new header, then
   * the body unchanged; a signing suite's frames are re-signed with a fresh key as they pass
   * and the footer replaced once the old signature verifies (one frame held at a time).
   * @throws {SealflowError} (the iterable rejects) as `rewrapHeader`, plus ERR_SIGNATURE_INVALID, ERR_TRUNCATED, ERR_TRAILING_BYTES
   */
  rewrapIterable(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: RewrapOptions,
  ): AsyncIterable<Uint8Array>;
  /** Parses a header without keys. The result is NOT authenticated. @throws {SealflowError} */
  inspect(bytes: Uint8Array): HeaderInfo;
  stats(): EngineStats;
  /** Drops and wipes cached bucket keys under `keyId` (all when omitted). Returns how many. */
  forget(filter?: { readonly keyId?: string }): number;
  /** Wipes every cached key; later calls fail with ERR_ENGINE_CLOSED. */
  close(): Promise<void>;
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

/** Reads a call's fixed materials from its encrypt options (test engines only; see `createEngineWithMaterials`). */
export type MaterialsReader = (options: EncryptOptions | undefined) => FixedMaterials | undefined;

class SealflowEngine implements Engine {
  readonly #core: EngineCore;
  readonly #cache: BucketKeyCache;
  readonly #bucketKeysEnabled: boolean;
  readonly #materials: MaterialsReader | undefined;
  #closed = false;

  constructor(options: EngineOptions, materials: MaterialsReader | undefined) {
    this.#materials = materials;
    const resolved = resolveEngineOptions(options);
    const backend: CipherBackend = resolved.backend ?? nodeBackend;
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

  encryptStream(options?: EncryptOptions): Transform {
    const plan = this.#encryptPlan(options);
    return new SessionTransform(encryptStreamSession(this.#core, plan), plan.idleTimeoutMs);
  }

  decryptStream(options?: DecryptOptions): DecryptTransform {
    let transform: SessionTransform | undefined = undefined;
    const plan = this.#decryptPlan(options);
    const session = decryptStreamSession(this.#core, plan, (header) => transform?.emit('header', header));
    transform = new SessionTransform(session, plan.idleTimeoutMs);
    return transform;
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
      stores: resolveEngineOptions({ keyStore: o.raw('keyStore') }).stores,
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
    assertOpen(this.#core);
    const o = readOptions(options, 'encrypt options', ENCRYPT_KEYS, { optional: true });
    const fixed = this.#materials?.(options);
    const suite = assertSuite(o.raw('suite') ?? this.#core.suite, 'encrypt suite');
    const frameLength = assertInteger(
      o.raw('frameLength') ?? this.#core.frameLength,
      'encrypt frameLength',
      1,
      FormatLimits.maxFrameLength,
    );
    const givenLength = o.has('plaintextLength')
      ? assertInteger(o.raw('plaintextLength'), 'encrypt plaintextLength', 0, Number.MAX_SAFE_INTEGER)
      : undefined;
    const context = assertOptionalContext(o.raw('context'), 'encrypt context') ?? {};
    const keyId = o.raw('keyId');
    if (keyId !== undefined && typeof keyId !== 'string')
      throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'encrypt keyId: expected a string');
    const plaintextLength = knownLength ?? givenLength;
    let bucketKey: BucketKeyRequest | undefined;
    const bucketKeyOption = o.raw('bucketKey');
    if (bucketKeyOption !== undefined) {
      if (!this.#bucketKeysEnabled) {
        throw new InvalidArgumentError(
          ErrorCodes.INVALID_ARGUMENT,
          'encrypt bucketKey: the engine was created without the bucketKeys option',
        );
      }
      if (bucketKeyOption === true) bucketKey = { context: s3BucketContext(context), plaintextLength };
      else {
        const b = readOptions(bucketKeyOption, 'encrypt bucketKey', ['context']);
        const bucketContext = assertOptionalContext(b.raw('context'), 'encrypt bucketKey.context');
        if (bucketContext === undefined)
          throw new InvalidArgumentError(
            ErrorCodes.INVALID_ARGUMENT,
            'encrypt bucketKey: expected true or { context }',
          );
        bucketKey = { context: bucketContext, plaintextLength };
      }
    }
    return {
      suite,
      frameLength,
      context,
      requiredContextKeys: assertStringList(o.raw('requiredContextKeys'), 'encrypt requiredContextKeys'),
      keyId,
      plaintextLength,
      bucketKey,
      signal: assertSignal(o.raw('signal'), 'encrypt signal'),
      idleTimeoutMs: assertIdleTimeout(o.raw('idleTimeoutMs'), 'encrypt idleTimeoutMs'),
      fixed,
    };
  }

  /** `options` as given, or already read by `decryptRange` (which adds the range keys). */
  #decryptPlan(options: DecryptOptions | OptionReader<(typeof DECRYPT_KEYS)[number]> | undefined): DecryptPlan {
    assertOpen(this.#core);
    const o =
      options instanceof OptionReader
        ? options
        : readOptions(options, 'decrypt options', DECRYPT_KEYS, { optional: true });
    const unsignedOnly = o.raw('unsignedOnly');
    if (unsignedOnly !== undefined && typeof unsignedOnly !== 'boolean') {
      throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'decrypt unsignedOnly: expected a boolean');
    }
    return {
      expectContext: assertOptionalContext(o.raw('expectContext'), 'decrypt expectContext'),
      reproducedContext: assertOptionalContext(o.raw('reproducedContext'), 'decrypt reproducedContext'),
      unsignedOnly: unsignedOnly === true,
      signal: assertSignal(o.raw('signal'), 'decrypt signal'),
      idleTimeoutMs: assertIdleTimeout(o.raw('idleTimeoutMs'), 'decrypt idleTimeoutMs'),
    };
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

/**
 * Creates an engine over one or more key stores.
 * @throws {InvalidArgumentError} for invalid options (synchronously: nothing is async yet).
 */
export function createEngine(options: EngineOptions): Engine {
  return new SealflowEngine(options, undefined);
}

/**
 * Test-only: an engine whose encrypts take a fixed message ID and data key from `materials`
 * (reproducible bytes). Not in the public index; reached through `@sealflow/core/testing`.
 * @throws {InvalidArgumentError} for invalid options, as `createEngine`.
 */
export function createEngineWithMaterials(options: EngineOptions, materials: MaterialsReader): Engine {
  return new SealflowEngine(options, materials);
}
