import { describe, expect, it } from 'vitest';
import { Router } from '../../src/server/router.js';

describe('Router', () => {
  const router = new Router(['', '/a', '/a/kms/xks/v1/b'], '/ping');

  it('routes the four operations under each configured prefix', () => {
    expect(router.route('/kms/xks/v1/health')).toEqual({ kind: 'operation', prefix: '', operation: 'GetHealthStatus' });
    expect(router.route('/a/kms/xks/v1/keys/k.1_-/metadata')).toEqual({
      kind: 'operation',
      prefix: '/a',
      operation: 'GetKeyMetadata',
      keyId: 'k.1_-',
    });
    expect(router.route('/a/kms/xks/v1/keys/k/encrypt?x=1')).toEqual({
      kind: 'operation',
      prefix: '/a',
      operation: 'Encrypt',
      keyId: 'k',
    });
    expect(router.route('/a/kms/xks/v1/b/kms/xks/v1/keys/k/decrypt')).toEqual({
      kind: 'operation',
      prefix: '/a/kms/xks/v1/b',
      operation: 'Decrypt',
      keyId: 'k',
    });
    expect(router.route('/ping')).toEqual({ kind: 'ping' });
  });

  it.each([
    '/b/kms/xks/v1/health',
    '/a/invalid/kms/xks/v1/health',
    '/a/kms/xks/v1/health/',
    '/a/kms/xks/v1/keys//encrypt',
    '/a/kms/xks/v1/keys/k/encrypt/x',
    '/a/kms/xks/v1/keys/k/Encrypt',
    '/a/kms/xks/v1/keys/k%2F/encrypt',
    `/a/kms/xks/v1/keys/${'k'.repeat(129)}/encrypt`,
    '/a/kms/xks/v1/keys/constructor/__proto__',
    '',
    '/',
  ])('refuses %s', (path) => {
    expect(router.route(path)).toEqual({ kind: 'unknown' });
  });

  it('has no ping route when pingPath is off', () => {
    expect(new Router([''], undefined).route('/ping')).toEqual({ kind: 'unknown' });
  });
});
