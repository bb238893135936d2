import type { CipherKey, MessageSigner, MessageVerifier } from '../crypto/backend.js';
import { deriveMessageKeys } from '../crypto/key-derivation.js';
import {
  AuthenticationError,
  authenticationFailed,
  ErrorCodes,
  InvalidArgumentError,
  MalformedMessageError,
} from '../errors.js';
import { serializeEncryptionContext } from '../format/encryption-context.js';
import {
  FINAL_FRAME_MARKER,
  FINAL_FRAME_OVERHEAD,
  FINAL_FRAME_PREFIX,
  REGULAR_FRAME_OVERHEAD,
} from '../format/frame.js';
import { ContentType, parseHeader, serializeHeaderBody, type MessageHeader } from '../format/header.js';
import { concatBytes, copyBytes, readUint16, readUint32, writeUint16 } from '../format/bytes.js';
import { FormatLimits } from '../format/limits.js';
import type { DataKey } from '../keys/data-key.js';
import type { EncryptedDataKey, EncryptionContext, KeyStore } from '../keys/key-store.js';
import { KeyStoreSet } from '../keys/key-store-set.js';
import type { EngineCore } from './engine-core.js';
import { computeHeaderTag, verifyHeaderTag } from './header-auth.js';
import { checkExpectedContext, decryptContexts, encryptContexts, verifierFor } from './materials.js';

/** Resolved options of `engine.rewrapHeader` / `engine.rewrapIterable`. */
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

const truncated = (what: string): MalformedMessageError =>
  new MalformedMessageError(ErrorCodes.TRUNCATED, `rewrap: the ${what} is truncated`);

function parse(core: EngineCore, bytes: Uint8Array): MessageHeader | { need: number } {
  const options = { limits: core.limits, commitmentPolicy: core.commitmentPolicy };
  const parsed = parseHeader(bytes, options);
  if ('need' in parsed) return parsed;
  // A private copy: the views the header keeps must not follow the caller's buffer.
  const header = (parseHeader(copyBytes(bytes, 0, parsed.header.length), options) as { header: MessageHeader }).header;
  if (header.version !== 2 || header.contentType !== ContentType.FRAMED) {
    throw new MalformedMessageError(
      ErrorCodes.UNSUPPORTED_VERSION,
      'rewrap: only framed message format v2 can be rewrapped',
    );
  }
  return header;
}

/**
 * Opens a header for re-keying: unwraps the data key through the engine's stores (bucket-key
 * EDKs included), checks the commitment (constant time), the header tag and `expectContext`,
 * then wraps the same data key with `plan.stores` under `context` (the old full context, or
 * the re-signed one) and seals the new header body and tag.
 */
async function reseal(
  core: EngineCore,
  header: MessageHeader,
  plan: RewrapPlan,
  signer: MessageSigner | undefined,
): Promise<{ header: Uint8Array; verifier: MessageVerifier | undefined }> {
  const { backend } = core;
  const contexts = decryptContexts(header, plan.reproducedContext);
  const signal = plan.signal === undefined ? {} : { signal: plan.signal };
  const dataKey: DataKey = await core.unwrapDataKey(
    header.encryptedDataKeys,
    { context: contexts.full, length: header.suite.keyLength, ...signal },
    header.messageId,
  );
  try {
    const keys = deriveMessageKeys(backend, header.suite, dataKey.reveal(), header.messageId);
    const derived = keys.derivedKey;
    // spec: esdk decrypt.md: compare the commitment in constant time, before any other use of the key.
    if (keys.commitment === undefined || !backend.timingSafeEqual(keys.commitment, header.commitment as Uint8Array)) {
      derived.fill(0);
      throw new AuthenticationError(
        ErrorCodes.COMMITMENT_MISMATCH,
        'the data key does not match the key commitment in the header',
      );
    }
    const key: CipherKey = backend.importKey(derived);
    derived.fill(0);
    if (!verifyHeaderTag(backend, key, header.headerBody, contexts.authOnly, header.headerTag))
      throw authenticationFailed();
    checkExpectedContext(contexts.full, plan.expectContext);
    const verifier = verifierFor(backend, header.suite, contexts.full);
    // The old signature covers the old header as received, then every frame.
    verifier?.update(header.headerBody);
    verifier?.update(header.headerTag);
    // A signed message gets a fresh signing key: its public key replaces the old one in the context.
    const next =
      signer === undefined
        ? {
            full: contexts.full,
            authOnly: contexts.authOnly,
            contextBytes: storedContextBytes(header.headerBody, header.suite.messageIdLength),
          }
        : resigned(contexts, signer);
    const set = new KeyStoreSet(plan.stores, core.stats);
    const request = { context: next.full, length: header.suite.keyLength, ...signal };
    const encryptedDataKeys: EncryptedDataKey[] = [];
    for (const store of plan.stores)
      encryptedDataKeys.push(await set.call(store, 'wrap', () => store.wrapDataKey(dataKey, request)));
    const headerBody = serializeHeaderBody({
      suite: header.suite,
      messageId: header.messageId,
      contextBytes: next.contextBytes,
      encryptedDataKeys,
      frameLength: header.frameLength,
      commitment: header.commitment as Uint8Array,
    });
    const tag = computeHeaderTag(backend, key, headerBody, next.authOnly);
    return { header: concatBytes([headerBody, tag]), verifier };
  } finally {
    dataKey.destroy();
  }
}

