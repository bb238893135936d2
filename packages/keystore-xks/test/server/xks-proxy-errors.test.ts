// Every error name and HTTP status of the spec (xks-api.md §9), plus 405 for GET.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryXksBackend, XksBackendError, type XksKeyBackend } from '@sealflow/keystore-xks';
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
  type SendResult,
} from '../support/xks-fixtures.js';

const start = startProxyPerTest();

function expectError(res: SendResult, status: number, errorName: string): void {
  expect({ status: res.status, errorName: res.json?.['errorName'] }).toEqual({ status, errorName });
  expect(res.text).not.toContain('\n');
  const message = res.json?.['errorMessage'];
  if (message !== undefined) expect(message).toMatch(/^[\x20-\x7e]{0,511}$/);
}

async function encrypted(url: string, aad?: string): Promise<Record<string, unknown>> {
  const res = await send(
    url,
    paths.encrypt(),
    encryptBody(randomBytes(32), aad === undefined ? {} : { additionalAuthenticatedData: b64(aad) }),
  );
  expect(res.status).toBe(200);
  return res.json ?? {};
}

describe('400 ValidationException', () => {
  it.each([
    ['a body that is not JSON', '{"requestMetadata":'],
    ['a JSON array', '[]'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ['no requestMetadata', { plaintext: b64('x'), encryptionAlgorithm: 'AES_GCM' }],
    [
      'requestMetadata without kmsRequestId',
      encryptBody(randomBytes(4), { requestMetadata: { ...METADATA, kmsRequestId: undefined } }),
    ],
    [
      'requestMetadata without kmsKeyArn on Encrypt',
      encryptBody(randomBytes(4), { requestMetadata: { ...METADATA, kmsKeyArn: undefined } }),
    ],
    ['no plaintext', encryptBody(randomBytes(4), { plaintext: undefined })],
    ['an unknown encryptionAlgorithm', encryptBody(randomBytes(4), { encryptionAlgorithm: 'AES_GCM_256' })],
    [
      'an unknown integrity algorithm',
      encryptBody(randomBytes(4), { ciphertextDataIntegrityValueAlgorithm: 'SHA_512' }),
    ],
    ['URL-safe Base64', encryptBody(randomBytes(4), { plaintext: '-_-_' })],
    ['unpadded Base64', encryptBody(randomBytes(4), { plaintext: 'QUJDRA' })],
    ['Base64 with whitespace', encryptBody(randomBytes(4), { plaintext: 'QUJD RA==' })],
    ['Base64 with non-zero pad bits', encryptBody(randomBytes(4), { plaintext: 'QR==' })],
    ['a plaintext that is a number', encryptBody(randomBytes(4), { plaintext: 12 })],
  ])('answers %s on Encrypt with 400 ValidationException', async (_, body) => {
    const { url } = await start();
    expectError(await send(url, paths.encrypt(), body as object), 400, 'ValidationException');
  });

  it.each([
    ['an 8-byte IV', { initializationVector: b64(randomBytes(8)) }],
    ['a 15-byte tag', { authenticationTag: b64(randomBytes(15)) }],
    ['a 17-byte tag', { authenticationTag: b64(randomBytes(17)) }],
    ['21 bytes of ciphertextMetadata', { ciphertextMetadata: b64(randomBytes(21)) }],
    ['malformed Base64 ciphertext', { ciphertext: 'not base64!' }],
  ])('answers %s on Decrypt with 400 ValidationException', async (_, extra) => {
    const { url } = await start();
    const answer = await encrypted(url);
    expectError(await send(url, paths.decrypt(), decryptBody(answer, extra)), 400, 'ValidationException');
  });

  it('answers GetHealthStatus with an empty body or empty requestMetadata with ValidationException (as the test client expects)', async () => {
    const { url } = await start();
    expectError(await send(url, paths.health, {}), 400, 'ValidationException');
    expectError(await send(url, paths.health, { requestMetadata: {} }), 400, 'ValidationException');
  });

  it('refuses a Content-Type other than application/json', async () => {
    const { url } = await start();
    expectError(
      await send(url, paths.encrypt(), encryptBody(randomBytes(4)), { headers: { 'content-type': 'text/plain' } }),
      400,
      'ValidationException',
    );
  });
});

describe('400 InvalidStateException', () => {
  it('refuses Encrypt, Decrypt and CDIV with a disabled key', async () => {
    const { url, backend } = await start();
    const answer = await encrypted(url);
    backend.setStatus(KEY_ID, 'DISABLED');
    expectError(await send(url, paths.encrypt(), encryptBody(randomBytes(32))), 400, 'InvalidStateException');
    expectError(await send(url, paths.decrypt(), decryptBody(answer)), 400, 'InvalidStateException');
    backend.setStatus(KEY_ID, 'ENABLED');
    expect((await send(url, paths.decrypt(), decryptBody(answer))).status).toBe(200);
  });
});

describe('400 InvalidCiphertextException', () => {
  it.each([
    ['another AAD', { additionalAuthenticatedData: b64('other') }],
    ['no AAD', { additionalAuthenticatedData: undefined }],
    ['a flipped ciphertext bit', 'ciphertext'],
    ['a flipped tag bit', 'authenticationTag'],
    ['a flipped IV bit', 'initializationVector'],
    ['added ciphertextMetadata', { additionalAuthenticatedData: b64('aad'), ciphertextMetadata: b64('x') }],
  ])('answers Decrypt with %s', async (_, change) => {
    const { url } = await start();
    const answer = await encrypted(url, 'aad');
    let body: Record<string, unknown>;
    if (typeof change === 'string') {
      const bytes = Buffer.from(String(answer[change]), 'base64');
      bytes[0] = (bytes[0] as number) ^ 1;
      body = decryptBody(
        { ...answer, [change]: bytes.toString('base64') },
        { additionalAuthenticatedData: b64('aad') },
      );
    } else {
      body = decryptBody(answer, { additionalAuthenticatedData: b64('aad'), ...(change as Record<string, unknown>) });
    }
    expectError(await send(url, paths.decrypt(), body), 400, 'InvalidCiphertextException');
  });

  it('refuses a ciphertext made under another key', async () => {
    const { url, backend } = await start();
    backend.createKey('bar');
    const answer = await encrypted(url);
    expectError(await send(url, paths.decrypt('bar'), decryptBody(answer)), 400, 'InvalidCiphertextException');
  });
});

describe('400 InvalidKeyUsageException', () => {
  it('refuses Decrypt with an encrypt-only key, and a CDIV (which needs a verification decrypt)', async () => {
    const { url, backend } = await start();
    backend.createKey('enc-only', { usage: ['ENCRYPT'] });
    const enc = await send(url, paths.encrypt('enc-only'), encryptBody(randomBytes(32)));
    expect(enc.status).toBe(200);
    expectError(
      await send(url, paths.decrypt('enc-only'), decryptBody(enc.json ?? {})),
      400,
      'InvalidKeyUsageException',
    );
    expectError(
      await send(
        url,
        paths.encrypt('enc-only'),
        encryptBody(randomBytes(32), { ciphertextDataIntegrityValueAlgorithm: 'SHA_256' }),
      ),
      400,
      'InvalidKeyUsageException',
    );
  });

  it('refuses Encrypt with a decrypt-only key but still decrypts with it', async () => {
    const { url, backend } = await start();
    const material = randomBytes(32);
    backend.createKey('k1', { material });
    const answer = (await send(url, paths.encrypt('k1'), encryptBody(randomBytes(32)))).json ?? {};
    backend.setUsage('k1', ['DECRYPT']);
    expectError(await send(url, paths.encrypt('k1'), encryptBody(randomBytes(32))), 400, 'InvalidKeyUsageException');
    expect((await send(url, paths.decrypt('k1'), decryptBody(answer))).status).toBe(200);
  });
});

describe('403 AccessDeniedException', () => {
  it('denies what the authorization hook denies, and never asks it about GetHealthStatus', async () => {
    const asked: string[] = [];
    const { url } = await start({
      authorize: (request) => {
        asked.push(request.operation);
        return { allow: request.principal !== METADATA.awsPrincipalArn, rule: 'no-alice' };
      },
    });
    expectError(await send(url, paths.encrypt(), encryptBody(randomBytes(4))), 403, 'AccessDeniedException');
    const bob = encryptBody(randomBytes(4), {
      requestMetadata: { ...METADATA, awsPrincipalArn: 'arn:aws:iam::1:user/bob' },
    });
    expect((await send(url, paths.encrypt(), bob)).status).toBe(200);
    expect(
      (await send(url, paths.health, { requestMetadata: { kmsRequestId: 'r', kmsOperation: 'KmsHealthCheck' } }))
        .status,
    ).toBe(200);
    expect(asked).toEqual(['Encrypt', 'Encrypt']);
  });

  it('answers 500 InternalException when the hook throws (failing closed)', async () => {
    const { url } = await start({
      authorize: () => {
        throw new Error('policy engine down');
      },
    });
    expectError(await send(url, paths.encrypt(), encryptBody(randomBytes(4))), 500, 'InternalException');
  });
});

describe('404', () => {
  it('answers KeyNotFoundException for an unknown key on every key operation', async () => {
    const { url } = await start();
    expectError(await send(url, paths.metadata('nope'), { requestMetadata: METADATA }), 404, 'KeyNotFoundException');
    expectError(await send(url, paths.encrypt('nope'), encryptBody(randomBytes(4))), 404, 'KeyNotFoundException');
    const answer = await encrypted(url);
    expectError(await send(url, paths.decrypt('nope'), decryptBody(answer)), 404, 'KeyNotFoundException');
  });

  it.each([
    ['a wrong prefix', '/wrong/prefix/kms/xks/v1/health'],
    ['no prefix', '/kms/xks/v1/health'],
    ['a segment inserted after the prefix', `${PREFIX}/invalid/kms/xks/v1/health`],
    ['a segment before the prefix', `/x${PREFIX}/kms/xks/v1/health`],
    ['a trailing slash', `${PREFIX}/kms/xks/v1/health/`],
    ['an extra segment', `${PREFIX}/kms/xks/v1/keys/foo/encrypt/more`],
    ['an unknown operation', `${PREFIX}/kms/xks/v1/keys/foo/sign`],
    ['a key ID with a forbidden character', `${PREFIX}/kms/xks/v1/keys/f%20o/encrypt`],
    ['a 129-character key ID', `${PREFIX}/kms/xks/v1/keys/${'k'.repeat(129)}/encrypt`],
    ['another API version', `${PREFIX}/kms/xks/v2/health`],
  ])('answers InvalidUriPathException for %s', async (_, path) => {
    const { url } = await start();
    expectError(await send(url, path, encryptBody(randomBytes(4))), 404, 'InvalidUriPathException');
  });

  it('answers InvalidUriPathException before checking the signature', async () => {
    const { url } = await start();
    expectError(await send(url, '/wrong/kms/xks/v1/health', {}, { unsigned: true }), 404, 'InvalidUriPathException');
  });
});

describe('405 for GET', () => {
  it.each([paths.health, paths.metadata(), paths.encrypt(), paths.decrypt()])(
    'answers GET %s with 405 and Allow: POST',
    async (path) => {
      const { url } = await start();
      const res = await send(url, path, '', { method: 'GET' });
      expect(res.status).toBe(405);
      expect(res.headers['allow']).toBe('POST');
      expect(res.text).not.toContain('\n');
    },
  );

  it('answers GET on an unknown path with 404, not 405', async () => {
    const { url } = await start();
    expect((await send(url, '/nothing/here', '', { method: 'GET' })).status).toBe(404);
  });
});

function keyedBackend(): InMemoryXksBackend {
  const backend = new InMemoryXksBackend();
  backend.createKey(KEY_ID);
  return backend;
}

/** A backend that holds every encrypt until released. */
function gatedBackend(inner: XksKeyBackend): { backend: XksKeyBackend; release: () => void; entered: Promise<void> } {
  let release!: () => void;
  let entered!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
  const backend: XksKeyBackend = {
    vendor: inner.vendor,
    describe: (keyId) => inner.describe(keyId),
    encrypt: async (keyId, plaintext, aad) => {
      entered();
      await gate;
      return inner.encrypt(keyId, plaintext, aad);
    },
    decrypt: (keyId, sealed, aad) => inner.decrypt(keyId, sealed, aad),
    members: () => inner.members(),
  };
  return { backend, release, entered: enteredPromise };
}

describe('429 ThrottlingException', () => {
  it('throttles a prefix past its concurrent-request quota, and serves it again afterwards', async () => {
    const inner = keyedBackend();
    const gated = gatedBackend(inner);
    const { url } = await start({
      backend: gated.backend,
      keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL], maxConcurrentRequests: 1 }],
    });
    const held = send(url, paths.encrypt(), encryptBody(randomBytes(4)));
    await gated.entered;
    expectError(await send(url, paths.encrypt(), encryptBody(randomBytes(4))), 429, 'ThrottlingException');
    gated.release();
    expect((await held).status).toBe(200);
    expect((await send(url, paths.encrypt(), encryptBody(randomBytes(4)))).status).toBe(200);
  });
});

