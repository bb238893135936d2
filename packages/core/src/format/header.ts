import { ErrorCodes, InvalidArgumentError, LimitExceededError, MalformedMessageError } from '../errors.js';
import type { EncryptedDataKey } from '../keys/key-store.js';
import { readUint16, readUint32, utf8DecodeStrict, utf8Encode, writeUint16, writeUint32 } from './bytes.js';
import { parseEncryptionContext } from './encryption-context.js';
import { FormatLimits, type DecryptLimits } from './limits.js';
import { CommitmentPolicy, getSuite, IV_LENGTH, TAG_LENGTH, type AlgorithmSuite } from './suites.js';

export const ContentType = { NON_FRAMED: 1, FRAMED: 2 } as const;
export type ContentType = (typeof ContentType)[keyof typeof ContentType];

/** A parsed message header. Byte fields are views into the parsed buffer. */
export interface MessageHeader {
  readonly version: 1 | 2;
  readonly suite: AlgorithmSuite;
  readonly messageId: Uint8Array;
  /** The context as stored in the header (authenticate-only pairs are not here). */
  readonly context: Readonly<Record<string, string>>;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly contentType: ContentType;
  /** 0 for non-framed content. */
  readonly frameLength: number;
  /** v2: the 32-byte key commitment (header field 10). */
  readonly commitment: Uint8Array | undefined;
  /** v1: the 12-byte header IV. v2 has none (the header tag uses a zero IV). */
  readonly headerIv: Uint8Array | undefined;
  readonly headerTag: Uint8Array;
  /** Header body (fields 1-10) exactly as received: the header tag's AAD. */
  readonly headerBody: Uint8Array;
  /** Total header length including the auth section. */
  readonly length: number;
}

export interface HeaderParseOptions {
  readonly limits: DecryptLimits;
  readonly commitmentPolicy: CommitmentPolicy;
}

/** `{ need }`: the parser wants at least `need` bytes in total before it can go on. */
export type HeaderParseResult = { readonly header: MessageHeader } | { readonly need: number };

const malformed = (why: string): MalformedMessageError => new MalformedMessageError(ErrorCodes.MALFORMED_MESSAGE, `malformed header: ${why}`);

/** ASCII of the base64 forms of our message starts: `AgR4`, `AgV4` (v2) and `AY` (v1). */
function looksLikeBase64(bytes: Uint8Array): boolean {
  const start = String.fromCharCode(...bytes.subarray(0, 4));
  return start === 'AgR4' || start === 'AgV4' || start.startsWith('AY');
}

/**
 * Parses a message header from the start of `bytes`. Returns `{ need }` when more bytes
 * are required (never throws on short input). Every length is compared with its cap
 * before the parser waits for, or looks at, the bytes it declares.
 * @throws {MalformedMessageError | LimitExceededError | InvalidArgumentError}
 */
