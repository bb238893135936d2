import { deriveMessageKeys } from '../crypto/key-derivation.js';
import { AuthenticationError, authenticationFailed, ErrorCodes, InvalidArgumentError, MalformedMessageError } from '../errors.js';
import { ContentType, parseHeader, serializeHeaderBody } from '../format/header.js';
import { concatBytes, copyBytes, readUint16 } from '../format/bytes.js';
import type { EncryptedDataKey, EncryptionContext, KeyStore } from '../keys/key-store.js';
import { KeyStoreSet } from '../keys/key-store-set.js';
import type { EngineCore } from './engine-core.js';
import { computeHeaderTag, verifyHeaderTag } from './header-auth.js';
import { checkExpectedContext, decryptContexts } from './materials.js';

/** Resolved options of `engine.rewrapHeader`. */
export interface RewrapPlan {
  /** The stores that wrap the data key in the new header (each writes one EDK, in order). */
  readonly stores: readonly KeyStore[];
  readonly reproducedContext: EncryptionContext | undefined;
  readonly expectContext: EncryptionContext | undefined;
  readonly signal: AbortSignal | undefined;
}

/** The result of `engine.rewrapHeader`. */
export interface RewrappedHeader {
  /** The new header: same suite, message ID, context, frame length and commitment; new EDKs and header tag. */
  readonly header: Uint8Array;
  /** How many bytes of the input the old header took (the body starts there, unchanged). */
  readonly replacedLength: number;
}

/**
 * Re-keys a message without touching its body: parses the header, unwraps the data key
 * through the engine's stores (bucket-key EDKs included), checks the commitment and the
 * header tag, wraps the same data key with `plan.stores`, and seals a header with the new
 * EDKs and a new tag. The message ID, and so the derived key and every frame, stay valid.
 * Signing suites are refused: their footer signs the old header (the ephemeral signing
 * key is gone), so they need a re-signing pass over the whole message.
 * @throws {MalformedMessageError} truncated or malformed header, signing or non-framed message
 * @throws {AuthenticationError} commitment or header tag mismatch, `expectContext` mismatch
 * @throws {KeyStoreError} unwrap or wrap failures
 */
export async function rewrapHeader(core: EngineCore, bytes: Uint8Array, plan: RewrapPlan): Promise<RewrappedHeader> {
  const parsed = parseHeader(bytes, { limits: core.limits, commitmentPolicy: core.commitmentPolicy });
  if ('need' in parsed) throw new MalformedMessageError(ErrorCodes.TRUNCATED, `rewrapHeader: the header needs at least ${parsed.need} bytes, got ${bytes.length}`);
  // A private copy: the views the header keeps must not follow the caller's buffer.
  const header = (parseHeader(copyBytes(bytes, 0, parsed.header.length), { limits: core.limits, commitmentPolicy: core.commitmentPolicy }) as { header: typeof parsed.header }).header;
  if (header.version !== 2 || header.contentType !== ContentType.FRAMED) {
    throw new MalformedMessageError(ErrorCodes.UNSUPPORTED_VERSION, 'rewrapHeader: only framed message format v2 headers can be rewrapped');
  }
  if (header.suite.signature !== undefined) {
    throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'rewrapHeader: a signing suite (0x0578) signs its header in the footer; it cannot be rewrapped in place');
  }
  const { backend } = core;
  const contexts = decryptContexts(header, plan.reproducedContext);
  const signal = plan.signal === undefined ? {} : { signal: plan.signal };
  const request = { context: contexts.full, length: header.suite.keyLength, ...signal };
  const dataKey = await core.unwrapDataKey(header.encryptedDataKeys, request, header.messageId);
  try {
    const keys = deriveMessageKeys(backend, header.suite, dataKey.reveal(), header.messageId);
    const derived = keys.derivedKey;
    // spec: esdk decrypt.md: compare the commitment in constant time, before any other use of the key.
    if (keys.commitment === undefined || !backend.timingSafeEqual(keys.commitment, header.commitment as Uint8Array)) {
      derived.fill(0);
      throw new AuthenticationError(ErrorCodes.COMMITMENT_MISMATCH, 'the data key does not match the key commitment in the header');
    }
    const key = backend.importKey(derived);
    derived.fill(0);
    if (!verifyHeaderTag(backend, key, header.headerBody, contexts.authOnly, header.headerTag)) throw authenticationFailed();
    checkExpectedContext(contexts.full, plan.expectContext);
    const set = new KeyStoreSet(plan.stores, core.stats);
    const encryptedDataKeys: EncryptedDataKey[] = [];
    for (const store of plan.stores) {
      encryptedDataKeys.push(await set.call(store, 'wrap', () => store.wrapDataKey(dataKey, request)));
    }
    const headerBody = serializeHeaderBody({
      suite: header.suite,
      messageId: header.messageId,
      contextBytes: storedContextBytes(header.headerBody, header.suite.messageIdLength),
      encryptedDataKeys,
      frameLength: header.frameLength,
      commitment: header.commitment as Uint8Array,
    });
    const tag = computeHeaderTag(backend, key, headerBody, contexts.authOnly);
    return { header: concatBytes([headerBody, tag]), replacedLength: header.length };
  } finally {
    dataKey.destroy();
  }
}

/** The stored context exactly as written (v2 header body: version, suite ID, message ID, then a u16 length and the pairs). */
function storedContextBytes(headerBody: Uint8Array, messageIdLength: number): Uint8Array {
  const at = 1 + 2 + messageIdLength;
  return headerBody.subarray(at + 2, at + 2 + readUint16(headerBody, at));
}
