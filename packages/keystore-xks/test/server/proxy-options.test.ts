import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@sealflow/core';
import { InMemoryXksBackend, createXksProxy, type XksProxyOptions } from '@sealflow/keystore-xks';
import { CREDENTIAL, PREFIX } from '../support/xks-fixtures.js';

const base = (): XksProxyOptions => ({
  keyStores: [{ uriPrefix: PREFIX, credentials: [CREDENTIAL] }],
  backend: new InMemoryXksBackend(),
});

describe('createXksProxy options', () => {
  it.each([
    ['an unknown option', { colour: 'red' }, 'unknown option "colour"'],
    ['no key stores', { keyStores: [] }, 'keyStores'],
    ['a prefix with a trailing slash', { keyStores: [{ uriPrefix: '/a/', credentials: [CREDENTIAL] }] }, 'uriPrefix'],
    ['a prefix with a dot', { keyStores: [{ uriPrefix: '/a.b', credentials: [CREDENTIAL] }] }, 'uriPrefix'],
    [
      'a prefix too long for the 128-character path',
      { keyStores: [{ uriPrefix: `/${'a'.repeat(120)}`, credentials: [CREDENTIAL] }] },
      '128',
    ],
    [
      'a prefix listed twice',
      {
        keyStores: [
          { uriPrefix: PREFIX, credentials: [CREDENTIAL] },
          { uriPrefix: PREFIX, credentials: [CREDENTIAL] },
        ],
      },
      'configured twice',
    ],
    ['no credentials', { keyStores: [{ uriPrefix: PREFIX, credentials: [] }] }, 'credentials'],
    [
      'an access key id outside base32',
      { keyStores: [{ uriPrefix: PREFIX, credentials: [{ ...CREDENTIAL, accessKeyId: 'XKSTESTACCESSKEY0189' }] }] },
      'accessKeyId',
    ],
    [
      'a short secret',
      { keyStores: [{ uriPrefix: PREFIX, credentials: [{ ...CREDENTIAL, secretAccessKey: 'abc' }] }] },
      'secretAccessKey',
    ],
    ['a backend without members()', { backend: { describe: () => undefined } }, 'backend'],
    ['a plaintext cap under the spec minimum', { limits: { maxPlaintextBytes: 4299 } }, 'maxPlaintextBytes'],
    ['an AAD cap over the u16 layout', { limits: { maxAadBytes: 65536 } }, 'maxAadBytes'],
    ['a health cache over one minute', { health: { cacheMs: 60_001 } }, 'cacheMs'],
    ['21 bytes of ciphertextMetadata', { ciphertextMetadata: new Uint8Array(21) }, 'ciphertextMetadata'],
    ['allowedClientNames without a client CA', { tls: { cert: 'c', key: 'k', allowedClientNames: ['x'] } }, 'clientCa'],
  ])('rejects %s with ERR_INVALID_ARGUMENT naming the field', (_, overrides, field) => {
    let error: { code?: string; message?: string } = {};
    try {
      createXksProxy({ ...base(), ...overrides } as XksProxyOptions);
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(error.message).toContain(field);
  });

  it('never echoes a rejected secret', () => {
    const secret = `${'q'.repeat(40)}!!!!`;
    let message = '';
    try {
      createXksProxy({
        ...base(),
        keyStores: [{ uriPrefix: PREFIX, credentials: [{ ...CREDENTIAL, secretAccessKey: secret }] }],
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('secretAccessKey');
    expect(message).not.toContain(secret);
  });

  it('ignores values inherited through a polluted prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['colour'] = 'red';
    proto['ownsBackend'] = 'yes';
    try {
      expect(() => createXksProxy(base())).not.toThrow();
    } finally {
      delete proto['colour'];
      delete proto['ownsBackend'];
    }
  });
});
