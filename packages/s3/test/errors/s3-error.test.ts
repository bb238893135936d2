import { describe, expect, it } from 'vitest';
import { isSealflowError, SealflowError } from '@sealflow/core';
import { invalidArgument, isS3Error, isS3ErrorCode, S3Error, s3Error, S3ErrorCodes } from '@sealflow/s3';

describe('S3ErrorCodes', () => {
  // Codes and statuses are API (gateways send them). Changing one fails here.
  it('pins the HTTP status of every S3 error code', () => {
    const statuses = Object.fromEntries(Object.entries(S3ErrorCodes).map(([code, entry]) => [code, entry.status]));
    expect(statuses).toEqual({
      AccessControlListNotSupported: 400,
      AccessDenied: 403,
      AuthorizationHeaderMalformed: 400,
      AuthorizationQueryParametersError: 400,
      BadDigest: 400,
      BucketAlreadyExists: 409,
      BucketAlreadyOwnedByYou: 409,
      BucketNotEmpty: 409,
      ConditionalRequestConflict: 409,
      EntityTooLarge: 400,
      EntityTooSmall: 400,
      ExpiredToken: 400,
      IncompleteBody: 400,
      InternalError: 500,
      InvalidAccessKeyId: 403,
      InvalidArgument: 400,
      InvalidBucketName: 400,
      InvalidBucketState: 409,
      InvalidDigest: 400,
      InvalidEncryptionAlgorithmError: 400,
      InvalidObjectState: 403,
      InvalidPart: 400,
      InvalidPartOrder: 400,
      InvalidPolicyDocument: 400,
      InvalidRange: 416,
      InvalidRequest: 400,
      InvalidURI: 400,
      KeyTooLongError: 400,
      'KMS.DisabledException': 400,
      'KMS.KMSInvalidStateException': 400,
      'KMS.NotFoundException': 400,
      MalformedPOSTRequest: 400,
      MalformedPolicy: 400,
      MalformedXML: 400,
      MaxMessageLengthExceeded: 400,
      MetadataTooLarge: 400,
      MethodNotAllowed: 405,
      MissingContentLength: 411,
      MissingRequestBodyError: 400,
      MissingSecurityHeader: 400,
      NoSuchBucket: 404,
      NoSuchBucketPolicy: 404,
      NoSuchKey: 404,
      NoSuchUpload: 404,
      NotImplemented: 501,
      NotModified: 304,
      PreconditionFailed: 412,
      RequestHeaderSectionTooLarge: 400,
      RequestTimeTooSkewed: 403,
      RequestTimeout: 400,
      ServerSideEncryptionConfigurationNotFoundError: 404,
      ServiceUnavailable: 503,
      SignatureDoesNotMatch: 403,
      SlowDown: 503,
      XAmzContentSHA256Mismatch: 400,
    });
  });

  it('gives every code a non-empty default message', () => {
    for (const entry of Object.values(S3ErrorCodes)) expect(entry.message.length).toBeGreaterThan(0);
  });

  it('recognises catalogue codes only, by own property', () => {
    expect(isS3ErrorCode('NoSuchKey')).toBe(true);
    expect(isS3ErrorCode('KMS.NotFoundException')).toBe(true);
    expect(isS3ErrorCode('toString')).toBe(false);
    expect(isS3ErrorCode('NoSuchThing')).toBe(false);
    expect(isS3ErrorCode(403)).toBe(false);
  });
});

describe('S3Error', () => {
  it('is a SealflowError with code ERR_S3, the S3 code, its status and the default message', () => {
    const error = new S3Error('NoSuchKey');
    expect(error).toBeInstanceOf(SealflowError);
    expect(isSealflowError(error)).toBe(true);
    expect(isS3Error(error)).toBe(true);
    expect(error.code).toBe('ERR_S3');
    expect(error.name).toBe('S3Error');
    expect(error.s3Code).toBe('NoSuchKey');
    expect(error.status).toBe(404);
    expect(error.message).toBe(S3ErrorCodes.NoSuchKey.message);
    expect(error.resource).toBeUndefined();
    expect(error.extra).toEqual({});
    expect(error.fields).toEqual({});
  });

  it('carries a message, resource, extra headers, XML fields and cause when given', () => {
    const cause = new Error('inner');
    const error = new S3Error('SlowDown', {
      message: 'slow',
      resource: '/b/k',
      extra: { 'retry-after': '1' },
      fields: { A: 'b' },
      cause,
    });
    expect([error.message, error.resource, error.extra, error.fields, error.cause]).toEqual([
      'slow',
      '/b/k',
      { 'retry-after': '1' },
      { A: 'b' },
      cause,
    ]);
    expect(Object.isFrozen(error.extra)).toBe(true);
    const located = error.withResource('/b/other');
    expect([located.s3Code, located.message, located.resource, located.extra, located.cause]).toEqual([
      'SlowDown',
      'slow',
      '/b/other',
      { 'retry-after': '1' },
      cause,
    ]);
  });

  it('refuses a code outside the catalogue', () => {
    expect(() => new S3Error('Nope' as never)).toThrow(TypeError);
    expect(() => new S3Error('constructor' as never)).toThrow(TypeError);
  });

  it('s3Error and invalidArgument build the usual shapes; a long ArgumentValue is cut', () => {
    expect(s3Error('BadDigest', 'x').message).toBe('x');
    expect(s3Error('BadDigest').message).toBe(S3ErrorCodes.BadDigest.message);
    const error = invalidArgument('bad', 'x-amz-foo', 'v'.repeat(1000));
    expect(error.s3Code).toBe('InvalidArgument');
    expect(error.fields['ArgumentName']).toBe('x-amz-foo');
    expect(error.fields['ArgumentValue']?.length).toBe(259);
    expect(isS3Error(new Error('x'))).toBe(false);
  });
});
