import { deriveMessageKeys } from '../crypto/key-derivation.js';
import {
  AuthenticationError,
  authenticationFailed,
  ErrorCodes,
  InvalidArgumentError,
  MalformedMessageError,
} from '../errors.js';
import { Channels, publish } from '../events.js';
import { concatBytes, copyBytes, joinInto, uninitializedBytes } from '../format/bytes.js';
import { framedPlaintextLength } from '../format/frame.js';
import { ContentType, parseHeader, type MessageHeader } from '../format/header.js';
import type { EncryptionContext } from '../keys/key-store.js';
import { BodyDecryptor } from './body-decryptor.js';
import type { EngineCore } from './engine-core.js';
import { allocateFrom, type FrameOffload, type OffloadDecryptInit, type OffloadedBody } from './frame-offload.js';
import { verifyHeaderTag } from './header-auth.js';
import { headerInfo, type HeaderInfo } from './header-info.js';
import { checkExpectedContext, decryptContexts, verifierFor } from './materials.js';
import { headerParseOptions } from './commitment-policy.js';

export interface DecryptPlan {
  readonly expectContext: EncryptionContext | undefined;
  readonly reproducedContext: EncryptionContext | undefined;
  /** Refuse signing suites as soon as the header is parsed (for callers that stream plaintext onward). */
  readonly unsignedOnly: boolean;
  readonly signal: AbortSignal | undefined;
  /** Streams only (one-shot calls refuse it). */
  readonly idleTimeoutMs: number | undefined;
}

/** The authenticated header of a message being decrypted. */
export interface DecryptedHeader {
  readonly info: HeaderInfo;
  /** Everything authenticated: stored pairs plus reproduced ones. */
  readonly context: Readonly<Record<string, string>>;
}

/** How a session may use the engine's offload. */
export interface DecryptSessionOptions {
  /** Let the engine's offload (if any) take the body. Range reads open frames themselves, so they do not. */
  readonly offload?: boolean;
  /** The whole message's size when known (one-shot decrypt): offloads keep small messages here. */
  readonly messageLength?: number;
  /** The plaintext is assembled by `join`, written straight into its result when its size is known. */
  readonly oneShot?: boolean;
  /**
   * `decryptInto`: the caller's memory for the plaintext (one-shot, unsigned framed
   * messages; checked once the header authenticated). An offload writes into it in place.
   */
  readonly into?: Uint8Array | undefined;
}

/**
 * One message being decrypted. Header bytes accumulate (bounded by `maxHeaderBytes`)
 * until the header parses; then the data key is unwrapped, the commitment compared in
 * constant time and the header tag verified, in that order (spec: esdk decrypt.md), and
 * the body streams through a BodyDecryptor (or through the engine's offload, which may then
 * answer `push` and does answer `end` later).
 */
export class DecryptSession {
  readonly #core: EngineCore;
  readonly #plan: DecryptPlan;
  readonly #offload: FrameOffload | undefined;
  readonly #messageLength: number | undefined;
  readonly #oneShot: boolean;
  readonly #into: Uint8Array | undefined;
  /** One-shot calls: the whole plaintext's memory (the offload's, or this thread's), when its size was known. */
  #output: Uint8Array | undefined;
  #offloaded: OffloadedBody | undefined;
  #headerParts: Uint8Array[] = [];
  #headerTotal = 0;
  #need = 1;
  #body: BodyDecryptor | undefined;
  #header: DecryptedHeader | undefined;
  #finished = false;
  /** Set by `abandon`: a body offloaded later (the key-store call was still pending) is dropped at once. */
  #abandoned = false;

  constructor(core: EngineCore, plan: DecryptPlan, options: DecryptSessionOptions = {}) {
    this.#core = core;
    this.#plan = plan;
    this.#offload = options.offload === true ? core.offload : undefined;
    this.#messageLength = options.messageLength;
    this.#oneShot = options.oneShot === true;
    this.#into = options.into;
  }

  /** One-shot calls: the whole plaintext from every piece `push` and `end` returned. */
  join(pieces: readonly Uint8Array[]): Uint8Array {
    return this.#output === undefined ? concatBytes(pieces) : joinInto(this.#output, pieces);
  }

  /** The authenticated header, once it is known. */
  get header(): DecryptedHeader | undefined {
    return this.#header;
  }

