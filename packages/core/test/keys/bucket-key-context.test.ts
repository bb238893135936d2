import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, s3BucketContext } from '@sealflow/core';

describe('s3BucketContext', () => {
  it('turns the object ARN into the bucket ARN and keeps only that pair', () => {
    expect(s3BucketContext({ 'aws:s3:arn': 'arn:aws:s3:::bucket/photos/2024/cat.jpg', team: 'x' })).toEqual({
      'aws:s3:arn': 'arn:aws:s3:::bucket',
    });
  });

  it('keeps the ARN partition', () => {
    expect(s3BucketContext({ 'aws:s3:arn': 'arn:aws-cn:s3:::b/k' })).toEqual({ 'aws:s3:arn': 'arn:aws-cn:s3:::b' });
  });

  it('refuses a context without an object ARN: missing, a bucket ARN, an empty key, another service', () => {
    for (const context of [
      {},
      { 'aws:s3:arn': 'arn:aws:s3:::bucket' },
      { 'aws:s3:arn': 'arn:aws:s3:::bucket/' },
      { 'aws:s3:arn': 'arn:aws:kms:::bucket/k' },
    ]) {
      expect(() => s3BucketContext(context)).toThrow(InvalidArgumentError);
    }
  });

  it('ignores an inherited aws:s3:arn (a polluted prototype changes nothing)', () => {
    const context = Object.create({ 'aws:s3:arn': 'arn:aws:s3:::evil/k' }) as Record<string, string>;
    expect(() => s3BucketContext(context)).toThrow(InvalidArgumentError);
  });
});