export function parseHeader(bytes: Uint8Array, options: HeaderParseOptions): HeaderParseResult {
  const { limits } = options;
  let offset = 0;
  let need = 0;
  // Asks for `n` more bytes at the current offset; false means "return need".
  const have = (n: number): boolean => {
    need = offset + n;
    if (need > limits.maxHeaderBytes) throw new LimitExceededError('maxHeaderBytes', limits.maxHeaderBytes, need);
    return bytes.length >= need;
  };
  const more = (): HeaderParseResult => ({ need });

  if (!have(1)) return more();
  // 'A' (0x41) is no version byte but opens every base64 form we detect: wait for the
  // 4 bytes that tell, so the code does not depend on how the input was chunked.
  if (bytes[0] === 0x41 && bytes[1] !== 0x59 && !have(4)) return more();
  if (bytes.length >= 2 && looksLikeBase64(bytes)) {
    throw new MalformedMessageError(ErrorCodes.BASE64_INPUT, 'the input looks base64-encoded: decode it before decrypting');
  }
  const version = bytes[0];
  if (version !== 1 && version !== 2) {
    // Any other first byte: not a version we do not know yet, but no ESDK message at all
    // (a plain file, another format); saying "version 104" would mislead.
    throw new MalformedMessageError(
      ErrorCodes.UNSUPPORTED_VERSION,
      `not an AWS Encryption SDK message: it starts with byte 0x${(version as number).toString(16).padStart(2, '0')}, where a message starts with its format version 0x01 or 0x02`,
    );
  }
  offset = 1;
  if (version === 1) {
    if (!have(1)) return more();
    // spec: esdk message-header.md#type: v1 has a type byte, 0x80 (customer authenticated encrypted data).
    if (bytes[1] !== 0x80) throw malformed('v1 message type is not 0x80');
    offset = 2;
  }
  if (!have(2)) return more();
  const suiteId = readUint16(bytes, offset);
  const suite = getSuite(suiteId);
  if (suite === undefined) {
    throw new MalformedMessageError(ErrorCodes.UNSUPPORTED_SUITE, `unsupported algorithm suite 0x${suiteId.toString(16).padStart(4, '0')}`);
  }
  if (suite.messageFormat !== version) throw malformed(`suite 0x${suiteId.toString(16).padStart(4, '0')} in a v${version} header`);
  // spec: esdk client-apis/decrypt.md: the policy is checked as soon as the suite is known.
  if (!suite.committing && options.commitmentPolicy === CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT) {
    throw new InvalidArgumentError(
      ErrorCodes.COMMITMENT_POLICY,
      `suite 0x${suiteId.toString(16).padStart(4, '0')} does not commit to its key; the commitment policy requires it (allow with REQUIRE_ENCRYPT_ALLOW_DECRYPT)`,
    );
  }
  offset += 2;
  if (!have(suite.messageIdLength + 2)) return more();
  const messageId = bytes.subarray(offset, offset + suite.messageIdLength);
  offset += suite.messageIdLength;
  const contextLength = readUint16(bytes, offset);
  if (contextLength > limits.maxContextBytes) throw new LimitExceededError('maxContextBytes', limits.maxContextBytes, contextLength);
  offset += 2;
  if (!have(contextLength + 2)) return more();
  const context = parseEncryptionContext(bytes.subarray(offset, offset + contextLength));
  offset += contextLength;
  const edkCount = readUint16(bytes, offset);
  if (edkCount === 0) throw malformed('no encrypted data keys');
  if (edkCount > limits.maxEncryptedDataKeys) throw new LimitExceededError('maxEncryptedDataKeys', limits.maxEncryptedDataKeys, edkCount);
  offset += 2;
  const encryptedDataKeys: EncryptedDataKey[] = [];
  for (let i = 0; i < edkCount; i++) {
    const fields: Uint8Array[] = [];
    for (let f = 0; f < 3; f++) {
      if (!have(2)) return more();
      const length = readUint16(bytes, offset);
      offset += 2;
      if (!have(length)) return more();
      fields.push(bytes.subarray(offset, offset + length));
      offset += length;
    }
    const providerId = utf8DecodeStrict(fields[0] as Uint8Array);
    if (providerId === undefined) throw malformed('an EDK provider ID is not valid UTF-8');
    encryptedDataKeys.push({ providerId, providerInfo: fields[1] as Uint8Array, ciphertext: fields[2] as Uint8Array });
  }
  if (!have(1)) return more();
  const contentType = bytes[offset];
  if (contentType !== ContentType.FRAMED && contentType !== ContentType.NON_FRAMED) throw malformed(`unknown content type ${String(contentType)}`);
  offset += 1;
  let headerIvLength = 0;
  if (version === 1) {
    if (!have(5)) return more();
    if (readUint32(bytes, offset) !== 0) throw malformed('v1 reserved field is not zero');
    headerIvLength = bytes[offset + 4] as number;
    if (headerIvLength !== IV_LENGTH) throw malformed('v1 IV length is not 12');
    offset += 5;
  }
  if (!have(4)) return more();
  const frameLength = readUint32(bytes, offset);
  offset += 4;
  if (contentType === ContentType.NON_FRAMED && frameLength !== 0) throw malformed('non-framed content with a non-zero frame length');
  // A framed message with frame length 0 could be an endless run of empty frames.
  if (contentType === ContentType.FRAMED && frameLength === 0) throw malformed('framed content with frame length 0');
  if (frameLength > limits.maxFrameLength) throw new LimitExceededError('maxFrameLength', limits.maxFrameLength, frameLength);
  let commitment: Uint8Array | undefined;
  if (version === 2) {
    if (!have(32)) return more();
    commitment = bytes.subarray(offset, offset + 32);
    offset += 32;
  }
  const headerBody = bytes.subarray(0, offset);
  if (!have(headerIvLength + TAG_LENGTH)) return more();
  const headerIv = version === 1 ? bytes.subarray(offset, offset + headerIvLength) : undefined;
  offset += headerIvLength;
  const headerTag = bytes.subarray(offset, offset + TAG_LENGTH);
  offset += TAG_LENGTH;
  return {
    header: {
      version,
      suite,
      messageId,
      context,
      encryptedDataKeys,
      contentType,
      frameLength,
      commitment,
      headerIv,
      headerTag,
      headerBody,
      length: offset,
    },
  };
}

