// Under one bucket key every message still has its own message ID, data key, derived key
// and commitment; the store sees the bucket-level context while the header authenticates
// the full object context.
import { hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEngine, DEFAULT_DECRYPT_LIMITS, ErrorCodes, type Engine } from '@sealflow/core';
import { decodeBucketKeyEdk, parseHeader, type MessageHeader } from '@sealflow/core/codecs';
import { BUCKET_CONTEXT, RecordingStore } from '../../packages/core/test/keys/bucket-key-support.js';

const header = (bytes: Uint8Array): MessageHeader => {
  const parsed = parseHeader(bytes, { limits: DEFAULT_DECRYPT_LIMITS });
  if ('need' in parsed) throw new Error('truncated header');
  return parsed.header;
};
const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? new Uint8Array(0)).toString('hex');
const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array, length: number): Uint8Array => new Uint8Array(hkdfSync('sha512', ikm, salt, info, length));

function setup(): { store: RecordingStore; engine: Engine } {
  const store = new RecordingStore();
  return { store, engine: createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 } }) };
}

describe('per-message keys under one bucket key', () => {
  it('gives every message its own message ID and commitment while they share one bucket-key EDK', async () => {
    const { store, engine } = setup();
    const sealed = await Promise.all(
      Array.from({ length: 100 }, (_, i) => engine.encrypt(new Uint8Array(10), { context: { 'aws:s3:arn': `arn:aws:s3:::bucket/${i}` }, bucketKey: true })),
    );
    const headers = sealed.map(header);
    expect(store.count('generate')).toBe(1);
    expect(new Set(headers.map((h) => hex(h.encryptedDataKeys[0]?.ciphertext))).size).toBe(1);
    expect(new Set(headers.map((h) => hex(h.messageId))).size).toBe(100);
    expect(new Set(headers.map((h) => hex(h.commitment))).size).toBe(100);
    // Same plaintext, same bucket key: the bodies still differ (different derived keys).
    expect(new Set(sealed.map((m, i) => hex(m.subarray(headers[i]?.length)))).size).toBe(100);
  });

  it('derives the data key as HKDF-SHA512(bucket key, salt = message ID, info "sealflow bucket-key object key v1"), checked against the commitment', async () => {
    const { store, engine } = setup();
    for (const suite of [0x0478, 0x0578] as const) {
      const message = await engine.encrypt(new Uint8Array(5), { context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/x' }, bucketKey: true, suite });
      const h = header(message);
      const { inner, bucketContext } = decodeBucketKeyEdk(h.encryptedDataKeys[0] as (typeof h.encryptedDataKeys)[0]);
      expect(bucketContext).toEqual(BUCKET_CONTEXT);
      const bucketKey = await store.inner.unwrapDataKey(inner, { context: bucketContext, length: 32 });
      const dataKey = hkdf(bucketKey.reveal(), h.messageId, 'sealflow bucket-key object key v1', 32);
      // spec: esdk transitive-requirements.md: commitment = HKDF-SHA512(data key, salt = message ID, "COMMITKEY").
      expect(hex(hkdf(dataKey, h.messageId, 'COMMITKEY', 32))).toBe(hex(h.commitment));
      expect(hex(hkdf(bucketKey.reveal(), h.messageId, 'COMMITKEY', 32))).not.toBe(hex(h.commitment));
    }
  });

  it('the store sees only the bucket context; the header stores and authenticates the full object context', async () => {
    const { store, engine } = setup();
    const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/photos/cat.jpg', owner: 'alice' };
    const message = await engine.encrypt(new Uint8Array(3), { context, bucketKey: true, suite: 0x0578 });
    expect(store.calls.map((c) => c.context)).toEqual([BUCKET_CONTEXT]);
    const reader = createEngine({ keyStore: store });
    const result = await reader.decrypt(message, { expectContext: context });
    expect(result.context).toMatchObject(context);
    expect(store.calls.filter((c) => c.operation === 'unwrap').map((c) => c.context)).toEqual([BUCKET_CONTEXT]);
    await expect(reader.decrypt(message, { expectContext: { 'aws:s3:arn': 'arn:aws:s3:::bucket/photos/dog.jpg' } })).rejects.toMatchObject({
      code: ErrorCodes.CONTEXT_MISMATCH,
    });
  });

  it('a header whose object context was rewritten fails to authenticate, though the bucket key still unwraps', async () => {
    const { store, engine } = setup();
    const message = await engine.encrypt(new Uint8Array(3), { context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/secret-a' }, bucketKey: true });
    const forged = message.slice();
    const at = Buffer.from(forged).indexOf('bucket/secret-a');
    expect(at).toBeGreaterThan(0);
    forged[at + 'bucket/secret-'.length] = 'b'.charCodeAt(0);
    expect(createEngine({ keyStore: store }).inspect(forged).context).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bucket/secret-b' });
    await expect(createEngine({ keyStore: store }).decrypt(forged)).rejects.toMatchObject({ code: ErrorCodes.AUTHENTICATION_FAILED });
    expect(store.count('unwrap')).toBe(1);
  });

  it('a bucket context rewritten inside the EDK makes the store refuse the unwrap (no key, no plaintext)', async () => {
    const { store, engine } = setup();
    const message = await engine.encrypt(new Uint8Array(3), { context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/k' }, bucketKey: true });
    const forged = message.slice();
    // The header context (object ARN) comes first; the bucket ARN sits in the EDK's provider info after it.
    const edkStart = Buffer.from(forged).indexOf('sealflow-bucket-key');
    const at = Buffer.from(forged).indexOf('arn:aws:s3:::bucket', edkStart);
    expect(edkStart).toBeGreaterThan(0);
    expect(at).toBeGreaterThan(edkStart);
    forged[at + 'arn:aws:s3:::'.length] = 'c'.charCodeAt(0);
    await expect(createEngine({ keyStore: store }).decrypt(forged)).rejects.toMatchObject({ code: ErrorCodes.NO_DECRYPTABLE_KEY });
  });

  it('required context keys stay out of the header and must be reproduced to decrypt', async () => {
    const { store, engine } = setup();
    const message = await engine.encrypt(new Uint8Array(3), {
      context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/k', tenant: 't-42' },
      requiredContextKeys: ['tenant'],
      bucketKey: true,
    });
    const reader = createEngine({ keyStore: store });
    expect(reader.inspect(message).context).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bucket/k' });
    await expect(reader.decrypt(message)).rejects.toMatchObject({ code: ErrorCodes.AUTHENTICATION_FAILED });
    expect((await reader.decrypt(message, { reproducedContext: { tenant: 't-42' } })).context).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bucket/k', tenant: 't-42' });
  });
});
