import { describe, expect, it } from 'vitest';
import {
  bucketEncryptionToXml,
  DEFAULT_BUCKET_ENCRYPTION,
  parseBucketEncryptionXml,
  S3Limits,
  type BucketEncryption,
} from '@sealflow/s3';
import { expectS3Error } from '../rules/support.js';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function config(apply: string, rest = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule>
    <ApplyServerSideEncryptionByDefault>${apply}</ApplyServerSideEncryptionByDefault>${rest}
  </Rule>
</ServerSideEncryptionConfiguration>`;
}

describe('parseBucketEncryptionXml (spec: s3-gateway.md "Default encryption")', () => {
  it('reads SSE-KMS with a key and a bucket key, as the AWS SDKs send it', () => {
    const xml = config(
      `<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>${KEY_ARN}</KMSMasterKeyID>`,
      '<BucketKeyEnabled>true</BucketKeyEnabled>',
    );
    expect(parseBucketEncryptionXml(xml)).toEqual({
      algorithm: 'aws:kms',
      kmsMasterKeyId: KEY_ARN,
      bucketKeyEnabled: true,
    });
    expect(parseBucketEncryptionXml(Buffer.from(xml))).toEqual({
      algorithm: 'aws:kms',
      kmsMasterKeyId: KEY_ARN,
      bucketKeyEnabled: true,
    });
  });

  it('reads SSE-S3 and DSSE-KMS; BucketKeyEnabled defaults to false; the namespace is optional', () => {
    expect(parseBucketEncryptionXml(config('<SSEAlgorithm>AES256</SSEAlgorithm>'))).toEqual({
      algorithm: 'AES256',
      bucketKeyEnabled: false,
    });
    expect(parseBucketEncryptionXml(config('<SSEAlgorithm>aws:kms:dsse</SSEAlgorithm>'))).toEqual({
      algorithm: 'aws:kms:dsse',
      bucketKeyEnabled: false,
    });
    const bare =
      '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
    expect(parseBucketEncryptionXml(bare)).toEqual({ algorithm: 'aws:kms', bucketKeyEnabled: false });
  });

  it('decodes the XML entities in values', () => {
    expect(
      parseBucketEncryptionXml(
        config('<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/a&amp;b</KMSMasterKeyID>'),
      ).kmsMasterKeyId,
    ).toBe('alias/a&b');
  });

  it('KMSMasterKeyID with AES256: 400 InvalidArgument', () => {
    expectS3Error(
      () =>
        parseBucketEncryptionXml(
          config(`<SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>${KEY_ARN}</KMSMasterKeyID>`),
        ),
      'InvalidArgument',
      400,
    );
  });

  it.each([
    ['not XML', 'hello'],
    ['unclosed tags', '<ServerSideEncryptionConfiguration><Rule>'],
    ['another root', '<Other/>'],
    [
      'two roots',
      `${config('<SSEAlgorithm>AES256</SSEAlgorithm>')}<X/>`.replace('<?xml version="1.0" encoding="UTF-8"?>', ''),
    ],
    ['an unknown algorithm', config('<SSEAlgorithm>rot13</SSEAlgorithm>')],
    ['a lower-case algorithm', config('<SSEAlgorithm>aes256</SSEAlgorithm>')],
    ['no algorithm', config('')],
    ['two algorithms', config('<SSEAlgorithm>AES256</SSEAlgorithm><SSEAlgorithm>aws:kms</SSEAlgorithm>')],
    [
      'two rules',
      config('<SSEAlgorithm>AES256</SSEAlgorithm>').replace(
        '</Rule>',
        '</Rule><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>',
      ),
    ],
    ['no rule', '<ServerSideEncryptionConfiguration></ServerSideEncryptionConfiguration>'],
    [
      'no ApplyServerSideEncryptionByDefault',
      '<ServerSideEncryptionConfiguration><Rule><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>',
    ],
    ['an unknown element', config('<SSEAlgorithm>AES256</SSEAlgorithm><Extra>1</Extra>')],
    [
      'a bad BucketKeyEnabled',
      config('<SSEAlgorithm>aws:kms</SSEAlgorithm>', '<BucketKeyEnabled>yes</BucketKeyEnabled>'),
    ],
    ['an element where text belongs', config('<SSEAlgorithm><X>AES256</X></SSEAlgorithm>')],
    [
      'a DOCTYPE with entities (billion laughs)',
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>${config('<SSEAlgorithm>&lol2;</SSEAlgorithm>')}`,
    ],
    [
      'an external entity',
      `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${config('<SSEAlgorithm>&xxe;</SSEAlgorithm>')}`,
    ],
    [
      'invalid UTF-8',
      Buffer.concat([
        Buffer.from('<ServerSideEncryptionConfiguration>'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('</ServerSideEncryptionConfiguration>'),
      ]),
    ],
    [
      'deep nesting',
      `<ServerSideEncryptionConfiguration>${'<Rule>'.repeat(5000)}${'</Rule>'.repeat(5000)}</ServerSideEncryptionConfiguration>`,
    ],
  ])('%s: 400 MalformedXML', (_label, body) => {
    expectS3Error(() => parseBucketEncryptionXml(body), 'MalformedXML', 400);
  });

  it('an empty body: 400 MissingRequestBodyError', () => {
    expectS3Error(() => parseBucketEncryptionXml(''), 'MissingRequestBodyError', 400);
    expectS3Error(() => parseBucketEncryptionXml('   \n'), 'MissingRequestBodyError', 400);
  });

  it(`a body over ${S3Limits.maxEncryptionConfigurationXmlBytes} bytes is refused before it is parsed`, () => {
    const padded = config('<SSEAlgorithm>AES256</SSEAlgorithm>').replace(
      '<Rule>',
      `<!--${'x'.repeat(S3Limits.maxEncryptionConfigurationXmlBytes)}--><Rule>`,
    );
    expectS3Error(() => parseBucketEncryptionXml(padded), 'MaxMessageLengthExceeded', 400);
  });
});

describe('bucketEncryptionToXml', () => {
  it('writes the GetBucketEncryption body with the S3 namespace, and parses back to the same value', () => {
    const samples: BucketEncryption[] = [
      { algorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN, bucketKeyEnabled: true },
      { algorithm: 'aws:kms', kmsMasterKeyId: 'alias/<&>"\'', bucketKeyEnabled: false },
      { algorithm: 'aws:kms:dsse', bucketKeyEnabled: false },
      DEFAULT_BUCKET_ENCRYPTION,
    ];
    for (const sample of samples) {
      const xml = bucketEncryptionToXml(sample);
      expect(xml).toMatch(
        /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ServerSideEncryptionConfiguration xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/,
      );
      expect(parseBucketEncryptionXml(xml)).toEqual(sample);
    }
    expect(bucketEncryptionToXml({ algorithm: 'aws:kms', kmsMasterKeyId: KEY_ARN, bucketKeyEnabled: true })).toContain(
      `<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>${KEY_ARN}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>`,
    );
  });
});
