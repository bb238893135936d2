import { describe, expect, it } from 'vitest';
import { encodeEncryptionContextHeader, parseEncryptionContextHeader, S3Limits } from '@sealflow/s3';
import { b64, expectS3Error } from './support.js';

describe('parseEncryptionContextHeader', () => {
  it('decodes base64 UTF-8 JSON of string pairs, non-ASCII included', () => {
    expect(parseEncryptionContextHeader(b64('{"project":"Ünïcødé ✓","empty":""}'))).toEqual({
      project: 'Ünïcødé ✓',
      empty: '',
    });
  });

  it('accepts {} (no extra pairs), as some clients always send it', () => {
    expect(parseEncryptionContextHeader(b64('{}'))).toEqual({});
  });

  it('keeps __proto__ as an ordinary key and never touches Object.prototype', () => {
    const context = parseEncryptionContextHeader(b64('{"__proto__":"x","constructor":"y"}'));
    expect(Object.keys(context).sort()).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it.each([
    ['not base64', '***'],
    ['unpadded base64', b64('{"a":"b"}').replace(/=+$/, '') + 'x'],
    ['empty', ''],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x22, 0x22, 0x7d]).toString('base64')],
    ['not JSON', b64('a=b')],
    ['a JSON array', b64('["a","b"]')],
    ['JSON null', b64('null')],
    ['a JSON string', b64('"x"')],
    ['a number value', b64('{"a":1}')],
    ['a null value', b64('{"a":null}')],
    ['a nested object', b64('{"a":{"b":"c"}}')],
    ['an empty key', b64('{"":"x"}')],
  ])('refuses %s with 400 InvalidArgument', (_label, value) => {
    const error = expectS3Error(() => parseEncryptionContextHeader(value), 'InvalidArgument', 400);
    expect(error.fields['ArgumentName']).toBe('x-amz-server-side-encryption-context');
  });

  it('refuses aws:s3:arn (S3 sets that pair) and the reserved aws-crypto- prefix', () => {
    expectS3Error(() => parseEncryptionContextHeader(b64('{"aws:s3:arn":"arn:aws:s3:::other/k"}')), 'InvalidArgument');
    expectS3Error(() => parseEncryptionContextHeader(b64('{"aws-crypto-public-key":"x"}')), 'InvalidArgument');
  });

  it(`caps the header at ${S3Limits.maxContextHeaderLength} characters and ${S3Limits.maxContextPairs} pairs`, () => {
    const pairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(
      Object.keys(parseEncryptionContextHeader(b64(JSON.stringify(pairs(S3Limits.maxContextPairs))))),
    ).toHaveLength(S3Limits.maxContextPairs);
    expectS3Error(
      () => parseEncryptionContextHeader(b64(JSON.stringify(pairs(S3Limits.maxContextPairs + 1)))),
      'InvalidArgument',
    );
    const atCap = b64(JSON.stringify({ a: 'x'.repeat(6000) }));
    expect(atCap.length).toBeLessThanOrEqual(S3Limits.maxContextHeaderLength);
    expect(parseEncryptionContextHeader(atCap)['a']).toHaveLength(6000);
    expectS3Error(() => parseEncryptionContextHeader(b64(JSON.stringify({ a: 'x'.repeat(6200) }))), 'InvalidArgument');
  });
});

describe('encodeEncryptionContextHeader', () => {
  it('round-trips through the parser (minus the server-set pair) and orders keys by UTF-8 bytes', () => {
    const context = { é: '1', z: '2', a: '3', 'aws:s3:arn': 'arn:aws:s3:::b/k' };
    const encoded = encodeEncryptionContextHeader(context);
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(
      '{"a":"3","aws:s3:arn":"arn:aws:s3:::b/k","z":"2","é":"1"}',
    );
    const withoutArn = { é: '1', z: '2' };
    expect(parseEncryptionContextHeader(encodeEncryptionContextHeader(withoutArn))).toEqual(withoutArn);
    expect(encodeEncryptionContextHeader({ b: '1', a: '2' })).toBe(encodeEncryptionContextHeader({ a: '2', b: '1' }));
  });
});
