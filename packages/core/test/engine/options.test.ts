import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, InvalidArgumentError, RawAesKeyStore, type Engine, type EncryptOptions } from '@sealflow/core';
import { caught, patternBytes, rawAesStore, sealflowCode } from './fixtures.js';

const polluted: string[] = [];
/** Sets an inherited property on Object.prototype for one test (undone in afterEach). */
function pollute(key: string, value: unknown): void {
  Object.defineProperty(Object.prototype, key, { value, configurable: true, writable: true, enumerable: false });
  polluted.push(key);
}
afterEach(() => {
  for (const key of polluted.splice(0)) delete (Object.prototype as Record<string, unknown>)[key];
});

const engine = (): Engine => createEngine({ keyStore: rawAesStore() });

describe('unknown option keys', () => {
  it('createEngine rejects an unknown key, naming it', () => {
    expect(() => createEngine({ keyStore: rawAesStore(), frameSize: 10 } as never)).toThrow(
      /unknown option "frameSize"/,
    );
    expect(() => createEngine({ keyStore: rawAesStore(), limits: { maxEdks: 1 } } as never)).toThrow(
      /unknown option "maxEdks"/,
    );
    expect(() => createEngine({ keyStore: rawAesStore(), bucketKeys: { maxAgeMs: 1, ttl: 2 } } as never)).toThrow(
      /unknown option "ttl"/,
    );
  });

  it('encrypt and decrypt reject an unknown key with ERR_INVALID_ARGUMENT', async () => {
    const e = engine();
    expect(await sealflowCode(() => e.encrypt(new Uint8Array(1), { contxt: {} } as never))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
    const sealed = await e.encrypt(new Uint8Array(1));
    expect(await sealflowCode(() => e.decrypt(sealed, { expectedContext: {} } as never))).toBe('ERR_INVALID_ARGUMENT');
    expect(await sealflowCode(() => e.decryptRange(sealed, { start: 0, end: 1, length: 1 } as never))).toBe(
      'ERR_INVALID_ARGUMENT',
    );
  });

  it('every stream factory rejects an unknown key', () => {
    const e = engine();
    const bad = { frameLen: 4 } as never;
    for (const make of [
      () => e.encryptStream(bad),
      () => e.decryptStream(bad),
      () => e.encryptWebStream(bad),
      () => e.decryptWebStream(bad),
      () => e.encryptIterable([], bad),
      () => e.decryptIterable([], bad),
    ]) {
      expect(make).toThrow(InvalidArgumentError);
    }
  });

  it('RawAesKeyStore rejects an unknown key', () => {
    expect(
      () => new RawAesKeyStore({ namespace: 'n', name: 'k', key: new Uint8Array(32), keyId: 'x' } as never),
    ).toThrow(/unknown option "keyId"/);
  });

  it('rejects non-object options (arrays, strings, null) rather than reading them', async () => {
    const e = engine();
    for (const options of [[], 'frameLength', null, 5]) {
      expect(await sealflowCode(() => e.encrypt(new Uint8Array(1), options as never))).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(() => createEngine(null as never)).toThrow(InvalidArgumentError);
  });

  it('createEngine refuses a null backend, offload or bucketKeys with ERR_INVALID_ARGUMENT, naming the field', () => {
    for (const key of ['backend', 'offload', 'bucketKeys']) {
      expect(() => createEngine({ keyStore: rawAesStore(), [key]: null } as never)).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_ARGUMENT',
          message: expect.stringContaining(`createEngine ${key}`),
        }),
      );
    }
  });
});

