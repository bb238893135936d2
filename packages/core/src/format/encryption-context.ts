import { ErrorCodes, LimitExceededError, MalformedMessageError } from '../errors.js';
import { compareBytes, readUint16, utf8DecodeStrict, utf8Encode, writeUint16 } from './bytes.js';
import { FormatLimits } from './limits.js';

/** An encryption context: string keys to string values, authenticated but never encrypted. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** Keys with this prefix are reserved for the format; callers may not set them. */
export const RESERVED_CONTEXT_PREFIX = 'aws-crypto-';
/** The context key that carries the ECDSA public key for signing suites. */
export const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key';

interface EncodedPair {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/**
 * Canonical serialization of an encryption context (spec: esdk structures.md
 * #serialization): `uint16 count || (uint16 len || key || uint16 len || value)*`,
 * pairs sorted by the unsigned UTF-8 bytes of the key (never `localeCompare`, never
 * UTF-16 order). The empty context serializes to zero bytes, not `00 00`.
 * @throws {LimitExceededError} when the result would not fit the uint16 fields.
 */
export function serializeEncryptionContext(context: EncryptionContext): Uint8Array {
  const pairs: EncodedPair[] = [];
  let size = 2;
  for (const key of Object.keys(context)) {
    const pair = { key: utf8Encode(key), value: utf8Encode(context[key] as string) };
    if (pair.key.length > FormatLimits.uint16Max || pair.value.length > FormatLimits.uint16Max) {
      throw new LimitExceededError(
        'contextEntryBytes',
        FormatLimits.uint16Max,
        Math.max(pair.key.length, pair.value.length),
      );
    }
    size += 4 + pair.key.length + pair.value.length;
    pairs.push(pair);
  }
  if (pairs.length === 0) return new Uint8Array(0);
  if (pairs.length > FormatLimits.uint16Max) {
    throw new LimitExceededError('contextPairs', FormatLimits.uint16Max, pairs.length);
  }
  pairs.sort((a, b) => compareBytes(a.key, b.key));
  const out = new Uint8Array(size);
  writeUint16(out, 0, pairs.length);
  let offset = 2;
  for (const { key, value } of pairs) {
    writeUint16(out, offset, key.length);
    out.set(key, offset + 2);
    offset += 2 + key.length;
    writeUint16(out, offset, value.length);
    out.set(value, offset + 2);
    offset += 2 + value.length;
  }
  return out;
}

/**
 * Parses a serialized context as stored in a header. Pairs are read in stored order
 * (the ESDK does not require them sorted, and official vectors are not); duplicate
 * keys, invalid UTF-8 and any byte left over are errors.
 * @throws {MalformedMessageError}
 */
export function parseEncryptionContext(bytes: Uint8Array): Record<string, string> {
  const context: Record<string, string> = Object.create(null) as Record<string, string>;
  if (bytes.length === 0) return context;
  const malformed = (why: string): MalformedMessageError =>
    new MalformedMessageError(ErrorCodes.MALFORMED_MESSAGE, `malformed encryption context: ${why}`);
  if (bytes.length < 2) throw malformed('too short for its pair count');
  const count = readUint16(bytes, 0);
  // spec: esdk message-header.md#aad: a present context has at least one pair.
  if (count === 0) throw malformed('a non-empty context field declares zero pairs');
  let offset = 2;
  const field = (): string => {
    if (offset + 2 > bytes.length) throw malformed('a length field runs past the end');
    const length = readUint16(bytes, offset);
    if (offset + 2 + length > bytes.length) throw malformed('a key or value runs past the end');
    const text = utf8DecodeStrict(bytes.subarray(offset + 2, offset + 2 + length));
    if (text === undefined) throw malformed('a key or value is not valid UTF-8');
    offset += 2 + length;
    return text;
  };
  for (let i = 0; i < count; i++) {
    const key = field();
    const value = field();
    if (Object.hasOwn(context, key)) throw malformed('duplicate key');
    context[key] = value;
  }
  if (offset !== bytes.length) throw malformed('bytes left over after the last pair');
  return context;
}
