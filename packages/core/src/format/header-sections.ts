// The section readers of parseHeader (spec: esdk message-header.md), in wire order. Each
// returns its fields, or undefined when the bytes stop short ("need more": the cursor
// holds how many). Lengths are checked against their caps before the bytes they declare
// are waited for.
import { ErrorCodes, LimitExceededError, MalformedMessageError } from '../errors.js';
import { readUint16, readUint32, utf8DecodeStrict } from './bytes.js';
import { ContentType } from './content-type.js';
import type { EncryptedDataKey } from './encrypted-data-key.js';
import { parseEncryptionContext, type EncryptionContext } from './encryption-context.js';
import type { DecryptLimits } from './limits.js';
import { getSuite, IV_LENGTH, TAG_LENGTH, type AlgorithmSuite } from './suites.js';

const malformed = (why: string): MalformedMessageError =>
  new MalformedMessageError(ErrorCodes.MALFORMED_MESSAGE, `malformed header: ${why}`);

const hex16 = (value: number): string => `0x${value.toString(16).padStart(4, '0')}`;

/** A read position in header bytes, and the total length the parser last asked for. */
export class HeaderCursor {
  readonly bytes: Uint8Array;
  readonly #limits: DecryptLimits;
  offset = 0;
  need = 0;

  constructor(bytes: Uint8Array, limits: DecryptLimits) {
    this.bytes = bytes;
    this.#limits = limits;
  }