  /** Consumes ciphertext. Async only while the header completes (the key-store call). */
  async push(chunk: Uint8Array): Promise<Uint8Array[]> {
    if (this.#body !== undefined) return this.pushBody(chunk);
    return this.#pushHeader(chunk);
  }

  /** The body decryptor, once the header authenticated (the range reader opens frames with it). */
  get body(): BodyDecryptor | undefined {
    return this.#body;
  }

  /** Synchronous push for callers that know the header is done (`header !== undefined`). */
  pushBody(chunk: Uint8Array): Uint8Array[] | Promise<Uint8Array[]> {
    return (this.#offloaded ?? (this.#body as BodyDecryptor)).push(chunk);
  }

  /** Ends the message: fails on truncation; verifies the signature; returns held plaintext. */
  end(): Uint8Array[] | Promise<Uint8Array[]> {
    if (this.#body === undefined) {
      throw new MalformedMessageError(
        ErrorCodes.TRUNCATED,
        this.#headerTotal === 0 ? 'the message is empty' : 'the message is truncated',
      );
    }
    const offloaded = this.#offloaded;
    if (offloaded !== undefined) {
      return offloaded.end().then((out) => {
        this.#done(offloaded);
        return out;
      });
    }
    const out = this.#body.end();
    this.#done(this.#body);
    return out;
  }

  #done(body: { readonly plaintextBytes: number; readonly frames: number }): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#core.stats.messagesDecrypted++;
    this.#core.stats.bytesDecrypted += body.plaintextBytes;
    const info = (this.#header as DecryptedHeader).info;
    publish(Channels.decrypt, {
      messageId: info.messageId,
      suite: info.suiteId,
      bytes: body.plaintextBytes,
      frames: body.frames,
    });
  }

  /** The consumer stopped early: an offloaded body drops what it holds and wipes its key copy. */
  abandon(): void {
    this.#abandoned = true;
    this.#offloaded?.abort();
  }

  fail(code: string): void {
    this.#offloaded?.abort();
    // Frames that verified before the failure may sit in the one-shot memory; it is never returned.
    this.#output?.fill(0);
    this.#output = undefined;
    if (this.#finished) return;
    this.#finished = true;
    this.#core.stats.decryptFailures++;
    publish(Channels.failure, { operation: 'decrypt', code });
  }

  async #pushHeader(chunk: Uint8Array): Promise<Uint8Array[]> {
    const total = this.#headerTotal + chunk.length;
    if (total < this.#need) {
      // Copied: header bytes must outlive the caller's buffer. Parts are joined only once
      // enough bytes arrived for the next field, so tiny chunks cost few joins.
      this.#headerParts.push(copyBytes(chunk));
      this.#headerTotal = total;
      return [];
    }
    const joined = this.#headerParts.length === 0 ? chunk : concatBytes([...this.#headerParts, chunk]);
    const options = headerParseOptions(this.#core);
    const first = parseHeader(joined, options);
    if ('need' in first) {
      this.#need = first.need;
      this.#headerParts = [joined === chunk ? copyBytes(chunk) : joined];
      this.#headerTotal = total;
      return [];
    }
    this.#headerParts = [];
    // The header is re-parsed from a private copy of just its bytes, so the views it keeps
    // (message ID, EDKs) never point into the caller's buffer.
    const length = first.header.length;
    const header = (parseHeader(copyBytes(joined, 0, length), options) as { header: MessageHeader }).header;
    if (this.#plan.unsignedOnly && header.suite.signature !== undefined) {
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        'the message uses a signing suite and unsignedOnly was requested',
      );
    }
    await this.#open(header);
    const rest = joined.subarray(length);
    return rest.length === 0 ? [] : this.pushBody(rest);
  }

  async #open(header: MessageHeader): Promise<void> {
    const { backend } = this.#core;
    const contexts = decryptContexts(header, this.#plan.reproducedContext);
    const verifier = verifierFor(backend, header.suite, contexts.full);
    const dataKey = await this.#core.unwrapDataKey(
      header.encryptedDataKeys,
      {
        context: contexts.full,
        length: header.suite.keyLength,
        ...(this.#plan.signal === undefined ? {} : { signal: this.#plan.signal }),
      },
      header.messageId,
    );
    let derived: Uint8Array;
    try {
      const keys = deriveMessageKeys(backend, header.suite, dataKey.reveal(), header.messageId);
      derived = keys.derivedKey;
      // spec: esdk decrypt.md: compare the commitment in constant time, before any other use of the key.
      if (keys.commitment !== undefined && !backend.timingSafeEqual(keys.commitment, header.commitment as Uint8Array)) {
        derived.fill(0);
        throw new AuthenticationError(
          ErrorCodes.COMMITMENT_MISMATCH,
          'the data key does not match the key commitment in the header',
        );
      }
    } finally {
      dataKey.destroy();
    }
    const key = backend.importKey(derived);
    // An offload opens frames elsewhere, so it gets a private copy of the derived key (it wipes it).
    const keyBytes = this.#offload === undefined ? undefined : copyBytes(derived);
    derived.fill(0);
    try {
      if (!verifyHeaderTag(backend, key, header.headerBody, contexts.authOnly, header.headerTag, header.headerIv))
        throw authenticationFailed();
      checkExpectedContext(contexts.full, this.#plan.expectContext);
    } catch (error) {
      keyBytes?.fill(0);
      throw error;
    }
    if (verifier !== undefined) {
      verifier.update(header.headerBody);
      if (header.headerIv !== undefined) verifier.update(header.headerIv);
      verifier.update(header.headerTag);
    }
    const context = Object.freeze({ ...contexts.full });
    this.#header = { info: headerInfo(header), context };
    // A one-shot, unsigned, framed message: its plaintext's size follows from its length.
    const sized = this.#oneShot && verifier === undefined ? plaintextLength(header, this.#messageLength) : undefined;
    const into = this.#into;
    if (into !== undefined) {
      try {
        checkInto(header, verifier !== undefined, sized, into);
      } catch (error) {
        keyBytes?.fill(0);
        throw error;
      }
    }
    if (keyBytes !== undefined) {
      const output =
        sized === undefined
          ? undefined
          : (into?.subarray(0, sized) ?? allocateFrom(this.#offload as FrameOffload, sized));
      const init = {
        backend,
        key,
        keyBytes,
        header,
        verifier,
        limits: this.#core.limits,
        messageLength: this.#messageLength,
        destination: output,
      };
      this.#offloaded = offloadBody(this.#offload as FrameOffload, init);
      if (this.#offloaded !== undefined) this.#output = output;
      if (this.#abandoned) this.#offloaded?.abort();
    }
    // On this thread, a one-shot message's plaintext is written straight into its result.
    // decryptInto: the caller's memory (reused buffers fault no fresh pages in).
    const local =
      this.#offloaded === undefined && sized !== undefined
        ? (into?.subarray(0, sized) ?? uninitializedBytes(sized))
        : undefined;
    if (local !== undefined) this.#output = local;
    this.#body = new BodyDecryptor({ backend, key, header, verifier, limits: this.#core.limits, output: local });
  }
}

/** The plaintext length of a framed message of `messageLength` bytes, when known and well formed. */
function plaintextLength(header: MessageHeader, messageLength: number | undefined): number | undefined {
  if (messageLength === undefined || header.contentType !== ContentType.FRAMED) return undefined;
  return framedPlaintextLength(messageLength - header.length, header.frameLength);
}

/**
 * decryptInto's checks, once the header is known: an unsigned framed message whose
 * plaintext fits the caller's output.
 * @throws {InvalidArgumentError} INVALID_ARGUMENT for a signing suite, a non-framed message or a short output.
 * @throws {MalformedMessageError} TRUNCATED when the message length matches no frame layout.
 */
function checkInto(header: MessageHeader, signed: boolean, sized: number | undefined, into: Uint8Array): void {
  if (signed || header.contentType !== ContentType.FRAMED) {
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      'decryptInto needs a framed message without a signature (its plaintext size is known from its length)',
    );
  }
  if (sized === undefined) throw new MalformedMessageError(ErrorCodes.TRUNCATED, 'the message is truncated');
  if (into.length < sized) {
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      `decryptInto output is ${into.length} bytes; the plaintext needs ${sized}`,
    );
  }
}

/** Hands the body to the offload; when it declines, the key copy is wiped here. */
function offloadBody(offload: FrameOffload, init: OffloadDecryptInit): OffloadedBody | undefined {
  let body: OffloadedBody | undefined;
  try {
    body = offload.decryptBody(init);
  } finally {
    if (body === undefined) init.keyBytes.fill(0);
  }
  return body;
}
