import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../src/config/gateway-config.js';
import { parseAwsKmsPrincipals } from '../../src/keys/aws-kms-principals.js';

const ALICE = 'arn:aws:iam::111122223333:user/alice';

describe('keyStore.principals of the aws-kms key store', () => {
  it('reads static credentials and profiles per principal', () => {
    const config = parseGatewayConfig(
      {
        keyStore: {
          type: 'aws-kms',
          principals: {
            [ALICE]: { accessKeyId: 'AKIAALICE000000001', secretAccessKey: 'alice-secret', sessionToken: 'tok' },
            'arn:aws:iam::444455556666:role/reader': { profile: 'reader-role' },
          },
        },
      },
      '/cfg',
    );
    expect(config.keyStore).toEqual({
      type: 'aws-kms',
      region: 'us-east-1',
      principals: {
        [ALICE]: { accessKeyId: 'AKIAALICE000000001', secretAccessKey: 'alice-secret', sessionToken: 'tok' },
        'arn:aws:iam::444455556666:role/reader': { profile: 'reader-role' },
      },
    });
  });

  it.each([
    [[], /expected an object/],
    [{ 'not-an-arn': { profile: 'p' } }, /is not a principal ARN/],
    [{ [ALICE]: { profile: 'p', accessKeyId: 'AKIAALICE000000001' } }, /either profile or accessKeyId/],
    [{ [ALICE]: { accessKeyId: 'lower', secretAccessKey: 'sssssssss' } }, /accessKeyId: expected an access key ID/],
    [{ [ALICE]: { accessKeyId: 'AKIAALICE000000001', secretAccessKey: 'short' } }, /secretAccessKey: expected 8/],
    [{ [ALICE]: { profile: 'bad profile' } }, /profile: expected a profile name/],
    [{ [ALICE]: { roleArn: 'x' } }, /unknown option "roleArn"/],
  ])('refuses %j, naming the field and never the secret', (value, message) => {
    let error: unknown;
    try {
      parseAwsKmsPrincipals(value, 'config.keyStore.principals');
    } catch (e) {
      error = e;
    }
    expect(String((error as Error).message)).toMatch(message);
    expect(String((error as Error).message)).not.toContain('sssssssss');
  });
});
