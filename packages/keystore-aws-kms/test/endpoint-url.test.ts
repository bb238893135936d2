import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import { AwsKmsKeyStore } from '@sealflow/keystore-aws-kms';
import { describe, expect, test } from 'vitest';

import { assertEndpoint } from '../src/endpoint-url.js';

const build = (endpoint: string): AwsKmsKeyStore =>
  new AwsKmsKeyStore({ region: 'us-east-1', endpoint, keyId: 'alias/x' });

describe('assertEndpoint', () => {
  test.each([
    ['http://127.0.0.1:4566', 'http://127.0.0.1:4566'],
    ['http://localhost:4566/', 'http://localhost:4566'],
    ['https://kms.eu-west-1.amazonaws.com', 'https://kms.eu-west-1.amazonaws.com'],
    ['HTTPS://KMS.example:443', 'https://kms.example'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('accepts the origin %s (as %s)', (endpoint, origin) => {
    expect(assertEndpoint(endpoint, 'e')).toBe(origin);
  });

  test.each([
    ['localhost:4566', /scheme "localhost:"/],
    ['127.0.0.1:4566', /not a URL|scheme/],
    ['kms.example.com', /not a URL/],
    ['not a url', /white space/],
    ['ftp://kms.example', /scheme "ftp:"/],
    ['file:///etc/passwd', /scheme "file:"/],
    ['unix:/var/run/kms.sock', /scheme "unix:"/],
    ['http://', /not a URL|no host/],
    ['http://user:pass@kms.example', /credentials/],
    ['http://user@kms.example', /credentials/],
    ['http://kms.example/path', /path, query or fragment/],
    ['http://kms.example:4566/kms/', /path, query or fragment/],
    ['http://kms.example/?x=1', /path, query or fragment/],
    ['http://kms.example?', /path, query or fragment/],
    ['http://kms.example#frag', /path, query or fragment/],
    [' http://kms.example', /white space/],
    ['http://kms.example\n', /white space/],
    ['http:\\\\kms.example', /backslash/],
  ])('refuses %j with ERR_INVALID_ARGUMENT naming the option', (endpoint, why) => {
    const error: unknown = (() => {
      try {
        build(endpoint).close();
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect((error as Error).message).toMatch(/^AwsKmsKeyStore\.endpoint: expected an http: or https: URL with a host/);
    expect((error as Error).message).toMatch(why);
  });

  test('the store builds its client for the origin it checked', async () => {
    const store = build('http://127.0.0.1:4566/');
    expect(store.region).toBe('us-east-1');
    store.close();
  });
});
