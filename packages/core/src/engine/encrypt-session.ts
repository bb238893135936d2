import type { CipherKey } from '../crypto/backend.js';
import { deriveMessageKeys } from '../crypto/key-derivation.js';
import { concatBytes, copyBytes, joinInto, toHex, uninitializedBytes } from '../format/bytes.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import { framedBodyLength } from '../format/frame.js';
import { serializeHeaderBody } from '../format/header.js';
import type { AlgorithmSuite } from '../format/suites.js';
import type { EncryptionContext } from '../keys/key-store.js';
import { Channels, publish } from '../events.js';
import { ErrorCodes, InvalidArgumentError } from '../errors.js';
import type { BucketKeyRequest, EngineCore, FixedMaterials, MessageDataKey } from './engine-core.js';
import { FrameEncryptor } from './frame-encryptor.js';
import { allocateFrom, type FrameOffload, type OffloadedBody, type OffloadEncryptInit } from './frame-offload.js';
import { computeHeaderTag } from './header-auth.js';
import { encryptContexts } from './materials.js';

/** Resolved, validated settings for one message. */
export interface EncryptPlan {
  readonly suite: AlgorithmSuite;
  readonly frameLength: number;
  readonly context: EncryptionContext;
  readonly requiredContextKeys: readonly string[];
  readonly keyId: string | undefined;
  readonly plaintextLength: number | undefined;
  readonly bucketKey: BucketKeyRequest | undefined;
  readonly signal: AbortSignal | undefined;
  /** Streams only (one-shot calls refuse it). */
  readonly idleTimeoutMs: number | undefined;
  readonly fixed: FixedMaterials | undefined;
}

/**
 * One message being encrypted: materials and header up front (async), then a
 * synchronous frame pipeline, or the engine's offload when it takes the body (then `push`
 * may and `end` does answer later). Wipes the data key once the header is sealed.
 */
export class EncryptSession {
  readonly #core: EngineCore;
  readonly #frames: FrameEncryptor | OffloadedBody;
  readonly #messageId: Uint8Array;
  readonly #suite: AlgorithmSuite;
  readonly #dataKey: MessageDataKey;
  /** One-shot calls: the whole message's memory (the offload's, or this thread's), when its size was known. */
  readonly #output: Uint8Array | undefined;
  #done = false;

  private constructor(
    core: EngineCore,
    frames: FrameEncryptor | OffloadedBody,
    messageId: Uint8Array,
    suite: AlgorithmSuite,
    dataKey: MessageDataKey,
    output: Uint8Array | undefined,
  ) {
    this.#core = core;
    this.#frames = frames;
    this.#messageId = messageId;
    this.#suite = suite;
    this.#dataKey = dataKey;
    this.#output = output;
  }

