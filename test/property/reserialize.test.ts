// Anything that parses re-serialises to the same bytes (age's FuzzMalleability): the
// encryption-context codec and v2 headers. The one sanctioned exception is a context whose
// pairs are stored out of canonical order (the ESDK accepts those; official vectors have
// them): it parses to the same map, and the header tag is verified over the raw bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DECRYPT_LIMITS,
  parseEncryptionContext,
  SealflowError,
  serializeEncryptionContext,
  type EncryptedDataKey,
} from '@sealflow/core';
import { getSuite, type AlgorithmSuite } from '@sealflow/core/frames';
import { parseHeader, serializeHeaderBody, type HeaderBodyFields } from '@sealflow/core/codecs';

const options = { limits: { ...DEFAULT_DECRYPT_LIMITS, maxEncryptedDataKeys: 0xffff } };
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** Strings that stress UTF-8 ordering: ASCII, mixed case, BMP, astral (surrogate pairs in UTF-16). */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: fc.constantFrom('a', 'B', 'é', 'Ω', '\uffff', '\u{1f600}', '\u{10000}', '\0'), maxLength: 6 }),
);
const contextArbitrary = fc.dictionary(text, text, { maxKeys: 8 });

/** The keys of a serialized context, in stored order, as raw UTF-8 bytes. */
function storedKeys(bytes: Uint8Array): Uint8Array[] {
  const keys: Uint8Array[] = [];
  if (bytes.length === 0) return keys;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  for (let i = 0; i < view.getUint16(0); i++) {
    const keyLength = view.getUint16(offset);
    keys.push(bytes.subarray(offset + 2, offset + 2 + keyLength));
    offset += 2 + keyLength;
    offset += 2 + view.getUint16(offset);
  }
  return keys;
}

/** Parses or throws a SealflowError; any other throw fails the property. */
function tryParse<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof SealflowError)) throw error;
    return undefined;
  }
}