function resigned(contexts: ReturnType<typeof decryptContexts>, signer: MessageSigner) {
  const caller: Record<string, string> = {};
  for (const key of Object.keys(contexts.full))
    if (!key.startsWith('aws-crypto-')) caller[key] = contexts.full[key] as string;
  const next = encryptContexts(caller, Object.keys(contexts.authOnly), signer);
  return { full: next.full, authOnly: next.authOnly, contextBytes: serializeEncryptionContext(next.stored) };
}

/** The stored context exactly as written (v2 header body: version, suite ID, message ID, then a u16 length and the pairs). */
function storedContextBytes(headerBody: Uint8Array, messageIdLength: number): Uint8Array {
  const at = 1 + 2 + messageIdLength;
  return headerBody.subarray(at + 2, at + 2 + readUint16(headerBody, at));
}

/**
 * Re-keys an unsigned framed v2 message by its header alone (see `engine.rewrapHeader`).
 * @throws {MalformedMessageError} truncated or malformed header, non-framed message
 * @throws {InvalidArgumentError} a signing suite (use `rewrapIterable`)
 * @throws {AuthenticationError} commitment or header tag mismatch, `expectContext` mismatch
 * @throws {KeyStoreError} unwrap or wrap failures
 */
export async function rewrapHeader(core: EngineCore, bytes: Uint8Array, plan: RewrapPlan): Promise<RewrappedHeader> {
  const header = parse(core, bytes);
  if ('need' in header)
    throw new MalformedMessageError(
      ErrorCodes.TRUNCATED,
      `rewrapHeader: the header needs at least ${header.need} byte${header.need === 1 ? '' : 's'}, got ${bytes.length}`,
    );
  if (header.suite.signature !== undefined) {
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      'rewrapHeader: a signing suite (0x0578) signs its header in the footer; re-sign it with rewrapIterable',
    );
  }
  const out = await reseal(core, header, plan, undefined);
  return { header: out.header, replacedLength: header.length };
}

/**
 * Re-keys a whole message in one streaming pass: the new header first; then, unsigned, the
 * body unchanged; signed (0x0578), each frame as it arrives is fed to the old signature's
 * verifier and to a new signer (a fresh key pair, its public key in the new header), and the
 * old footer is replaced by the new signature once the old one verifies. One frame is held
 * at a time. Frames are not decrypted: the old signature authenticates them.
 * @throws {SealflowError} as `rewrapHeader`, plus ERR_SIGNATURE_INVALID, ERR_TRUNCATED, ERR_TRAILING_BYTES (while iterating)
 */
export async function* rewrapIterable(
  core: EngineCore,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  plan: RewrapPlan,
): AsyncIterable<Uint8Array> {
  let buffer: Uint8Array = new Uint8Array(0);
  const iterator = (
    Symbol.asyncIterator in source
      ? source[Symbol.asyncIterator]()
      : (source as Iterable<Uint8Array>)[Symbol.iterator]()
  ) as AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  const more = async (): Promise<boolean> => {
    const next = await iterator.next();
    if (next.done === true) return false;
    buffer = buffer.length === 0 ? next.value : concatBytes([buffer, next.value]);
    return true;
  };
  let header = parse(core, buffer);
  while ('need' in header) {
    if (!(await more())) throw truncated('header');
    header = parse(core, buffer);
  }
  buffer = buffer.subarray(header.length);
  const curve = header.suite.signature?.curve;
  const signer = curve === undefined ? undefined : core.backend.createSigner(curve);
  const { header: sealed, verifier } = await reseal(core, header, plan, signer);
  yield sealed;
  if (signer === undefined || verifier === undefined) {
    if (buffer.length > 0) yield buffer;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  signer.update(sealed);
  const fl = header.frameLength;
  const need = async (n: number, what: string): Promise<void> => {
    while (buffer.length < n) if (!(await more())) throw truncated(what);
  };
  for (let frames = 1; ; frames++) {
    if (frames > FormatLimits.maxFrameCount)
      throw new MalformedMessageError(ErrorCodes.MALFORMED_MESSAGE, 'rewrap: too many frames');
    await need(4, 'body');
    const final = readUint32(buffer, 0) === FINAL_FRAME_MARKER;
    let size = REGULAR_FRAME_OVERHEAD + fl;
    if (final) {
      await need(FINAL_FRAME_PREFIX, 'final frame');
      const length = readUint32(buffer, FINAL_FRAME_PREFIX - 4);
      if (length > fl)
        throw new MalformedMessageError(
          ErrorCodes.MALFORMED_MESSAGE,
          'rewrap: a final frame longer than the frame length',
        );
      size = FINAL_FRAME_OVERHEAD + length;
    }
    await need(size, final ? 'final frame' : 'body');
    const frame = buffer.subarray(0, size);
    verifier.update(frame);
    signer.update(frame);
    yield copyBytes(frame);
    buffer = buffer.subarray(size);
    if (final) break;
  }
  await need(2, 'footer');
  const length = readUint16(buffer, 0);
  if (length > FormatLimits.maxSignatureLength)
    throw new MalformedMessageError(ErrorCodes.MALFORMED_MESSAGE, 'rewrap: the footer signature is too long');
  await need(2 + length, 'footer');
  if (buffer.length > 2 + length || (await more()))
    throw new MalformedMessageError(ErrorCodes.TRAILING_BYTES, 'rewrap: bytes follow the footer');
  if (!verifier.verify(buffer.subarray(2, 2 + length)))
    throw new AuthenticationError(ErrorCodes.SIGNATURE_INVALID, 'the message signature does not verify');
  const signature = signer.sign();
  const footer = new Uint8Array(2 + signature.length);
  writeUint16(footer, 0, signature.length);
  footer.set(signature, 2);
  yield footer;
}