describe('501 UnsupportedOperationException', () => {
  it('refuses a plaintext over the configured cap and an AAD over it, but not at the cap', async () => {
    const { url } = await start({ limits: { maxPlaintextBytes: 4300, maxAadBytes: 8192 } });
    expect(
      (
        await send(
          url,
          paths.encrypt(),
          encryptBody(randomBytes(4300), { additionalAuthenticatedData: b64(randomBytes(8192)) }),
        )
      ).status,
    ).toBe(200);
    expectError(await send(url, paths.encrypt(), encryptBody(randomBytes(4301))), 501, 'UnsupportedOperationException');
    expectError(
      await send(
        url,
        paths.encrypt(),
        encryptBody(randomBytes(4), { additionalAuthenticatedData: b64(randomBytes(8193)) }),
      ),
      501,
      'UnsupportedOperationException',
    );
  });

  it('refuses a body larger than the fields could ever need without buffering it', async () => {
    const { url } = await start();
    const huge = JSON.stringify(encryptBody(randomBytes(4), { padding: 'x'.repeat(200_000) }));
    expectError(await send(url, paths.encrypt(), huge), 501, 'UnsupportedOperationException');
  });

  it('refuses an oversized requestMetadata value', async () => {
    const { url } = await start();
    const body = encryptBody(randomBytes(4), {
      requestMetadata: { ...METADATA, awsPrincipalArn: `arn:${'a'.repeat(5000)}` },
    });
    expectError(await send(url, paths.encrypt(), body), 501, 'UnsupportedOperationException');
  });

  it('accepts principal ARNs of 2048 characters', async () => {
    const { url } = await start();
    const body = encryptBody(randomBytes(4), {
      requestMetadata: { ...METADATA, awsPrincipalArn: `arn:${'a'.repeat(2044)}` },
    });
    expect((await send(url, paths.encrypt(), body)).status).toBe(200);
  });
});

