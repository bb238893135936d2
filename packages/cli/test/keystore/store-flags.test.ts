import { describe, expect, it } from 'vitest';
import { chooseStore } from '../../src/keystore/store-flags.js';

describe('chooseStore', () => {
  it('is the embedded store without flags', () => {
    expect(chooseStore({}, {})).toEqual({ kind: 'local' });
    expect(chooseStore({ kms: 'local', key: 'alias/x' }, {})).toEqual({ kind: 'local' });
  });

  it('--kms aws takes the region from the flag or the environment, and an optional endpoint', () => {
    expect(chooseStore({ kms: 'aws', region: 'eu-west-1' }, {})).toEqual({
      kind: 'aws',
      region: 'eu-west-1',
      endpoint: undefined,
    });
    expect(chooseStore({ kms: 'aws' }, { AWS_REGION: 'us-west-2' })).toMatchObject({ region: 'us-west-2' });
    expect(
      chooseStore({ kms: 'aws', endpoint: 'http://127.0.0.1:4566' }, { AWS_DEFAULT_REGION: 'ap-south-1' }),
    ).toEqual({
      kind: 'aws',
      region: 'ap-south-1',
      endpoint: 'http://127.0.0.1:4566',
    });
  });

  it('--xks splits the URL into origin and URI prefix (a trailing /kms/xks/v1 is dropped)', () => {
    expect(chooseStore({ xks: 'https://xks.example.com:8443/tenant/a/kms/xks/v1' }, {})).toEqual({
      kind: 'xks',
      endpoint: 'https://xks.example.com:8443',
      uriPrefix: '/tenant/a',
      region: 'us-east-1',
    });
    expect(chooseStore({ xks: 'http://127.0.0.1:1/' }, {})).toMatchObject({ uriPrefix: '' });
  });

  it.each([
    [{ kms: 'aws' }, /needs --region/],
    [{ kms: 'gcp' }, /--kms: expected "aws"/],
    [{ kms: 'aws', xks: 'https://x' }, /exclude each other/],
    [{ endpoint: 'http://x' }, /only with --kms aws/],
    [{ region: 'us-east-1' }, /only with --kms aws or --xks/],
    [{ xks: 'ftp://x/y' }, /http\(s\) URL/],
    [{ kms: 'aws', region: 'us-east-1', endpoint: 'not a url' }, /--endpoint: expected a URL/],
  ])('refuses %j', (flags, message) => {
    expect(() => chooseStore(flags, {})).toThrow(message);
  });
});
