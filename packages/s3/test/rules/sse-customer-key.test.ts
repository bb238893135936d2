import { createHash, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  customerKeyCheck,
  decodeObjectRecord,
  encodeObjectRecord,
  hasSseCustomerHeaders,
  matchesCustomerKey,
  parseSseCustomerKey,
  type ObjectRecord,
} from '@sealflow/s3';

const headersFor = (key: Buffer, prefix = 'x-amz-server-side-encryption-customer') => ({
  [`${prefix}-algorithm`]: 'AES256',
  [`${prefix}-key`]: key.toString('base64'),
  [`${prefix}-key-md5`]: createHash('md5').update(key).digest('base64'),
});

function s3CodeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { s3Code?: string }).s3Code;
  }
  return undefined;
}

describe('parseSseCustomerKey', () => {
  const key = randomBytes(32);

  it('reads the three headers; undefined without any; the copy-source set is separate', () => {
    const parsed = parseSseCustomerKey(headersFor(key));
    expect(Buffer.from(parsed!.key)).toEqual(key);
    expect(parsed!.keyMd5).toBe(createHash('md5').update(key).digest('base64'));
    expect(parseSseCustomerKey({})).toBeUndefined();
    expect(parseSseCustomerKey(headersFor(key))).toBeDefined();
    const copy = headersFor(key, 'x-amz-copy-source-server-side-encryption-customer');
    expect(parseSseCustomerKey(copy)).toBeUndefined();
    expect(Buffer.from(parseSseCustomerKey(copy, { set: 'copy-source' })!.key)).toEqual(key);
    expect(hasSseCustomerHeaders(copy)).toBe(false);
    expect(hasSseCustomerHeaders(copy, 'copy-source')).toBe(true);
  });

  it('wipe() zeroes the key; printing it never shows the key', () => {
    const parsed = parseSseCustomerKey(headersFor(key))!;
    for (const shown of [inspect(parsed), String(parsed), JSON.stringify(parsed)]) {
      expect(shown).not.toContain(key.toString('hex'));
      expect(shown).not.toContain(key.toString('base64'));
    }
    parsed.wipe();
    expect(parsed.key.every((b) => b === 0)).toBe(true);
  });

  it('refuses as S3 does, naming only the header, never its value', () => {
    const good = headersFor(key);
    const cases: [Record<string, string>, string][] = [
      [{ ...good, 'x-amz-server-side-encryption-customer-algorithm': 'aws:kms' }, 'InvalidEncryptionAlgorithmError'],
      [
        { ...good, 'x-amz-server-side-encryption-customer-key': `${key.toString('base64').slice(0, -1)}!` },
        'InvalidArgument',
      ],
      [{ ...good, 'x-amz-server-side-encryption-customer-key': randomBytes(31).toString('base64') }, 'InvalidArgument'],
      [{ ...good, 'x-amz-server-side-encryption-customer-key-md5': 'not-the-md5' }, 'InvalidArgument'],
    ];
    for (const [headers, code] of cases) {
      expect(s3CodeOf(() => parseSseCustomerKey(headers))).toBe(code);
      try {
        parseSseCustomerKey(headers);
      } catch (error) {
        const e = error as { message: string; fields: Record<string, string> };
        expect(JSON.stringify({ m: e.message, f: e.fields })).not.toContain(key.toString('base64').slice(0, 20));
      }
    }
    expect(s3CodeOf(() => parseSseCustomerKey(good, { secureTransport: false }))).toBe('InvalidRequest');
  });
});

describe('customer key check (salted HMAC)', () => {
  it('matches its own key only, and two checks of one key differ (fresh salt)', () => {
    const key = randomBytes(32);
    const a = customerKeyCheck(key);
    const b = customerKeyCheck(key);
    expect(matchesCustomerKey(a, key)).toBe(true);
    expect(matchesCustomerKey(a, randomBytes(32))).toBe(false);
    expect(Buffer.from(a.hmac)).not.toEqual(Buffer.from(b.hmac));
  });

  it('round-trips through the object record (flags bit 2); SSE-C with a bucket key or a KMS key is corrupt', () => {
    const check = customerKeyCheck(randomBytes(32));
    const record: ObjectRecord = {
      key: 'k',
      lastModified: 1,
      size: 0,
      etag: '"e"',
      encryption: { algorithm: 'AES256', keyArn: undefined, bucketKey: false, context: {}, customerKey: check },
      contentType: undefined,
      metadata: {},
      headers: {},
      checksumAlgorithm: undefined,
      checksumType: undefined,
      multipart: false,
      parts: [
        {
          partNumber: 0,
          header: new Uint8Array(8),
          blob: 'd/b/x/0',
          bodyLength: 1,
          plaintextLength: 0,
          trailerLength: 0,
          etag: '"e"',
        },
      ],
    };
    const decoded = decodeObjectRecord(encodeObjectRecord(record));
    expect(Buffer.from(decoded.encryption.customerKey!.salt)).toEqual(Buffer.from(check.salt));
    expect(Buffer.from(decoded.encryption.customerKey!.hmac)).toEqual(Buffer.from(check.hmac));
    const bad = { ...record, encryption: { ...record.encryption, bucketKey: true } };
    expect(() => decodeObjectRecord(encodeObjectRecord(bad))).toThrow();
    const kms = {
      ...record,
      encryption: {
        ...record.encryption,
        algorithm: 'aws:kms' as const,
        keyArn: 'arn:aws:kms:us-east-1:111122223333:key/1',
      },
    };
    expect(() => decodeObjectRecord(encodeObjectRecord(kms))).toThrow();
  });
});