describe('a polluted Object.prototype changes nothing', () => {
  it('createEngine ignores inherited suite, frameLength, limits and bucketKeys', async () => {
    pollute('suite', 0x0578);
    pollute('frameLength', 7);
    pollute('limits', { maxEncryptedDataKeys: 0 });
    pollute('bucketKeys', { maxAgeMs: 1000 });
    pollute('commitmentPolicy', 'REQUIRE_ENCRYPT_ALLOW_DECRYPT');
    const e = createEngine({ keyStore: rawAesStore() });
    const sealed = await e.encrypt(patternBytes(100));
    const info = e.inspect(sealed);
    expect(info.suiteId).toBe(0x0478);
    expect(info.frameLength).toBe(64 * 1024);
    expect(await sealflowCode(() => e.encrypt(new Uint8Array(1), { bucketKey: true }))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('encrypt ignores inherited context, keyId, requiredContextKeys and plaintextLength', async () => {
    pollute('context', { tenant: 'mallory' });
    pollute('requiredContextKeys', ['tenant']);
    pollute('keyId', 'other-key');
    const e = engine();
    const sealed = await e.encrypt(patternBytes(10), {});
    expect(Object.keys(e.inspect(sealed).context)).toStrictEqual([]);
    const { context } = await e.decrypt(sealed);
    expect(Object.keys(context)).toStrictEqual([]);
  });

  it('decrypt ignores an inherited expectContext and reproducedContext', async () => {
    const e = engine();
    const sealed = await e.encrypt(patternBytes(10), { context: { a: '1' } });
    pollute('expectContext', { a: '2' });
    pollute('reproducedContext', { a: '2' });
    pollute('unsignedOnly', true);
    expect((await e.decrypt(sealed, {})).plaintext).toStrictEqual(patternBytes(10));
  });

  it('RawAesKeyStore ignores an inherited backend', async () => {
    pollute('backend', { name: 'evil', importKey: () => ({ backend: 'evil' }) });
    const store = new RawAesKeyStore({ namespace: 'n', name: 'k', key: new Uint8Array(32).fill(1) });
    const sealed = await createEngine({ keyStore: store }).encrypt(patternBytes(5));
    expect(sealed.length).toBeGreaterThan(5);
  });

  it('an inherited context pair is neither written nor authenticated', async () => {
    pollute('tenant', 'mallory');
    const e = engine();
    const sealed = await e.encrypt(patternBytes(3), { context: { owner: 'alice' } });
    expect(e.inspect(sealed).context).toStrictEqual({ owner: 'alice' });
  });
});

describe('async APIs reject instead of throwing synchronously', () => {
  it('encrypt, decrypt and decryptRange return a rejected promise for bad arguments', async () => {
    const e = engine();
    const calls: Array<() => Promise<unknown>> = [
      () => e.encrypt('text' as never),
      () => e.encrypt(new Uint8Array(1), { frameLength: 0 }),
      () => e.encrypt(new Uint8Array(1), { suite: 0x0178 as never }),
      () => e.encrypt(new Uint8Array(1), { context: { a: 1 } as never }),
      () => e.decrypt(null as never),
      () => e.decrypt(new Uint8Array(1), { expectContext: 'a' as never }),
      () => e.decryptRange(new Uint8Array(1), { start: 2, end: 1 }),
      () => e.decryptRange({ size: -1 } as never, { start: 0, end: 1 }),
    ];
    for (const call of calls) {
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = call();
      }).not.toThrow();
      const error = await caught(() => promise);
      expect(error).toBeInstanceOf(InvalidArgumentError);
    }
  });

  it('after close, encrypt and decrypt reject with ERR_ENGINE_CLOSED', async () => {
    const e = engine();
    const sealed = await e.encrypt(new Uint8Array(1));
    await e.close();
    const encrypting = e.encrypt(new Uint8Array(1));
    const decrypting = e.decrypt(sealed);
    expect(await sealflowCode(() => encrypting)).toBe('ERR_ENGINE_CLOSED');
    expect(await sealflowCode(() => decrypting)).toBe('ERR_ENGINE_CLOSED');
  });

  it('rejects reserved aws-crypto- context keys with ERR_RESERVED_CONTEXT_KEY on every encrypt API', async () => {
    const e = engine();
    const options: EncryptOptions = { context: { 'aws-crypto-public-key': 'x' } };
    expect(await sealflowCode(() => e.encrypt(new Uint8Array(1), options))).toBe('ERR_RESERVED_CONTEXT_KEY');
    expect(await sealflowCode(() => e.encrypt(new Uint8Array(1), { context: { 'aws-crypto-anything': '' } }))).toBe(
      'ERR_RESERVED_CONTEXT_KEY',
    );
    const iterable = e.encryptIterable([new Uint8Array(1)], options);
    expect(
      await sealflowCode(async () => {
        for await (const _ of iterable) void _;
      }),
    ).toBe('ERR_RESERVED_CONTEXT_KEY');
  });
});