describe('5xx from the key manager', () => {
  it('answers 503 DependencyTimeoutException when the backend does not answer in time', async () => {
    const inner = keyedBackend();
    const gated = gatedBackend(inner);
    const { url } = await start({ backend: gated.backend, limits: { backendTimeoutMs: 50 } });
    expectError(await send(url, paths.encrypt(), encryptBody(randomBytes(4))), 503, 'DependencyTimeoutException');
    gated.release();
  });

  it('answers 500 InternalException when the backend fails, and keeps XksBackendError names', async () => {
    const inner = keyedBackend();
    let failWith: Error = new Error('disk on fire');
    const backend: XksKeyBackend = {
      vendor: 'x',
      describe: (keyId) => inner.describe(keyId),
      encrypt: async () => {
        throw failWith;
      },
      decrypt: (keyId, sealed, aad) => inner.decrypt(keyId, sealed, aad),
      members: () => inner.members(),
    };
    const { url } = await start({ backend });
    const res = await send(url, paths.encrypt(), encryptBody(randomBytes(4)));
    expectError(res, 500, 'InternalException');
    expect(res.text).not.toContain('disk on fire');
    failWith = new XksBackendError('ThrottlingException', 'HSM busy');
    expectError(await send(url, paths.encrypt(), encryptBody(randomBytes(4))), 429, 'ThrottlingException');
  });

  it('answers 500 when a backend returns the tag appended to the ciphertext', async () => {
    const inner = keyedBackend();
    const backend: XksKeyBackend = {
      vendor: 'x',
      describe: (keyId) => inner.describe(keyId),
      encrypt: async (keyId, plaintext, aad) => {
        const sealed = await inner.encrypt(keyId, plaintext, aad);
        return { ...sealed, ciphertext: Buffer.concat([sealed.ciphertext, sealed.tag]) };
      },
      decrypt: (keyId, sealed, aad) => inner.decrypt(keyId, sealed, aad),
      members: () => inner.members(),
    };
    const { url } = await start({ backend });
    expectError(await send(url, paths.encrypt(), encryptBody(randomBytes(4))), 500, 'InternalException');
  });
});
