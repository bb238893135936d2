import { describe, expect, it } from 'vitest';
import {
  createEngine,
  LimitExceededError,
  MalformedMessageError,
  parseEncryptionContext,
  serializeEncryptionContext,
} from '@sealflow/core';
import { rawAesStore } from '../engine/fixtures.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s/g, ''), 'hex'));

function malformed(bytes: Uint8Array): MalformedMessageError {
  let thrown: unknown;
  try {
    parseEncryptionContext(bytes);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MalformedMessageError);
  expect((thrown as MalformedMessageError).code).toBe('ERR_MALFORMED_MESSAGE');
  return thrown as MalformedMessageError;
}

describe('serializeEncryptionContext', () => {
  it('writes the empty context as zero bytes, not 00 00', () => {
    expect(serializeEncryptionContext({}).length).toBe(0);
    expect(Object.keys(parseEncryptionContext(new Uint8Array(0)))).toStrictEqual([]);
  });

  it('writes count || (len key len value)* with pairs sorted by UTF-8 bytes', () => {
    // "b" < "é" (c3 a9) < "😀" (f0 9f 98 80) in UTF-8; UTF-16 would put "😀" (d83d) before "￿" (ffff), UTF-8 after.
    const bytes = serializeEncryptionContext({ '😀': '1', é: '', b: 'x', '\uffff': '2' });
    expect(hex(bytes)).toBe(
      ['0004', '0001 62 0001 78', '0002 c3a9 0000', '0003 efbfbf 0001 32', '0004 f09f9880 0001 31']
        .join('')
        .replace(/\s/g, ''),
    );
  });

  it('counts lengths in UTF-8 bytes, and refuses a key or value over 65,535 bytes', () => {
    expect(serializeEncryptionContext({ k: 'é'.repeat(32767) }).length).toBe(2 + 2 + 1 + 2 + 65534);
    expect(() => serializeEncryptionContext({ k: 'é'.repeat(32768) })).toThrow(LimitExceededError);
  });
});

describe('parseEncryptionContext', () => {
  it('accepts pairs stored out of order (official vectors have them) and keeps stored order', () => {
    const parsed = parseEncryptionContext(fromHex('0002 0001 62 0001 31 0001 61 0001 32'));
    expect(Object.keys(parsed)).toStrictEqual(['b', 'a']);
    expect(Object.getPrototypeOf(parsed)).toBe(null);
  });

  it('keeps a __proto__ key as data, never as a prototype', () => {
    const parsed = parseEncryptionContext(serializeEncryptionContext({ ['__proto__']: 'x' } as Record<string, string>));
    expect(Object.getPrototypeOf(parsed)).toBe(null);
    expect(Object.keys(parsed)).toStrictEqual(['__proto__']);
  });

  it('keeps a leading U+FEFF (byte order mark) in keys and values: it is data, not a BOM', () => {
    const context = { '\ufeffkey': '\ufeffvalue', k: '\ufeff' };
    const bytes = serializeEncryptionContext(context);
    const parsed = parseEncryptionContext(bytes);
    expect({ ...parsed }).toStrictEqual(context);
    expect(hex(serializeEncryptionContext(parsed))).toBe(hex(bytes));
  });

  it('a message whose context starts a key or value with U+FEFF decrypts, with that context', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const context = { '\ufeffkey': 'v', a: '\ufeffx' };
    const sealed = await engine.encrypt(new Uint8Array(5), { context });
    expect(engine.inspect(sealed).context).toStrictEqual(context);
    expect((await engine.decrypt(sealed, { expectContext: context })).context).toStrictEqual(context);
  });

  it('refuses a zero pair count, duplicates, invalid UTF-8, overruns and leftover bytes', () => {
    malformed(fromHex('0000'));
    malformed(fromHex('00'));
    malformed(fromHex('0002 0001 61 0001 31 0001 61 0001 32'));
    malformed(fromHex('0001 0001 ff 0001 31'));
    malformed(fromHex('0001 0001 61 0001 c3'));
    malformed(fromHex('0001 0005 61 0001 31'));
    malformed(fromHex('0002 0001 61 0001 31'));
    malformed(fromHex('0001 0001 61 0001 31 00'));
  });
});
