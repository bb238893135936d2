// Old-layout messages still decrypt: bucket-key messages written by sealflow before layout 2
// (layout 1, stored in fixtures/layout-1-messages.json, made with the previous build) open
// with today's engine, one-shot and streaming; and today's engine still writes layout 1
// when asked, byte-compatible with them (same EDK shape, same derivation).
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createEngine, decodeBucketKeyEdk, RawAesKeyStore, type EncryptionContext } from '@sealflow/core';
import fixtures from './fixtures/layout-1-messages.json' with { type: 'json' };

const store = new RawAesKeyStore({
  namespace: fixtures.namespace,
  name: fixtures.name,
  key: new Uint8Array(Buffer.from(fixtures.key, 'hex')),
});
const plaintextOf = (i: number, size: number): Uint8Array => new Uint8Array(size).map((_, j) => (j * 31 + i) & 0xff);

describe('layout-1 bucket-key messages written before layout 2', () => {
  it.each(fixtures.messages.map((m, i) => [i, m.size, m.suite, m] as const))(
    'message %i (%i bytes, suite %i) decrypts one-shot and streaming',
    async (i, size, _suite, fixture) => {
      const message = new Uint8Array(Buffer.from(fixture.message, 'base64'));
      const engine = createEngine({ keyStore: store });
      const edks = engine.inspect(message).encryptedDataKeys;
      expect(edks.map((e) => decodeBucketKeyEdk(e).layout)).toEqual([1]);
      const opened = await engine.decrypt(message, { expectContext: fixture.context as EncryptionContext });
      expect(opened.plaintext).toEqual(plaintextOf(i, size));
      const chunks: Buffer[] = [];
      await pipeline(
        Readable.from([Buffer.from(message)]),
        engine.decryptStream(),
        new Writable({ write: (c: Buffer, _e, done) => void (chunks.push(c), done()) }),
      );
      expect(new Uint8Array(Buffer.concat(chunks))).toEqual(plaintextOf(i, size));
    },
  );

  it("today's engine still writes layout 1 on request, with the same EDK shape as the fixtures", async () => {
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, layout: 1 } });
    const sealed = await engine.encrypt(new Uint8Array(3), {
      context: { 'aws:s3:arn': 'arn:aws:s3:::fixtures/new' },
      bucketKey: true,
    });
    const shape = (m: Uint8Array): unknown =>
      engine.inspect(m).encryptedDataKeys.map((e) => ({
        id: e.providerId,
        layout: decodeBucketKeyEdk(e).layout,
        inner: decodeBucketKeyEdk(e).inner.providerId,
      }));
    expect(shape(sealed)).toEqual(shape(new Uint8Array(Buffer.from(fixtures.messages[0]?.message ?? '', 'base64'))));
  });
});
