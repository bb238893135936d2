// Under one bucket key every message still has its own message ID, data key, derived key
// and commitment; the store sees the bucket-level context while the header authenticates
// the full object context.
import { createDecipheriv, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BUCKET_DATA_KEY_NAMESPACE,
  BUCKET_KEY_PROVIDER_ID,
  createEngine,
  DEFAULT_DECRYPT_LIMITS,
  ErrorCodes,
  type Engine,
} from '@sealflow/core';
import { decodeBucketKeyEdk, parseHeader, type MessageHeader } from '@sealflow/core/codecs';
import { BUCKET_CONTEXT, RecordingStore } from '../../packages/core/test/keys/bucket-key-support.js';

const header = (bytes: Uint8Array): MessageHeader => {
  const parsed = parseHeader(bytes, { limits: DEFAULT_DECRYPT_LIMITS });
  if ('need' in parsed) throw new Error('truncated header');
  return parsed.header;
};
const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? new Uint8Array(0)).toString('hex');
/**
 * Opens a layout-2 wrapped data key with node:crypto, as an ESDK raw AES keyring would:
 * provider info = name || u32 128 || u32 12 || IV; ciphertext = sealed key || tag; AAD =
 * the serialized full context (the header's, plus the public key pair a signing suite adds).
 */
function openWrapped(bucketKey: Uint8Array, h: MessageHeader): Uint8Array {
  const edk = h.encryptedDataKeys[0];
  if (edk === undefined || edk.providerId !== BUCKET_DATA_KEY_NAMESPACE) throw new Error('no wrapped data key first');
  const name = hex(hkdf(bucketKey, new Uint8Array(0), 'sealflow bucket-key name v2', 16));
  const info = Buffer.from(edk.providerInfo);
  expect(info.subarray(0, 32).toString('utf8')).toBe(name);
  expect([info.readUInt32BE(32), info.readUInt32BE(36), info.length]).toEqual([128, 12, 52]);
  const decipher = createDecipheriv('aes-256-gcm', bucketKey, info.subarray(40));
  // spec: esdk data-format/message-header.md: version (1) || suite (2) || message ID (32) || u16 AAD length || context.
  const body = Buffer.from(h.headerBody);
  decipher.setAAD(body.subarray(37, 37 + body.readUInt16BE(35)));
  decipher.setAuthTag(edk.ciphertext.subarray(32));
  return new Uint8Array(Buffer.concat([decipher.update(edk.ciphertext.subarray(0, 32)), decipher.final()]));
}

const hkdf = (ikm: Uint8Array, salt: Uint8Array, info: string | Uint8Array, length: number): Uint8Array =>
  new Uint8Array(hkdfSync('sha512', ikm, salt, info, length));

function setup(layout: 1 | 2 = 2): { store: RecordingStore; engine: Engine } {
  const store = new RecordingStore();
  return { store, engine: createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, layout } }) };
}

/** The bucket-key EDK (the store's EDK of the bucket key) of a message. */
const bucketEdk = (h: MessageHeader): MessageHeader['encryptedDataKeys'][number] => {
  const edk = h.encryptedDataKeys.find((e) => e.providerId === BUCKET_KEY_PROVIDER_ID);
  if (edk === undefined) throw new Error('no bucket-key EDK');
  return edk;
};

/**
 * How sealflow refuses a header whose context was changed: layout 1 fails the header tag;
 * layout 2 already fails to unwrap the data key (its AAD is the context), as the ESDK does.
 */
const tamperCode = (layout: 1 | 2): string =>
  layout === 1 ? ErrorCodes.AUTHENTICATION_FAILED : ErrorCodes.NO_DECRYPTABLE_KEY;

