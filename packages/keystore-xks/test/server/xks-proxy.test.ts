// Conformance of the proxy's four operations, written from the spec (xks-api.md §4-§7).
import { createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL,
  KEY_ID,
  METADATA,
  PREFIX,
  b64,
  decryptBody,
  encryptBody,
  paths,
  send,
  startProxyPerTest,
  unb64,
} from '../support/xks-fixtures.js';

const start = startProxyPerTest();

/** The spec's recommended GCM AAD layout, computed independently of the proxy's code. */
function specGcmAad(aad: Uint8Array, metadata: Uint8Array): Buffer {
  const lengthPrefix = Buffer.alloc(2);
  lengthPrefix.writeUInt16BE(aad.length);
  return Buffer.concat([lengthPrefix, aad, Buffer.from([metadata.length]), metadata]);
}

describe('GetHealthStatus', () => {
  it('answers 200 with every required field, on one line', async () => {
    const { url } = await start();
    const res = await send(url, paths.health, {
      requestMetadata: { kmsRequestId: 'r-1', kmsOperation: 'KmsHealthCheck' },
    });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('\n');
    expect(res.headers['content-type']).toBe('application/json');
    const body = res.json as Record<string, unknown>;
    expect(body['xksProxyFleetSize']).toBeGreaterThan(0);
    expect(typeof body['xksProxyVendor']).toBe('string');
    expect(body['xksProxyModel']).toMatch(/sealflow-xks-proxy \d/);
    expect(typeof body['ekmVendor']).toBe('string');
    expect(body['ekmFleetDetails']).toEqual([{ id: 'memory-0', model: 'sealflow in-memory', healthStatus: 'ACTIVE' }]);
  });

  it('round-trips the configured test key on a deep check and fails with 500 when the key manager is down', async () => {
    const { url, backend } = await start({ health: { testKeyId: KEY_ID, cacheMs: 0 } });
    const body = { requestMetadata: { kmsRequestId: 'r-2', kmsOperation: 'KmsHealthCheck' } };
    expect((await send(url, paths.health, body)).status).toBe(200);
    backend.setAvailable(false);
    const down = await send(url, paths.health, body);
    expect(down.status).toBe(500);
    expect(down.json?.['errorName']).toBe('InternalException');
  });

  it('fails the deep check with InternalException (not a key error) when the test key is gone', async () => {
    const { url, backend } = await start({ health: { testKeyId: 'health-key', cacheMs: 0 } });
    backend.createKey('health-key');
    const body = { requestMetadata: { kmsRequestId: 'r-3', kmsOperation: 'KmsHealthCheck' } };
    expect((await send(url, paths.health, body)).status).toBe(200);
    backend.deleteKey('health-key');
    const missing = await send(url, paths.health, body);
    expect(missing.status).toBe(500);
    expect(missing.json?.['errorName']).toBe('InternalException');
  });

  it('reuses a cached result within cacheMs', async () => {
    const { url, backend } = await start({ health: { cacheMs: 60_000 } });
    const body = { requestMetadata: { kmsRequestId: 'r-5', kmsOperation: 'KmsHealthCheck' } };
    expect((await send(url, paths.health, body)).status).toBe(200);
    backend.setAvailable(false);
    expect((await send(url, paths.health, body)).status).toBe(200);
  });
});