  /**
   * Asks for `n` more bytes at the current offset; false means "return need".
   * @throws {LimitExceededError} when the header would outgrow `maxHeaderBytes`.
   */
  have(n: number): boolean {
    this.need = this.offset + n;
    if (this.need > this.#limits.maxHeaderBytes) {
      throw new LimitExceededError('maxHeaderBytes', this.#limits.maxHeaderBytes, this.need);
    }
    return this.bytes.length >= this.need;
  }

  get limits(): DecryptLimits {
    return this.#limits;
  }
}

/** ASCII of the base64 forms of our message starts: `AgR4`, `AgV4` (v2) and `AY` (v1). */
function looksLikeBase64(bytes: Uint8Array): boolean {
  const start = String.fromCharCode(...bytes.subarray(0, 4));
  return start === 'AgR4' || start === 'AgV4' || start.startsWith('AY');
}

/**
 * Fields 1-2 (and v1's type byte): the version and the algorithm suite.
 * @throws {MalformedMessageError} for base64 input, an unknown version or suite.
 */
export function readVersionAndSuite(cursor: HeaderCursor): { version: 1 | 2; suite: AlgorithmSuite } | undefined {
  const { bytes } = cursor;
  if (!cursor.have(1)) return undefined;
  // 'A' (0x41) is no version byte but opens every base64 form we detect: wait for the
  // 4 bytes that tell, so the code does not depend on how the input was chunked.
  if (bytes[0] === 0x41 && bytes[1] !== 0x59 && !cursor.have(4)) return undefined;
  if (bytes.length >= 2 && looksLikeBase64(bytes)) {
    throw new MalformedMessageError(
      ErrorCodes.BASE64_INPUT,
      'the input looks base64-encoded: decode it before decrypting',
    );
  }
  const version = bytes[0];
  if (version !== 1 && version !== 2) {
    throw new MalformedMessageError(
      ErrorCodes.UNSUPPORTED_VERSION,
      `unsupported message format version ${String(version)}`,
    );
  }
  cursor.offset = 1;
  if (version === 1) {
    if (!cursor.have(1)) return undefined;
    // spec: esdk message-header.md#type: v1 has a type byte, 0x80 (customer authenticated encrypted data).
    if (bytes[1] !== 0x80) throw malformed('v1 message type is not 0x80');
    cursor.offset = 2;
  }
  if (!cursor.have(2)) return undefined;
  const suiteId = readUint16(bytes, cursor.offset);
  const suite = getSuite(suiteId);
  if (suite === undefined) {
    throw new MalformedMessageError(ErrorCodes.UNSUPPORTED_SUITE, `unsupported algorithm suite ${hex16(suiteId)}`);
  }
  if (suite.messageFormat !== version) throw malformed(`suite ${hex16(suiteId)} in a v${version} header`);
  cursor.offset += 2;
  return { version, suite };
}

/**
 * Fields 3-4: the message ID and the stored encryption context.
 * @throws {LimitExceededError | MalformedMessageError}
 */
export function readMessageIdAndContext(
  cursor: HeaderCursor,
  suite: AlgorithmSuite,
): { messageId: Uint8Array; context: EncryptionContext } | undefined {
  const { bytes, limits } = cursor;
  if (!cursor.have(suite.messageIdLength + 2)) return undefined;
  const messageId = bytes.subarray(cursor.offset, cursor.offset + suite.messageIdLength);
  cursor.offset += suite.messageIdLength;
  const contextLength = readUint16(bytes, cursor.offset);
  if (contextLength > limits.maxContextBytes)
    throw new LimitExceededError('maxContextBytes', limits.maxContextBytes, contextLength);
  cursor.offset += 2;
  if (!cursor.have(contextLength + 2)) return undefined;
  const context = parseEncryptionContext(bytes.subarray(cursor.offset, cursor.offset + contextLength));
  cursor.offset += contextLength;
  return { messageId, context };
}

/**
 * Field 5: the encrypted data keys (the count sits at the cursor).
 * @throws {LimitExceededError | MalformedMessageError}
 */
export function readEncryptedDataKeys(cursor: HeaderCursor): EncryptedDataKey[] | undefined {
  const { bytes, limits } = cursor;
  const edkCount = readUint16(bytes, cursor.offset);
  if (edkCount === 0) throw malformed('no encrypted data keys');
  if (edkCount > limits.maxEncryptedDataKeys)
    throw new LimitExceededError('maxEncryptedDataKeys', limits.maxEncryptedDataKeys, edkCount);
  cursor.offset += 2;
  const encryptedDataKeys: EncryptedDataKey[] = [];
  for (let i = 0; i < edkCount; i++) {
    const fields: Uint8Array[] = [];
    for (let f = 0; f < 3; f++) {
      if (!cursor.have(2)) return undefined;
      const length = readUint16(bytes, cursor.offset);
      cursor.offset += 2;
      if (!cursor.have(length)) return undefined;
      fields.push(bytes.subarray(cursor.offset, cursor.offset + length));
      cursor.offset += length;
    }
    const providerId = utf8DecodeStrict(fields[0] as Uint8Array);
    if (providerId === undefined) throw malformed('an EDK provider ID is not valid UTF-8');
    encryptedDataKeys.push({ providerId, providerInfo: fields[1] as Uint8Array, ciphertext: fields[2] as Uint8Array });
  }
  return encryptedDataKeys;
}

/**
 * Fields 6-8 (v1: with its reserved field and IV length): content type and frame length.
 * @throws {LimitExceededError | MalformedMessageError}
 */
export function readFraming(
  cursor: HeaderCursor,
  version: 1 | 2,
): { contentType: ContentType; frameLength: number; headerIvLength: number } | undefined {
  const { bytes, limits } = cursor;
  if (!cursor.have(1)) return undefined;
  const contentType = bytes[cursor.offset];
  if (contentType !== ContentType.FRAMED && contentType !== ContentType.NON_FRAMED) {
    throw malformed(`unknown content type ${String(contentType)}`);
  }
  cursor.offset += 1;
  let headerIvLength = 0;
  if (version === 1) {
    if (!cursor.have(5)) return undefined;
    if (readUint32(bytes, cursor.offset) !== 0) throw malformed('v1 reserved field is not zero');
    headerIvLength = bytes[cursor.offset + 4] as number;
    if (headerIvLength !== IV_LENGTH) throw malformed('v1 IV length is not 12');
    cursor.offset += 5;
  }
  if (!cursor.have(4)) return undefined;
  const frameLength = readUint32(bytes, cursor.offset);
  cursor.offset += 4;
  if (contentType === ContentType.NON_FRAMED && frameLength !== 0)
    throw malformed('non-framed content with a non-zero frame length');
  // A framed message with frame length 0 could be an endless run of empty frames.
  if (contentType === ContentType.FRAMED && frameLength === 0) throw malformed('framed content with frame length 0');
  if (frameLength > limits.maxFrameLength)
    throw new LimitExceededError('maxFrameLength', limits.maxFrameLength, frameLength);
  return { contentType, frameLength, headerIvLength };
}

/**
 * v2's field 10 (the key commitment), then the authentication section (v1: IV and tag;
 * v2: tag only). Ends the header body: everything before the auth section is its AAD.
 */
export function readAuthentication(
  cursor: HeaderCursor,
  version: 1 | 2,
  headerIvLength: number,
):
  | {
      commitment: Uint8Array | undefined;
      headerBody: Uint8Array;
      headerIv: Uint8Array | undefined;
      headerTag: Uint8Array;
    }
  | undefined {
  const { bytes } = cursor;
  let commitment: Uint8Array | undefined;
  if (version === 2) {
    if (!cursor.have(32)) return undefined;
    commitment = bytes.subarray(cursor.offset, cursor.offset + 32);
    cursor.offset += 32;
  }
  const headerBody = bytes.subarray(0, cursor.offset);
  if (!cursor.have(headerIvLength + TAG_LENGTH)) return undefined;
  const headerIv = version === 1 ? bytes.subarray(cursor.offset, cursor.offset + headerIvLength) : undefined;
  cursor.offset += headerIvLength;
  const headerTag = bytes.subarray(cursor.offset, cursor.offset + TAG_LENGTH);
  cursor.offset += TAG_LENGTH;
  return { commitment, headerBody, headerIv, headerTag };
}