export interface HeaderBodyFields {
  readonly suite: AlgorithmSuite;
  readonly messageId: Uint8Array;
  /** Canonical serialization of the stored context (empty for none). */
  readonly contextBytes: Uint8Array;
  readonly encryptedDataKeys: readonly EncryptedDataKey[];
  readonly frameLength: number;
  readonly commitment: Uint8Array;
}

/**
 * Serializes a v2 header body (fields 1-10; spec: esdk message-header.md). We only
 * write framed v2 headers.
 * @throws {LimitExceededError} when a field does not fit its uint16 length.
 */
export function serializeHeaderBody(fields: HeaderBodyFields): Uint8Array {
  const edks = fields.encryptedDataKeys.map((edk) => [utf8Encode(edk.providerId), edk.providerInfo, edk.ciphertext] as const);
  if (fields.contextBytes.length > FormatLimits.uint16Max) {
    throw new LimitExceededError('contextBytes', FormatLimits.uint16Max, fields.contextBytes.length);
  }
  if (edks.length === 0 || edks.length > FormatLimits.uint16Max) {
    throw new LimitExceededError('encryptedDataKeys', FormatLimits.uint16Max, edks.length);
  }
  let size = 1 + 2 + 32 + 2 + fields.contextBytes.length + 2 + 1 + 4 + 32;
  for (const edk of edks) {
    for (const field of edk) {
      if (field.length > FormatLimits.uint16Max) throw new LimitExceededError('encryptedDataKeyField', FormatLimits.uint16Max, field.length);
      size += 2 + field.length;
    }
  }
  const out = new Uint8Array(size);
  let offset = 0;
  out[offset++] = 2;
  writeUint16(out, offset, fields.suite.id);
  offset += 2;
  out.set(fields.messageId, offset);
  offset += 32;
  writeUint16(out, offset, fields.contextBytes.length);
  out.set(fields.contextBytes, offset + 2);
  offset += 2 + fields.contextBytes.length;
  writeUint16(out, offset, edks.length);
  offset += 2;
  for (const edk of edks) {
    for (const field of edk) {
      writeUint16(out, offset, field.length);
      out.set(field, offset + 2);
      offset += 2 + field.length;
    }
  }
  out[offset++] = ContentType.FRAMED;
  writeUint32(out, offset, fields.frameLength);
  offset += 4;
  out.set(fields.commitment, offset);
  return out;
}
