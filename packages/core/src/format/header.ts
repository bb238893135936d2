import { LimitExceededError } from '../errors.js';
import { utf8Encode, writeUint16, writeUint32 } from './bytes.js';
import { ContentType } from './content-type.js';
import type { EncryptedDataKey } from './encrypted-data-key.js';
import {
  HeaderCursor,
  readAuthentication,
  readEncryptedDataKeys,
  readFraming,
  readMessageIdAndContext,
  readVersionAndSuite,
} from './header-sections.js';
import { FormatLimits, type DecryptLimits } from './limits.js';
import type { AlgorithmSuite } from './suites.js';

export { ContentType };

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
  /**
   * Called with the suite as soon as it is read, before anything after it is looked at:
   * the decryptor applies its commitment policy here (spec: esdk client-apis/decrypt.md),
   * so a refused suite fails on the header's first bytes. The codec itself applies no policy.
   */
  readonly onSuite?: (suite: AlgorithmSuite) => void;
}

/** `{ need }`: the parser wants at least `need` bytes in total before it can go on. */
export type HeaderParseResult = { readonly header: MessageHeader } | { readonly need: number };

/**
 * Parses a message header from the start of `bytes`. Returns `{ need }` when more bytes
 * are required (never throws on short input). Every length is compared with its cap
 * before the parser waits for, or looks at, the bytes it declares. Each section has its
 * reader (header-sections.ts); `undefined` from one means "need more bytes".
 * @throws {MalformedMessageError | LimitExceededError} (and whatever `onSuite` throws)
 */
export function parseHeader(bytes: Uint8Array, options: HeaderParseOptions): HeaderParseResult {
  const cursor = new HeaderCursor(bytes, options.limits);
  const more = (): HeaderParseResult => ({ need: cursor.need });
  const start = readVersionAndSuite(cursor);
  if (start === undefined) return more();
  const { version, suite } = start;
  options.onSuite?.(suite);
  const idAndContext = readMessageIdAndContext(cursor, suite);
  if (idAndContext === undefined) return more();
  const encryptedDataKeys = readEncryptedDataKeys(cursor);
  if (encryptedDataKeys === undefined) return more();
  const framing = readFraming(cursor, version);
  if (framing === undefined) return more();
  const auth = readAuthentication(cursor, version, framing.headerIvLength);
  if (auth === undefined) return more();
  return {
    header: {
      version,
      suite,
      messageId: idAndContext.messageId,
      context: idAndContext.context,
      encryptedDataKeys,
      contentType: framing.contentType,
      frameLength: framing.frameLength,
      commitment: auth.commitment,
      headerIv: auth.headerIv,
      headerTag: auth.headerTag,
      headerBody: auth.headerBody,
      length: cursor.offset,
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
  const edks = fields.encryptedDataKeys.map(
    (edk) => [utf8Encode(edk.providerId), edk.providerInfo, edk.ciphertext] as const,
  );
  if (fields.contextBytes.length > FormatLimits.uint16Max) {
    throw new LimitExceededError('contextBytes', FormatLimits.uint16Max, fields.contextBytes.length);
  }
  if (edks.length === 0 || edks.length > FormatLimits.uint16Max) {
    throw new LimitExceededError('encryptedDataKeys', FormatLimits.uint16Max, edks.length);
  }
  let size = 1 + 2 + 32 + 2 + fields.contextBytes.length + 2 + 1 + 4 + 32;
  for (const edk of edks) {
    for (const field of edk) {
      if (field.length > FormatLimits.uint16Max)
        throw new LimitExceededError('encryptedDataKeyField', FormatLimits.uint16Max, field.length);
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
