import { s3Error } from '@sealflow/s3';
import type { RequestTarget } from './request-target.js';
import { subresourceOperation } from './subresource-operation.js';

/** Every S3 operation the gateway serves. */
export const S3Operations = [
  'ListBuckets',
  'CreateBucket',
  'HeadBucket',
  'DeleteBucket',
  'GetBucketLocation',
  'PutObject',
  'GetObject',
  'HeadObject',
  'DeleteObject',
  'DeleteObjects',
  'ListObjects',
  'ListObjectsV2',
  'CopyObject',
  'CreateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'ListParts',
  'ListMultipartUploads',
  'PutBucketEncryption',
  'GetBucketEncryption',
  'DeleteBucketEncryption',
  'PutBucketPolicy',
  'GetBucketPolicy',
  'DeleteBucketPolicy',
  'PostObject',
  'ListObjectVersions',
  'GetBucketVersioning',
  'GetBucketAcl',
  'PutBucketAcl',
  'GetObjectAcl',
  'PutObjectAcl',
] as const;

export type S3Operation = (typeof S3Operations)[number];

/**
 * Bucket and object subresources S3 has that this gateway does not serve (`acl`, `versions`
 * and `versioning` only in the forms `subresourceOperation` routes): a request naming
 * one is answered 501 `NotImplemented` rather than mistaken for a plain GET or PUT (a PUT
 * `?acl` taken as PutObject would overwrite the object with an ACL document).
 */
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metadataConfiguration',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'tagging',
  'torrent',
  'versioning',
  'versions',
  'website',
  'renameObject',
  'session',
] as const;

/**
 * Names the S3 operation of a request from its method, target, query and headers.
 * @throws {S3Error} 405 `MethodNotAllowed` for a method the resource does not take, 501
 * `NotImplemented` for a subresource the gateway does not serve.
 */
export function resolveOperation(
  method: string,
  target: RequestTarget,
  headers: Readonly<Record<string, string | string[] | undefined>>,
): S3Operation {
  const q = target.query;
  const subresource = subresourceOperation(method, target);
  if (subresource !== undefined) return subresource;
  for (const name of UNSUPPORTED_SUBRESOURCES) {
    if (q.has(name))
      throw s3Error(
        'NotImplemented',
        `A header or query you provided implies functionality that is not implemented (?${name}).`,
      );
  }
  if (target.bucket === undefined) {
    if (method === 'GET') return 'ListBuckets';
    throw s3Error('MethodNotAllowed');
  }
  const copy = headers['x-amz-copy-source'] !== undefined;
  if (target.key === undefined) {
    switch (method) {
      case 'GET':
        if (q.has('encryption')) return 'GetBucketEncryption';
        if (q.has('policy')) return 'GetBucketPolicy';
        if (q.has('uploads')) return 'ListMultipartUploads';
        if (q.has('location')) return 'GetBucketLocation';
        return q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      case 'HEAD':
        return 'HeadBucket';
      case 'PUT':
        if (q.has('encryption')) return 'PutBucketEncryption';
        if (q.has('policy')) return 'PutBucketPolicy';
        return 'CreateBucket';
      case 'DELETE':
        if (q.has('encryption')) return 'DeleteBucketEncryption';
        if (q.has('policy')) return 'DeleteBucketPolicy';
        return 'DeleteBucket';
      case 'POST':
        if (q.has('delete')) return 'DeleteObjects';
        return 'PostObject';
      default:
        throw s3Error('MethodNotAllowed');
    }
  }
  switch (method) {
    case 'GET':
      return q.has('uploadId') ? 'ListParts' : 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      if (q.has('partNumber') || q.has('uploadId')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      return q.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (q.has('uploads')) return 'CreateMultipartUpload';
      if (q.has('uploadId')) return 'CompleteMultipartUpload';
      throw s3Error('MethodNotAllowed');
    default:
      throw s3Error('MethodNotAllowed');
  }
}
