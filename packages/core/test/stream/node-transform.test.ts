import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createEngine, SealflowError, type DecryptedHeader, type KeyStore } from '@sealflow/core';
import { caught, patternBytes, rawAesStore, throughNode, recordingOffload } from '../engine/fixtures.js';

const engine = () => createEngine({ keyStore: rawAesStore(), frameLength: 32 });

describe('decryptStream', () => {
  it("emits 'header' with the authenticated context and header info before any data", async () => {
    const e = engine();
    const sealed = await e.encrypt(patternBytes(100), { context: { tenant: 'acme' } });
    const events: string[] = [];
    let header: DecryptedHeader | undefined;
    const stream = e.decryptStream();
    stream.on('header', (h: DecryptedHeader) => {
      header = h;
      events.push('header');
    });
    stream.on('data', () => events.push('data'));
    const done = new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
    for (let i = 0; i < sealed.length; i += 5) stream.write(sealed.subarray(i, i + 5));
    stream.end();
    await done;
    expect(events[0]).toBe('header');
    expect(events.filter((e) => e === 'header')).toHaveLength(1);
    expect(events.length).toBeGreaterThan(1);
    expect(header?.context).toStrictEqual({ tenant: 'acme' });
    expect(header?.info.frameLength).toBe(32);
    expect(header?.info.suiteId).toBe(0x0478);
  });

  it('a decrypt stream destroyed without an error mid-message makes its offloaded body wipe its key copy', async () => {
    const record = recordingOffload();
    const e = createEngine({ keyStore: rawAesStore(), frameLength: 32, offload: record.offload });
    const sealed = await e.encrypt(patternBytes(1_000));
    const stream = e.decryptStream();
    const header = new Promise((resolve) => stream.once('header', resolve));
    stream.on('data', () => {});
    stream.write(sealed.subarray(0, 300));
    await header;
    const closed = new Promise((resolve) => stream.once('close', resolve));
    stream.destroy();
    await closed;
    expect(record.keys).toHaveLength(1);
    expect(record.aborted).toBe(1);
    expect(record.keys[0]?.every((b) => b === 0)).toBe(true);
  });

  it('a decrypt stream destroyed while its key-store call is pending drops the body offloaded once the call returns', async () => {
    const record = recordingOffload();
    const store = rawAesStore();
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let called = (): void => {};
    const calling = new Promise<void>((resolve) => (called = resolve));
    const slow: KeyStore = {
      id: store.id,
      canUnwrap: (edk) => store.canUnwrap(edk),
      generateDataKey: (request) => store.generateDataKey(request),
      wrapDataKey: (key, request) => store.wrapDataKey(key, request),
      unwrapDataKey: async (edk, request) => {
        called();
        await gate;
        return store.unwrapDataKey(edk, request);
      },
    };
    const e = createEngine({ keyStore: slow, frameLength: 32, offload: record.offload });
    const sealed = await e.encrypt(patternBytes(1_000));
    const stream = e.decryptStream();
    stream.on('error', () => {});
    stream.write(sealed.subarray(0, 300));
    await calling;
    stream.destroy();
    release();
    // The header completes once the store answers: wait (by turns, not by time) for the offloaded body.
    for (let turn = 0; turn < 1_000 && record.keys.length === 0; turn++)
      await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(record.keys).toHaveLength(1);
    expect(record.aborted).toBeGreaterThanOrEqual(1);
    expect(record.keys[0]?.every((b) => b === 0)).toBe(true);
  });

  it("never emits 'header' for a header that does not authenticate", async () => {
    const e = engine();
    const sealed = (await e.encrypt(patternBytes(100))).slice();
    const headerLength = e.inspect(sealed).headerLength;
    sealed[headerLength - 1] = (sealed[headerLength - 1] as number) ^ 1;
    const stream = e.decryptStream();
    let headers = 0;
    stream.on('header', () => headers++);
    const error = await caught(() => throughNode(stream, [sealed]));
    expect((error as SealflowError).code).toBe('ERR_AUTHENTICATION_FAILED');
    expect(headers).toBe(0);
  });

  it('fails the pipeline with the SealflowError itself and counts one failure', async () => {
    const e = engine();
    const sealed = await e.encrypt(patternBytes(100));
    const error = await caught(() => throughNode(e.decryptStream(), [sealed.subarray(0, sealed.length - 3)]));
    expect(error).toBeInstanceOf(SealflowError);
    expect((error as SealflowError).code).toBe('ERR_TRUNCATED');
    expect(e.stats().failures.decrypt).toBe(1);
  });

  it('takes zero-length writes anywhere without effect', async () => {
    const e = engine();
    const plaintext = patternBytes(100);
    const sealed = await e.encrypt(plaintext);
    const empty = new Uint8Array(0);
    const chunks = [
      empty,
      sealed.subarray(0, 10),
      empty,
      empty,
      sealed.subarray(10, 200),
      empty,
      sealed.subarray(200),
      empty,
    ];
    expect(Buffer.from(await throughNode(e.decryptStream(), chunks)).equals(Buffer.from(plaintext))).toBe(true);
    expect(Buffer.from(await throughNode(e.decryptStream(), [...chunks, empty]))).toStrictEqual(Buffer.from(plaintext));
  });

  it('a consumer destroying the stream mid-message counts a failure and releases nothing more', async () => {
    const e = engine();
    const sealed = await e.encrypt(patternBytes(10_000));
    const stream = e.decryptStream();
    let received = 0;
    stream.on('data', (chunk: Uint8Array) => {
      received += chunk.length;
      if (received >= 64) stream.destroy(new Error('consumer gave up'));
    });
    const error = await caught(() => pipeline(Readable.from([sealed.subarray(0, 300), sealed.subarray(300)]), stream));
    expect((error as Error).message).toBe('consumer gave up');
    expect(received).toBeLessThan(10_000);
    expect(e.stats().failures.decrypt).toBe(1);
  });
});

describe('encryptStream', () => {
  it('with no writes at all writes a valid empty message', async () => {
    const e = engine();
    const sealed = await throughNode(e.encryptStream(), []);
    expect((await e.decrypt(sealed)).plaintext.length).toBe(0);
  });

  it('refuses more or fewer bytes than a declared plaintextLength with ERR_INVALID_ARGUMENT', async () => {
    const e = engine();
    for (const length of [99, 101]) {
      const error = await caught(() => throughNode(e.encryptStream({ plaintextLength: 100 }), [patternBytes(length)]));
      expect(error).toBeInstanceOf(SealflowError);
      expect((error as SealflowError).code).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(e.stats().failures.encrypt).toBe(2);
  });
});
