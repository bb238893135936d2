// The browser entry's RawRsaKeyStore (WebCrypto RSA-OAEP) against the Node entry's
// (node:crypto): each opens what the other wrapped, for every OAEP hash, and whole
// messages cross between the two entries. Node has the same `crypto.subtle` API.
import { generateKeyPairSync } from 'node:crypto';
import { createEngine as createNodeEngine, DataKey, ErrorCodes, RawRsaKeyStore as NodeRsa } from '@sealflow/core';
import { createEngine, RawRsaKeyStore, SealflowError, type OaepHash } from '@sealflow/core/browser';
import { describe, expect, it } from 'vitest';

const pair = (): { publicKey: string; privateKey: string } =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const KEYS = pair();
const request = { context: { a: 'b' }, length: 32 };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SealflowError);
    return (error as SealflowError).code;
  }
  return 'resolved';
}

describe('browser RawRsaKeyStore (WebCrypto)', () => {
  it('opens what the Node store wrapped and the other way round, every OAEP hash', async () => {
    for (const oaepHash of ['sha1', 'sha256', 'sha384', 'sha512'] as OaepHash[]) {
      const options = { namespace: 'ns', name: 'rsa-key', oaepHash, ...KEYS };
      const web = new RawRsaKeyStore(options);
      const node = new NodeRsa(options);
      const fromWeb = await web.generateDataKey(request);
      expect((await node.unwrapDataKey(fromWeb.encryptedDataKey, request)).reveal()).toEqual(fromWeb.dataKey.reveal());
      const fromNode = await node.generateDataKey(request);
      expect((await web.unwrapDataKey(fromNode.encryptedDataKey, request)).reveal()).toEqual(fromNode.dataKey.reveal());
    }
  });

  it('wraps with the public half of a lone private key, DER keys too', async () => {
    const der = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    });
    const web = new RawRsaKeyStore({ namespace: 'ns', name: 'k', privateKey: new Uint8Array(der.privateKey) });
    const node = new NodeRsa({ namespace: 'ns', name: 'k', publicKey: new Uint8Array(der.publicKey) });
    const edk = await node.wrapDataKey(new DataKey(new Uint8Array(32).fill(9)), request);
    expect(Array.from((await web.unwrapDataKey(edk, request)).reveal())).toEqual(new Array(32).fill(9));
    const back = await web.wrapDataKey(new DataKey(new Uint8Array(32).fill(5)), request);
    const opened = new NodeRsa({ namespace: 'ns', name: 'k', privateKey: new Uint8Array(der.privateKey) });
    expect(Array.from((await opened.unwrapDataKey(back, request)).reveal())).toEqual(new Array(32).fill(5));
  });

  it('messages cross between the Node and browser entries', async () => {
    const sealed = await createEngine({
      keyStore: new RawRsaKeyStore({ namespace: 'ns', name: 'k', ...KEYS }),
    }).encrypt(new Uint8Array(100_000).fill(3), { context: { x: 'y' } });
    const opened = await createNodeEngine({ keyStore: new NodeRsa({ namespace: 'ns', name: 'k', ...KEYS }) }).decrypt(
      sealed,
    );
    expect(opened.plaintext).toEqual(new Uint8Array(100_000).fill(3));
  });

  it('refuses a mismatched pair, a non-key, and an EDK it did not write', async () => {
    const other = pair();
    const mismatched = new RawRsaKeyStore({
      namespace: 'ns',
      name: 'k',
      publicKey: other.publicKey,
      privateKey: KEYS.privateKey,
    });
    expect(await codeOf(mismatched.generateDataKey(request))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(() => new RawRsaKeyStore({ namespace: 'ns', name: 'k', publicKey: 'not a key' })).toThrow(SealflowError);
    const garbage = new RawRsaKeyStore({ namespace: 'ns', name: 'k', publicKey: new Uint8Array([0x30, 1, 2, 3]) });
    expect(await codeOf(garbage.generateDataKey(request))).toBe(ErrorCodes.INVALID_ARGUMENT);
    const web = new RawRsaKeyStore({ namespace: 'ns', name: 'k', ...KEYS });
    const foreign = await new NodeRsa({ namespace: 'ns', name: 'k', ...other }).generateDataKey({
      ...request,
      length: 32,
    });
    expect(await codeOf(web.unwrapDataKey(foreign.encryptedDataKey, request))).toBe(ErrorCodes.INVALID_KEY_CIPHERTEXT);
  });

  it("the browser createEngine refuses backend 'node'", () => {
    expect(() =>
      createEngine({ keyStore: new RawRsaKeyStore({ namespace: 'ns', name: 'k', ...KEYS }), backend: 'node' }),
    ).toThrow(/not in this build/);
  });
});