describe.each([1, 2] as const)('per-message keys under one bucket key (layout %i)', (layout) => {
  it('gives every message its own message ID and commitment while they share one bucket-key EDK', async () => {
    const { store, engine } = setup(layout);
    const sealed = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        engine.encrypt(new Uint8Array(10), { context: { 'aws:s3:arn': `arn:aws:s3:::bucket/${i}` }, bucketKey: true }),
      ),
    );
    const headers = sealed.map(header);
    expect(store.count('generate')).toBe(1);
    expect(new Set(headers.map((h) => hex(bucketEdk(h).ciphertext))).size).toBe(1);
    // Layout 2: one wrapped data key per message, each under its own random IV.
    if (layout === 2) expect(new Set(headers.map((h) => hex(h.encryptedDataKeys[0]?.providerInfo))).size).toBe(100);
    expect(new Set(headers.map((h) => hex(h.messageId))).size).toBe(100);
    expect(new Set(headers.map((h) => hex(h.commitment))).size).toBe(100);
    // Same plaintext, same bucket key: the bodies still differ (different derived keys).
    expect(new Set(sealed.map((m, i) => hex(m.subarray(headers[i]?.length)))).size).toBe(100);
  });

  it('makes the data key the layout says (1: HKDF of the bucket key and message ID; 2: random, AES-GCM wrapped under the bucket key with AAD = serialized context), checked against the commitment', async () => {
    const { store, engine } = setup(layout);
    for (const suite of [0x0478, 0x0578] as const) {
      const message = await engine.encrypt(new Uint8Array(5), {
        context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/x' },
        bucketKey: true,
        suite,
      });
      const h = header(message);
      const { inner, bucketContext, layout: written } = decodeBucketKeyEdk(bucketEdk(h));
      expect(written).toBe(layout);
      expect(bucketContext).toEqual(BUCKET_CONTEXT);
      const bucketKey = await store.inner.unwrapDataKey(inner, { context: bucketContext, length: 32 });
      const dataKey =
        layout === 1
          ? hkdf(bucketKey.reveal(), h.messageId, 'sealflow bucket-key object key v1', 32)
          : openWrapped(bucketKey.reveal(), h);
      // spec: esdk transitive-requirements.md: commitment = HKDF-SHA512(data key, salt = message ID, "COMMITKEY").
      expect(hex(hkdf(dataKey, h.messageId, 'COMMITKEY', 32))).toBe(hex(h.commitment));
      expect(hex(hkdf(bucketKey.reveal(), h.messageId, 'COMMITKEY', 32))).not.toBe(hex(h.commitment));
    }
  });

  it('the store sees only the bucket context; the header stores and authenticates the full object context', async () => {
    const { store, engine } = setup(layout);
    const context = { 'aws:s3:arn': 'arn:aws:s3:::bucket/photos/cat.jpg', owner: 'alice' };
    const message = await engine.encrypt(new Uint8Array(3), { context, bucketKey: true, suite: 0x0578 });
    expect(store.calls.map((c) => c.context)).toEqual([BUCKET_CONTEXT]);
    const reader = createEngine({ keyStore: store });
    const result = await reader.decrypt(message, { expectContext: context });
    expect(result.context).toMatchObject(context);
    expect(store.calls.filter((c) => c.operation === 'unwrap').map((c) => c.context)).toEqual([BUCKET_CONTEXT]);
    await expect(
      reader.decrypt(message, { expectContext: { 'aws:s3:arn': 'arn:aws:s3:::bucket/photos/dog.jpg' } }),
    ).rejects.toMatchObject({
      code: ErrorCodes.CONTEXT_MISMATCH,
    });
  });

  it('a header whose object context was rewritten fails to authenticate, though the bucket key still unwraps', async () => {
    const { store, engine } = setup(layout);
    const message = await engine.encrypt(new Uint8Array(3), {
      context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/secret-a' },
      bucketKey: true,
    });
    const forged = message.slice();
    const at = Buffer.from(forged).indexOf('bucket/secret-a');
    expect(at).toBeGreaterThan(0);
    forged[at + 'bucket/secret-'.length] = 'b'.charCodeAt(0);
    expect(createEngine({ keyStore: store }).inspect(forged).context).toEqual({
      'aws:s3:arn': 'arn:aws:s3:::bucket/secret-b',
    });
    await expect(createEngine({ keyStore: store }).decrypt(forged)).rejects.toMatchObject({ code: tamperCode(layout) });
    expect(store.count('unwrap')).toBe(1);
  });

  it('a bucket context rewritten inside the EDK makes the store refuse the unwrap (no key, no plaintext)', async () => {
    const { store, engine } = setup(layout);
    const message = await engine.encrypt(new Uint8Array(3), {
      context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/k' },
      bucketKey: true,
    });
    const forged = message.slice();
    // The header context (object ARN) comes first; the bucket ARN sits in the EDK's provider info after it.
    const edkStart = Buffer.from(forged).indexOf('sealflow-bucket-key');
    const at = Buffer.from(forged).indexOf('arn:aws:s3:::bucket', edkStart);
    expect(edkStart).toBeGreaterThan(0);
    expect(at).toBeGreaterThan(edkStart);
    forged[at + 'arn:aws:s3:::'.length] = 'c'.charCodeAt(0);
    await expect(createEngine({ keyStore: store }).decrypt(forged)).rejects.toMatchObject({
      code: ErrorCodes.NO_DECRYPTABLE_KEY,
    });
  });

  it('required context keys stay out of the header and must be reproduced to decrypt', async () => {
    const { store, engine } = setup(layout);
    const message = await engine.encrypt(new Uint8Array(3), {
      context: { 'aws:s3:arn': 'arn:aws:s3:::bucket/k', tenant: 't-42' },
      requiredContextKeys: ['tenant'],
      bucketKey: true,
    });
    const reader = createEngine({ keyStore: store });
    expect(reader.inspect(message).context).toEqual({ 'aws:s3:arn': 'arn:aws:s3:::bucket/k' });
    await expect(reader.decrypt(message)).rejects.toMatchObject({ code: tamperCode(layout) });
    expect((await reader.decrypt(message, { reproducedContext: { tenant: 't-42' } })).context).toEqual({
      'aws:s3:arn': 'arn:aws:s3:::bucket/k',
      tenant: 't-42',
    });
  });
});