describe('encryption context codec', () => {
  it('serialize then parse gives the same map, and serialising that again the same bytes', () => {
    fc.assert(
      fc.property(contextArbitrary, (context) => {
        const bytes = serializeEncryptionContext(context);
        const parsed = parseEncryptionContext(bytes);
        expect({ ...parsed }).toStrictEqual({ ...context });
        expect(hex(serializeEncryptionContext(parsed))).toBe(hex(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('orders pairs by the unsigned UTF-8 bytes of the key, never by UTF-16 or locale', () => {
    fc.assert(
      fc.property(contextArbitrary, (context) => {
        // Read the key order from the bytes: a JS object cannot show it (integer-like keys such
        // as "0" always enumerate first).
        const keys = storedKeys(serializeEncryptionContext(context));
        const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(keys.map(hex)).toStrictEqual(sorted.map(hex));
        expect(keys.map((k) => new TextDecoder().decode(k)).sort()).toStrictEqual(Object.keys(context).sort());
      }),
      { numRuns: 500 },
    );
    // The classic trap: U+FFFF sorts before U+10000 in UTF-16 code units, after it in UTF-8.
    const keys = storedKeys(serializeEncryptionContext({ '\u{10000}': 'a', '\uffff': 'b' }));
    expect(keys.map((k) => new TextDecoder().decode(k))).toStrictEqual(['\uffff', '\u{10000}']);
  });

  it('any bytes that parse re-serialise to the same bytes, or are the same pairs in another order', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          // Near-valid inputs: a valid serialization with one byte changed.
          fc.tuple(contextArbitrary, fc.nat(), fc.integer({ min: 1, max: 255 })).map(([context, at, mask]) => {
            const bytes = serializeEncryptionContext(context).slice();
            if (bytes.length > 0) bytes[at % bytes.length] = (bytes[at % bytes.length] as number) ^ mask;
            return bytes;
          }),
        ),
        (bytes) => {
          const parsed = tryParse(() => parseEncryptionContext(bytes));
          if (parsed === undefined) return;
          const again = serializeEncryptionContext(parsed);
          if (hex(again) === hex(bytes)) return;
          // Only the order may differ: same length, same pairs.
          expect(again.length).toBe(bytes.length);
          expect({ ...parseEncryptionContext(again) }).toStrictEqual({ ...parsed });
        },
      ),
      { numRuns: 2000 },
    );
  });
});

const bytesOf = (max: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength: max });
const edkArbitrary: fc.Arbitrary<EncryptedDataKey> = fc.record({
  providerId: fc.string({ maxLength: 20 }),
  providerInfo: bytesOf(40),
  ciphertext: bytesOf(80),
});

const headerArbitrary: fc.Arbitrary<HeaderBodyFields> = fc.record({
  suite: fc.constantFrom(0x0478, 0x0578).map((id) => getSuite(id) as AlgorithmSuite),
  messageId: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  contextBytes: contextArbitrary.map((context) => serializeEncryptionContext(context)),
  encryptedDataKeys: fc.array(edkArbitrary, { minLength: 1, maxLength: 4 }),
  frameLength: fc.integer({ min: 1, max: DEFAULT_DECRYPT_LIMITS.maxFrameLength }),
  commitment: fc.uint8Array({ minLength: 32, maxLength: 32 }),
});

/** Re-serialises a parsed header with its own stored context bytes put back in canonical form. */
function reserialize(
  bytes: Uint8Array,
): { body: Uint8Array; headerBody: Uint8Array; rawContext: Uint8Array; context: Record<string, string> } | undefined {
  const result = tryParse(() => parseHeader(bytes, options));
  if (result === undefined || !('header' in result)) return undefined;
  const { header } = result;
  if (header.version !== 2) return undefined;
  const contextLength = ((bytes[35] ?? 0) << 8) | (bytes[36] ?? 0);
  return {
    body: serializeHeaderBody({
      suite: header.suite,
      messageId: header.messageId,
      contextBytes: serializeEncryptionContext(header.context),
      encryptedDataKeys: header.encryptedDataKeys,
      frameLength: header.frameLength,
      commitment: header.commitment as Uint8Array,
    }),
    headerBody: header.headerBody,
    rawContext: bytes.subarray(37, 37 + contextLength),
    context: { ...header.context },
  };
}

describe('v2 header codec', () => {
  it('serialize, parse, serialize gives the same bytes and the same fields', () => {
    fc.assert(
      fc.property(headerArbitrary, fc.uint8Array({ minLength: 16, maxLength: 16 }), (fields, tag) => {
        const body = serializeHeaderBody(fields);
        const bytes = Uint8Array.from([...body, ...tag]);
        const result = parseHeader(bytes, options);
        if (!('header' in result)) throw new Error(`a complete header asked for ${result.need} bytes`);
        const { header } = result;
        expect(header.length).toBe(bytes.length);
        expect(hex(header.headerBody)).toBe(hex(body));
        expect(hex(header.headerTag)).toBe(hex(tag));
        expect(header.suite.id).toBe(fields.suite.id);
        expect(header.frameLength).toBe(fields.frameLength);
        expect(
          header.encryptedDataKeys.map((e) => [e.providerId, hex(e.providerInfo), hex(e.ciphertext)]),
        ).toStrictEqual(fields.encryptedDataKeys.map((e) => [e.providerId, hex(e.providerInfo), hex(e.ciphertext)]));
        expect(hex((reserialize(bytes) as { body: Uint8Array }).body)).toBe(hex(body));
      }),
      { numRuns: 1000 },
    );
  });

  it('a header with any byte changed either fails to parse or re-serialises to exactly its bytes (context order aside)', () => {
    fc.assert(
      fc.property(headerArbitrary, fc.nat(), fc.integer({ min: 1, max: 255 }), (fields, position, mask) => {
        const bytes = Uint8Array.from([...serializeHeaderBody(fields), ...new Uint8Array(16)]);
        const at = position % bytes.length;
        bytes[at] = (bytes[at] as number) ^ mask;
        const again = reserialize(bytes);
        if (again === undefined) return;
        if (hex(again.body) === hex(again.headerBody)) return;
        // The only difference allowed: the stored context holds the same pairs in another order.
        expect(again.body.length).toBe(again.headerBody.length);
        expect({ ...parseEncryptionContext(again.rawContext) }).toStrictEqual(again.context);
        expect(hex(serializeEncryptionContext(again.context))).not.toBe(hex(again.rawContext));
      }),
      { numRuns: 3000 },
    );
  });

  it('random bytes never crash the parser: a header, a need, or a SealflowError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (noise, v2) => {
        const bytes = v2 ? Uint8Array.from([2, 4, 0x78, ...noise]) : noise;
        const result = tryParse(() => parseHeader(bytes, options));
        if (result !== undefined && 'need' in result) expect(result.need).toBeGreaterThan(bytes.length);
      }),
      { numRuns: 3000 },
    );
  });
});
