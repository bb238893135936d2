// Streams of unknown length use bucket keys too (the ESDK's caching CMM refuses them), and
// their bytes count toward maxBytes; a declared plaintextLength is reserved up front.
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createEngine, type Engine, type EncryptOptions } from '@sealflow/core';
import { isWiped, objectContext, RecordingStore } from '../../packages/core/test/keys/bucket-key-support.js';

const chunksOf = (total: number, size: number): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let at = 0; at < total; at += size) out.push(new Uint8Array(Math.min(size, total - at)).fill(at & 0xff));
  return out;
};

async function viaNodeStream(engine: Engine, chunks: Uint8Array[], options: EncryptOptions): Promise<Uint8Array> {
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(chunks),
    engine.encryptStream(options),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return new Uint8Array(Buffer.concat(out));
}

async function viaWebStream(engine: Engine, chunks: Uint8Array[], options: EncryptOptions): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  const out: Uint8Array[] = [];
  const reader = source.pipeThrough(engine.encryptWebStream(options)).getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value);
  return new Uint8Array(Buffer.concat(out));
}

const joined = (chunks: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(chunks));

describe('bucket keys with streams of unknown length', () => {
  it('Node and web streams without plaintextLength share the bucket key with one-shot encrypts, and decrypt', async () => {
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 }, frameLength: 100 });
    const data = chunksOf(1000, 33);
    const options = { context: objectContext('stream'), bucketKey: true } as const;
    const sealed = [
      await viaNodeStream(engine, data, options),
      await viaWebStream(engine, data, options),
      await engine.encrypt(joined(data), options),
    ];
    expect(store.count('generate')).toBe(1);
    const reader = createEngine({ keyStore: store });
    for (const message of sealed) {
      expect(engine.inspect(message).encryptedDataKeys.map((e) => e.providerId)).toEqual([
        'sealflow-bucket-data-key',
        'sealflow-bucket-key',
      ]);
      expect((await reader.decrypt(message)).plaintext).toEqual(joined(data));
    }
    expect(new Set(sealed.map((m) => engine.inspect(m).messageId)).size).toBe(3);
    expect(engine.stats()).toMatchObject({
      messagesEncrypted: 3,
      bytesEncrypted: 3000,
      bucketKeys: { hits: 2, misses: 1 },
    });
  });

  it('an unknown-length stream is admitted while the key has budget left, and its bytes are charged when it ends', async () => {
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, maxBytes: 1000 } });
    await viaNodeStream(engine, chunksOf(600, 50), { context: objectContext('s1'), bucketKey: true });
    expect(isWiped(store.handedOut[0]!)).toBe(false);
    // 600 of 1000 used: a second stream is admitted (its length is unknown) and takes the key past the budget.
    await viaWebStream(engine, chunksOf(600, 50), { context: objectContext('s2'), bucketKey: true });
    expect(store.count('generate')).toBe(1);
    expect(isWiped(store.handedOut[0]!)).toBe(true);
    await engine.encrypt(new Uint8Array(1), { context: objectContext('s3'), bucketKey: true });
    expect(store.count('generate')).toBe(2);
  });

  it('concurrent unknown-length streams are charged when they end: the key retires once their total reaches maxBytes', async () => {
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, maxBytes: 1000 } });
    await Promise.all(
      [0, 1, 2].map((i) =>
        viaNodeStream(engine, chunksOf(400, 64), { context: objectContext(`c${i}`), bucketKey: true }),
      ),
    );
    expect(store.count('generate')).toBe(1);
    expect(isWiped(store.handedOut[0]!)).toBe(true);
  });

  it('a stream with a declared plaintextLength reserves it up front: a later message that would not fit gets a new key', async () => {
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000, maxBytes: 1000 } });
    const stream = engine.encryptStream({ context: objectContext('declared'), bucketKey: true, plaintextLength: 600 });
    const done = pipeline(Readable.from(chunksOf(600, 100)), stream, new Writable({ write: (_c, _e, cb) => cb() }));
    await done;
    await engine.encrypt(new Uint8Array(400), { context: objectContext('fits'), bucketKey: true });
    expect(store.count('generate')).toBe(1);
    expect(isWiped(store.handedOut[0]!)).toBe(true);
    await engine.encrypt(new Uint8Array(1), { context: objectContext('next'), bucketKey: true });
    expect(store.count('generate')).toBe(2);
  });

  it('encryptIterable without plaintextLength uses the bucket key and its output decrypts as a stream', async () => {
    const store = new RecordingStore();
    const engine = createEngine({ keyStore: store, bucketKeys: { maxAgeMs: 60_000 }, frameLength: 64 });
    const data = chunksOf(640, 64); // ends on a frame boundary: an empty final frame follows
    const out: Uint8Array[] = [];
    for await (const piece of engine.encryptIterable(data, { context: objectContext('it'), bucketKey: true }))
      out.push(piece);
    await engine.encrypt(new Uint8Array(1), { context: objectContext('it2'), bucketKey: true });
    expect(store.count('generate')).toBe(1);
    const plain: Uint8Array[] = [];
    for await (const piece of createEngine({ keyStore: store }).decryptIterable(out)) plain.push(piece);
    expect(joined(plain)).toEqual(joined(data));
  });
});
