// Client <-> proxy end to end through the engine: over HTTP, and over HTTPS with a
// test CA, with and without client certificates (mTLS).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, ErrorCodes, KeyStoreError } from '@sealflow/core';
import { XKS_PROVIDER_ID, type XksKeyStore } from '@sealflow/keystore-xks';
import { createTestPki, KMS_CLIENT_NAME, type TestPki } from './support/test-ca.js';
import { CONTEXT, xksPerTest } from './support/xks-setup.js';

const { rig, store } = xksPerTest();

async function roundTrip(keyStore: XksKeyStore): Promise<void> {
  const engine = createEngine({ keyStore });
  const plaintext = randomBytes(100_000);
  const sealed = await engine.encrypt(plaintext, { context: CONTEXT, frameLength: 4096 });
  const header = engine.inspect(sealed);
  expect(header.encryptedDataKeys.map((edk) => edk.providerId)).toEqual([XKS_PROVIDER_ID]);
  const opened = await engine.decrypt(sealed, { expectContext: CONTEXT });
  expect(Buffer.from(opened.plaintext)).toEqual(plaintext);
  await engine.close();
}

describe('over HTTP', () => {
  it('encrypts and decrypts a message through the engine with the XKS store alone', async () => {
    const { url } = await rig();
    await roundTrip(store(url));
  });

  it('streams a message through encryptStream and decryptStream', async () => {
    const { url } = await rig();
    const engine = createEngine({ keyStore: store(url) });
    const plaintext = randomBytes(50_000);
    const collect = (into: Buffer[]): Writable =>
      new Writable({ write: (chunk: Buffer, _, done) => void (into.push(chunk), done()) });
    const sealed: Buffer[] = [];
    await pipeline(
      Readable.from([plaintext.subarray(0, 7), plaintext.subarray(7)]),
      engine.encryptStream({ context: CONTEXT, frameLength: 1000 }),
      collect(sealed),
    );
    const opened: Buffer[] = [];
    await pipeline(Readable.from([Buffer.concat(sealed)]), engine.decryptStream(), collect(opened));
    expect(Buffer.concat(opened)).toEqual(plaintext);
    await engine.close();
  });

  it('cannot decrypt once the key is deleted from the proxy, and says the key is missing', async () => {
    const { url, backend } = await rig();
    const engine = createEngine({ keyStore: store(url) });
    const sealed = await engine.encrypt(randomBytes(10), { context: CONTEXT });
    backend.deleteKey('e2e-key');
    const error = await engine.decrypt(sealed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyStoreError);
    expect((error as KeyStoreError).failures.map((f) => f.code)).toEqual([ErrorCodes.KEY_NOT_FOUND]);
  });
});

describe('over HTTPS with a test CA', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.dispose());

  it('round-trips through the engine when the client trusts the CA', async () => {
    const { url } = await rig({ proxy: { tls: { cert: pki.server.cert, key: pki.server.key } } });
    expect(url.startsWith('https://127.0.0.1:')).toBe(true);
    await roundTrip(store(url, { tls: { ca: pki.ca } }));
  });

  it('refuses a proxy whose certificate the client does not trust, as ERR_KEY_STORE_UNAVAILABLE', async () => {
    const { url } = await rig({ proxy: { tls: { cert: pki.server.cert, key: pki.server.key } } });
    const error = await store(url, { tls: { ca: pki.rogueCa } })
      .generateDataKey({ context: CONTEXT, length: 32 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCodes.KEY_STORE_UNAVAILABLE });
    expect((error as Error).message).toMatch(/certificate/i);
  });

  describe('with mTLS', () => {
    const mtls = (allowedClientNames?: string[]) => ({
      tls: {
        cert: pki.server.cert,
        key: pki.server.key,
        clientCa: pki.ca,
        ...(allowedClientNames ? { allowedClientNames } : {}),
      },
    });

    it('accepts a client certificate from the configured CA with an allowed name', async () => {
      const { url } = await rig({ proxy: mtls([KMS_CLIENT_NAME]) });
      await roundTrip(store(url, { tls: { ca: pki.ca, cert: pki.client.cert, key: pki.client.key } }));
    });

    it.each([
      ['no client certificate', () => ({ ca: pki.ca })],
      [
        'a client certificate from another CA',
        () => ({ ca: pki.ca, cert: pki.rogueClient.cert, key: pki.rogueClient.key }),
      ],
      [
        'a client certificate with a name not allowed',
        () => ({ ca: pki.ca, cert: pki.otherClient.cert, key: pki.otherClient.key }),
      ],
    ])('refuses %s: the store reports ERR_KEY_STORE_UNAVAILABLE', async (_, tls) => {
      const { url } = await rig({ proxy: mtls([KMS_CLIENT_NAME]) });
      const error = await store(url, { tls: tls(), maxAttempts: 1 })
        .generateDataKey({ context: CONTEXT, length: 32 })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCodes.KEY_STORE_UNAVAILABLE });
    });

    it('refuses TLS 1.2 renegotiation, so a client cannot change its certificate after the name check', async () => {
      const { port } = await rig({ proxy: mtls([KMS_CLIENT_NAME]) });
      const socket = tlsConnect({
        host: '127.0.0.1',
        port,
        ca: pki.ca,
        cert: pki.client.cert,
        key: pki.client.key,
        maxVersion: 'TLSv1.2',
        checkServerIdentity: () => undefined,
      });
      try {
        await once(socket, 'secureConnect');
        const outcome = await new Promise<string>((resolve) => {
          socket.once('close', () => resolve('closed'));
          socket.once('error', () => resolve('error'));
          socket.renegotiate({ rejectUnauthorized: true }, (error) =>
            resolve(error === null || error === undefined ? 'renegotiated' : 'refused'),
          );
        });
        expect(outcome).not.toBe('renegotiated');
      } finally {
        socket.destroy();
      }
    });
  });
});