  /**
   * Gets a data key, derives the message keys and seals the header. `oneShot`: the whole
   * message is assembled by `join`, and an unsigned one is written straight into its
   * result (memory the offload provides, or this thread's).
   */
  static async open(core: EngineCore, plan: EncryptPlan, oneShot = false, into?: Uint8Array): Promise<EncryptSession> {
    const { backend } = core;
    const suite = plan.suite;
    if (into !== undefined && (suite.signature !== undefined || plan.plaintextLength === undefined)) {
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        'encryptInto needs a suite without a signature (a signed message has no size known in advance)',
      );
    }
    const signer = suite.signature === undefined ? undefined : backend.createSigner(suite.signature.curve);
    const contexts = encryptContexts(plan.context, plan.requiredContextKeys, signer);
    const messageId = plan.fixed?.messageId ?? backend.randomBytes(suite.messageIdLength);
    const request = {
      context: contexts.full,
      length: suite.keyLength,
      ...(plan.keyId === undefined ? {} : { keyId: plan.keyId }),
      ...(plan.signal === undefined ? {} : { signal: plan.signal }),
    };
    const dataKey: MessageDataKey =
      plan.fixed?.dataKey === undefined
        ? await core.acquireDataKey(request, messageId, plan.bucketKey)
        : await fixedDataKey(core, request, plan.fixed.dataKey);
    let key: CipherKey;
    let header: Uint8Array[];
    let keyBytes: Uint8Array | undefined;
    try {
      const { derivedKey, commitment } = deriveMessageKeys(backend, suite, dataKey.dataKey.reveal(), messageId);
      key = backend.importKey(derivedKey);
      // An offload seals elsewhere (worker threads import their own key), so it gets a
      // private copy of the derived key, which it wipes; never the data key.
      if (core.offload !== undefined) keyBytes = copyBytes(derivedKey);
      derivedKey.fill(0);
      const headerBody = serializeHeaderBody({
        suite,
        messageId,
        contextBytes: serializeEncryptionContext(contexts.stored),
        encryptedDataKeys: dataKey.encryptedDataKeys,
        frameLength: plan.frameLength,
        commitment: commitment as Uint8Array,
      });
      header = [headerBody, computeHeaderTag(backend, key, headerBody, contexts.authOnly)];
    } catch (error) {
      keyBytes?.fill(0);
      throw error;
    } finally {
      // The derived key now lives in `key`; the data key is no longer needed.
      dataKey.release();
    }
    const init = {
      backend,
      key,
      messageId,
      frameLength: plan.frameLength,
      header,
      signer,
      plaintextLength: plan.plaintextLength,
    };
    // The result's size is known up front only without a signature (its length varies).
    const headerLength = header.reduce((n, part) => n + part.length, 0);
    const sized =
      oneShot && signer === undefined && plan.plaintextLength !== undefined
        ? headerLength + framedBodyLength(plan.plaintextLength, plan.frameLength)
        : undefined;
    if (into !== undefined && sized !== undefined && into.length < sized) {
      keyBytes?.fill(0);
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        `encryptInto output is ${into.length} bytes; the message needs ${sized}`,
      );
    }
    // encryptInto: the caller's memory (reused buffers fault no fresh pages in), also for
    // an offload's threads, which write their batches in place there.
    const intoOutput = into !== undefined && sized !== undefined ? into.subarray(0, sized) : undefined;
    const offloadOutput =
      sized !== undefined && keyBytes !== undefined
        ? (intoOutput ?? allocateFrom(core.offload as FrameOffload, sized))
        : undefined;
    const destination = offloadOutput?.subarray(headerLength);
    const body =
      keyBytes === undefined
        ? undefined
        : offloadBody(core.offload as FrameOffload, { ...init, keyBytes, suite, destination });
    if (body !== undefined) return new EncryptSession(core, body, messageId, suite, dataKey, offloadOutput);
    // On this thread, a one-shot message is written straight into its result.
    const output = sized === undefined ? undefined : (intoOutput ?? uninitializedBytes(sized));
    return new EncryptSession(core, new FrameEncryptor({ ...init, output }), messageId, suite, dataKey, output);
  }

  /** One-shot calls: the whole message from every piece `push` and `end` returned. */
  join(pieces: readonly Uint8Array[]): Uint8Array {
    return this.#output === undefined ? concatBytes(pieces) : joinInto(this.#output, pieces);
  }

  /** Encrypts a chunk; returns sealed output (the header comes with the first call). */
  push(chunk: Uint8Array): Uint8Array[] | Promise<Uint8Array[]> {
    return this.#frames.push(chunk);
  }

  /** Seals the final frame and the footer; records stats and publishes the event. */
  end(): Uint8Array[] | Promise<Uint8Array[]> {
    const frames = this.#frames;
    if (frames instanceof FrameEncryptor) {
      const out = frames.end();
      this.#finished(frames);
      return out;
    }
    return frames.end().then((out) => {
      this.#finished(frames);
      return out;
    });
  }

  /** Marks the session failed (stats and event); an offloaded body drops what it holds. */
  fail(code: string): void {
    if (!(this.#frames instanceof FrameEncryptor)) this.#frames.abort();
    if (this.#done) return;
    this.#done = true;
    this.#core.stats.encryptFailures++;
    publish(Channels.failure, { operation: 'encrypt', code });
  }

  /** The consumer stopped early: an offloaded body drops what it holds and wipes its key copy. */
  abandon(): void {
    if (!(this.#frames instanceof FrameEncryptor)) this.#frames.abort();
  }

  #finished(frames: { readonly plaintextBytes: number; readonly frames: number }): void {
    if (this.#done) return;
    this.#done = true;
    const bytes = frames.plaintextBytes;
    this.#dataKey.charge(bytes);
    this.#core.stats.messagesEncrypted++;
    this.#core.stats.bytesEncrypted += bytes;
    publish(Channels.encrypt, {
      messageId: toHex(this.#messageId),
      suite: this.#suite.id,
      bytes,
      frames: frames.frames,
    });
  }
}

/** Hands the body to the offload; when it declines, the key copy is wiped here. */
function offloadBody(offload: FrameOffload, init: OffloadEncryptInit): OffloadedBody | undefined {
  let body: OffloadedBody | undefined;
  try {
    body = offload.encryptBody(init);
  } finally {
    if (body === undefined) init.keyBytes.fill(0);
  }
  return body;
}

/** Test hook path: a caller-fixed data key, wrapped by every other store as usual. */
async function fixedDataKey(
  core: EngineCore,
  request: Parameters<EngineCore['acquireDataKey']>[0],
  fixed: NonNullable<FixedMaterials['dataKey']>,
): Promise<MessageDataKey> {
  const key = await core.stores.newDataKey(request, {
    dataKey: fixed.dataKey.clone(),
    encryptedDataKey: fixed.encryptedDataKey,
  });
  return { ...key, release: () => key.dataKey.destroy(), charge: () => {} };
}
