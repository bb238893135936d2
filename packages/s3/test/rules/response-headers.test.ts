import { describe, expect, it } from 'vitest';
import { encryptionResponseHeaders } from '@sealflow/s3';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const context = { 'aws:s3:arn': 'arn:aws:s3:::b/k', team: 'blue' };

describe('encryptionResponseHeaders (spec: s3-gateway.md "Response headers")', () => {
  it('SSE-S3: only x-amz-server-side-encryption: AES256', () => {
    expect(encryptionResponseHeaders({ algorithm: 'AES256' }, 'PutObject')).toEqual({
      'x-amz-server-side-encryption': 'AES256',
    });
    expect(
      encryptionResponseHeaders({ algorithm: 'AES256', keyArn: KEY_ARN, bucketKey: true, context }, 'GetObject'),
    ).toEqual({
      'x-amz-server-side-encryption': 'AES256',
    });
  });

  it('SSE-KMS writes: the full key ARN, bucket key when used, and the stored context (aws:s3:arn included)', () => {
    const headers = encryptionResponseHeaders(
      { algorithm: 'aws:kms', keyArn: KEY_ARN, bucketKey: true, context },
      'PutObject',
    );
    expect(headers).toEqual({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
      'x-amz-server-side-encryption-bucket-key-enabled': 'true',
      'x-amz-server-side-encryption-context': Buffer.from(JSON.stringify(context)).toString('base64'),
    });
    for (const operation of ['CopyObject', 'CreateMultipartUpload', 'CompleteMultipartUpload', 'PostObject'] as const) {
      expect(encryptionResponseHeaders({ algorithm: 'aws:kms', keyArn: KEY_ARN, context }, operation)).toHaveProperty(
        'x-amz-server-side-encryption-context',
      );
    }
  });

  it('SSE-KMS reads: no context header; no bucket-key header when none was used', () => {
    for (const operation of ['GetObject', 'HeadObject', 'UploadPart'] as const) {
      expect(
        encryptionResponseHeaders({ algorithm: 'aws:kms', keyArn: KEY_ARN, bucketKey: false, context }, operation),
      ).toEqual({
        'x-amz-server-side-encryption': 'aws:kms',
        'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
      });
    }
  });

  it('without an operation, reports as a read (no context)', () => {
    expect(encryptionResponseHeaders({ algorithm: 'aws:kms', keyArn: KEY_ARN, context })).toEqual({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
    });
  });

  it('DSSE-KMS reports aws:kms:dsse with its key', () => {
    expect(encryptionResponseHeaders({ algorithm: 'aws:kms:dsse', keyArn: KEY_ARN }, 'HeadObject')).toEqual({
      'x-amz-server-side-encryption': 'aws:kms:dsse',
      'x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN,
    });
  });
});
