import type { CipherKey } from '../crypto/backend.js';
import { deriveMessageKeys } from '../crypto/key-derivation.js';
import { toHex } from '../format/bytes.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import { serializeHeaderBody } from '../format/header.js';
import type { AlgorithmSuite } from '../format/suites.js';
import type { EncryptionContext } from '../keys/key-store.js';
import { Channels, publish } from '../events.js';
import type { BucketKeyRequest, EngineCore, FixedMaterials, MessageDataKey } from './engine-core.js';
import { FrameEncryptor } from './frame-encryptor.js';
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
  readonly fixed: FixedMaterials | undefined;
}

/**
 * One message being encrypted: materials and header up front (async), then a
 * synchronous frame pipeline. Wipes the data key once the header is sealed.
 */
export class EncryptSession {
  readonly #core: EngineCore;
  readonly #frames: FrameEncryptor;
  readonly #messageId: Uint8Array;
  readonly #suite: AlgorithmSuite;
  readonly #dataKey: MessageDataKey;
  #done = false;

  private constructor(core: EngineCore, frames: FrameEncryptor, messageId: Uint8Array, suite: AlgorithmSuite, dataKey: MessageDataKey) {
    this.#core = core;
    this.#frames = frames;
    this.#messageId = messageId;
    this.#suite = suite;
    this.#dataKey = dataKey;
  }

  /** Gets a data key, derives the message keys and seals the header. */
  static async open(core: EngineCore, plan: EncryptPlan): Promise<EncryptSession> {
    const { backend } = core;
    const suite = plan.suite;
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
    try {
      const { derivedKey, commitment } = deriveMessageKeys(backend, suite, dataKey.dataKey.reveal(), messageId);
      key = backend.importKey(derivedKey);
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
    } finally {
      // The derived key now lives in `key`; the data key is no longer needed.
      dataKey.release();
    }
    const frames = new FrameEncryptor({
      backend,
      key,
      messageId,
      frameLength: plan.frameLength,
      header,
      signer,
      plaintextLength: plan.plaintextLength,
    });
    return new EncryptSession(core, frames, messageId, suite, dataKey);
  }

  /** Encrypts a chunk; returns sealed output (the header comes with the first call). */
  push(chunk: Uint8Array): Uint8Array[] {
    return this.#frames.push(chunk);
  }

  /** Seals the final frame and the footer; records stats and publishes the event. */
  end(): Uint8Array[] {
    const out = this.#frames.end();
    if (!this.#done) {
      this.#done = true;
      const bytes = this.#frames.plaintextBytes;
      this.#dataKey.charge(bytes);
      this.#core.stats.messagesEncrypted++;
      this.#core.stats.bytesEncrypted += bytes;
      publish(Channels.encrypt, { messageId: toHex(this.#messageId), suite: this.#suite.id, bytes, frames: this.#frames.frames });
    }
    return out;
  }

  /** Marks the session failed (stats and event). */
  fail(code: string): void {
    if (this.#done) return;
    this.#done = true;
    this.#core.stats.encryptFailures++;
    publish(Channels.failure, { operation: 'encrypt', code });
  }
}

/** Test hook path: a caller-fixed data key, wrapped by every other store as usual. */
async function fixedDataKey(core: EngineCore, request: Parameters<EngineCore['acquireDataKey']>[0], fixed: NonNullable<FixedMaterials['dataKey']>): Promise<MessageDataKey> {
  const key = await core.stores.newDataKey(request, { dataKey: fixed.dataKey.clone(), encryptedDataKey: fixed.encryptedDataKey });
  return { ...key, release: () => key.dataKey.destroy(), charge: () => {} };
}