describe('GetKeyMetadata', () => {
  it('describes an AES_256 key with its usage and status', async () => {
    const { url } = await start();
    const res = await send(url, paths.metadata(), {
      requestMetadata: { kmsRequestId: 'r', kmsOperation: 'CreateKey', awsPrincipalArn: 'arn:aws:iam::1:user/a' },
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"keySpec":"AES_256","keyUsage":["ENCRYPT","DECRYPT"],"keyStatus":"ENABLED"}');
  });

  it("accepts the test client's DescribeKey call with kmsKeyArn, kmsViaService and unknown fields", async () => {
    const { url } = await start();
    const res = await send(url, paths.metadata(), {
      requestMetadata: {
        ...METADATA,
        kmsOperation: 'DescribeKey',
        kmsViaService: 'ebs',
        someFutureField: { nested: true },
      },
      someFutureTopLevelField: 1,
    });
    expect(res.status).toBe(200);
  });

  it('reports a disabled, decrypt-only key as such', async () => {
    const { url, backend } = await start();
    backend.createKey('old', { status: 'DISABLED', usage: ['DECRYPT'] });
    const res = await send(url, paths.metadata('old'), { requestMetadata: METADATA });
    expect(res.json).toEqual({ keySpec: 'AES_256', keyUsage: ['DECRYPT'], keyStatus: 'DISABLED' });
  });
});

describe('Encrypt and Decrypt', () => {
  it('encrypts with AES-256-GCM over the spec AAD layout, checked with node:crypto and the key material', async () => {
    const material = randomBytes(32);
    const { url, backend } = await start();
    backend.createKey('known', { material });
    const plaintext = randomBytes(32);
    const aad = Buffer.from('project=nile,department=marketing');
    const res = await send(
      url,
      paths.encrypt('known'),
      encryptBody(plaintext, { additionalAuthenticatedData: b64(aad) }),
    );
    expect(res.status).toBe(200);
    const ciphertext = unb64(res.json?.['ciphertext']);
    const iv = unb64(res.json?.['initializationVector']);
    const tag = unb64(res.json?.['authenticationTag']);
    expect(ciphertext.length).toBe(plaintext.length); // the tag is not appended
    expect(iv.length).toBe(12);
    expect(tag.length).toBe(16);
    const decipher = createDecipheriv('aes-256-gcm', material, iv);
    decipher.setAAD(specGcmAad(aad, new Uint8Array(0)));
    decipher.setAuthTag(tag);
    expect(Buffer.concat([decipher.update(ciphertext), decipher.final()])).toEqual(plaintext);
  });

  it('round-trips through Decrypt with the same AAD, and treats absent and empty AAD alike', async () => {
    const { url } = await start();
    const plaintext = randomBytes(48);
    const withAad = await send(
      url,
      paths.encrypt(),
      encryptBody(plaintext, { additionalAuthenticatedData: b64('ctx') }),
    );
    const back = await send(
      url,
      paths.decrypt(),
      decryptBody(withAad.json ?? {}, { additionalAuthenticatedData: b64('ctx') }),
    );
    expect(back.status).toBe(200);
    expect(unb64(back.json?.['plaintext'])).toEqual(plaintext);
    const noAad = await send(url, paths.encrypt(), encryptBody(plaintext));
    const emptyAad = await send(
      url,
      paths.decrypt(),
      decryptBody(noAad.json ?? {}, { additionalAuthenticatedData: '' }),
    );
    expect(unb64(emptyAad.json?.['plaintext'])).toEqual(plaintext);
  });

  it('accepts the spec minimums: 4300 bytes of plaintext and 8192 bytes of AAD', async () => {
    const { url } = await start();
    const plaintext = randomBytes(4300);
    const aad = randomBytes(8192);
    const enc = await send(url, paths.encrypt(), encryptBody(plaintext, { additionalAuthenticatedData: b64(aad) }));
    expect(enc.status).toBe(200);
    const dec = await send(
      url,
      paths.decrypt(),
      decryptBody(enc.json ?? {}, { additionalAuthenticatedData: b64(aad) }),
    );
    expect(unb64(dec.json?.['plaintext'])).toEqual(plaintext);
  });

  it('returns a ciphertextDataIntegrityValue equal to an independent SHA-256 over aad||metadata||iv||ciphertext||tag', async () => {
    const metadata = Buffer.from('key_version=1');
    const { url } = await start({ ciphertextMetadata: metadata });
    const aad = Buffer.from('project=nile,department=marketing');
    const res = await send(
      url,
      paths.encrypt(),
      encryptBody(randomBytes(32), {
        additionalAuthenticatedData: b64(aad),
        ciphertextDataIntegrityValueAlgorithm: 'SHA_256',
      }),
    );
    expect(res.status).toBe(200);
    const body = res.json ?? {};
    expect(unb64(body['ciphertextMetadata'])).toEqual(metadata);
    const expected = createHash('sha256')
      .update(aad)
      .update(metadata)
      .update(unb64(body['initializationVector']))
      .update(unb64(body['ciphertext']))
      .update(unb64(body['authenticationTag']))
      .digest('base64');
    expect(body['ciphertextDataIntegrityValue']).toBe(expected);
  });

  it('omits the integrity value when it was not asked for', async () => {
    const { url } = await start();
    const res = await send(url, paths.encrypt(), encryptBody(randomBytes(32)));
    expect(res.json).not.toHaveProperty('ciphertextDataIntegrityValue');
  });

  it('binds ciphertextMetadata into the tag: changing it, or moving its bytes into the AAD, fails decryption', async () => {
    const metadata = Buffer.from('v1');
    const { url } = await start({ ciphertextMetadata: metadata });
    const enc = await send(
      url,
      paths.encrypt(),
      encryptBody(randomBytes(32), { additionalAuthenticatedData: b64('ab') }),
    );
    const ok = await send(
      url,
      paths.decrypt(),
      decryptBody(enc.json ?? {}, { additionalAuthenticatedData: b64('ab') }),
    );
    expect(ok.status).toBe(200);
    for (const extra of [
      { additionalAuthenticatedData: b64('ab'), ciphertextMetadata: b64('v2') },
      { additionalAuthenticatedData: b64('ab') },
      { additionalAuthenticatedData: b64('abv1'), ciphertextMetadata: '' },
      { additionalAuthenticatedData: b64('a'), ciphertextMetadata: b64('bv1') },
    ]) {
      const body = decryptBody(enc.json ?? {}, extra);
      if (!('ciphertextMetadata' in extra)) delete body['ciphertextMetadata'];
      const res = await send(url, paths.decrypt(), body);
      expect(res.status).toBe(400);
      expect(res.json?.['errorName']).toBe('InvalidCiphertextException');
    }
  });

  it('draws a fresh IV for every Encrypt', async () => {
    const { url } = await start();
    const plaintext = randomBytes(32);
    const a = await send(url, paths.encrypt(), encryptBody(plaintext));
    const b = await send(url, paths.encrypt(), encryptBody(plaintext));
    expect(a.json?.['initializationVector']).not.toBe(b.json?.['initializationVector']);
    expect(a.json?.['ciphertext']).not.toBe(b.json?.['ciphertext']);
  });

  it('accepts any kmsOperation and any kmsRequestId format (both are opaque)', async () => {
    const { url } = await start();
    const res = await send(
      url,
      paths.encrypt(),
      encryptBody(randomBytes(16), {
        requestMetadata: { ...METADATA, kmsOperation: 'SomeFutureOperation', kmsRequestId: 'not-a-uuid' },
      }),
    );
    expect(res.status).toBe(200);
  });

  it('serves several prefixes, each with its own credentials and keys', async () => {
    const { url, backend } = await start({
      keyStores: [
        { uriPrefix: PREFIX, credentials: [CREDENTIAL], keyIds: [KEY_ID] },
        { uriPrefix: '', credentials: [CREDENTIAL], keyIds: ['other'] },
      ],
    });
    backend.createKey('other');
    expect((await send(url, '/kms/xks/v1/keys/other/encrypt', encryptBody(randomBytes(8)))).status).toBe(200);
    const outside = await send(url, '/kms/xks/v1/keys/foo/encrypt', encryptBody(randomBytes(8)));
    expect(outside.status).toBe(404);
    expect(outside.json?.['errorName']).toBe('KeyNotFoundException');
  });
});

describe('plaintext hygiene', () => {
  it('wipes the decoded Encrypt plaintext once the request is answered, with or without a CDIV', async () => {
    const { url, backend } = await start();
    const seen: Uint8Array[] = [];
    const original = backend.encrypt.bind(backend);
    backend.encrypt = async (keyId, plaintext, aad) => {
      seen.push(plaintext);
      return original(keyId, plaintext, aad);
    };
    const plaintext = Buffer.alloc(32, 0xa5);
    expect((await send(url, paths.encrypt(), encryptBody(plaintext))).status).toBe(200);
    expect(
      (await send(url, paths.encrypt(), encryptBody(plaintext, { ciphertextDataIntegrityValueAlgorithm: 'SHA_256' })))
        .status,
    ).toBe(200);
    expect(seen).toHaveLength(2);
    for (const bytes of seen) expect(bytes.every((b) => b === 0)).toBe(true);
  });
});

describe('load-balancer ping', () => {
  it('answers an unauthenticated GET /ping', async () => {
    const { url } = await start();
    const res = await send(url, '/ping', '', { method: 'GET', unsigned: true });
    expect(res.status).toBe(200);
    expect(res.text).toContain('pong');
  });
});
