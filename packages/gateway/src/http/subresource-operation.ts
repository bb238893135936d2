import type { S3Operation } from './operation.js';
import type { RequestTarget } from './request-target.js';

/**
 * The operations of the `?acl`, `?versions` and `?versioning` subresources the gateway
 * answers (ACLs read as the owner's FULL_CONTROL and set only to that; buckets never
 * versioned), or `undefined`: any other method on them stays 501 NotImplemented.
 */
export function subresourceOperation(method: string, target: RequestTarget): S3Operation | undefined {
  const q = target.query;
  if (target.bucket === undefined) return undefined;
  const onBucket = target.key === undefined;
  if (q.has('acl')) {
    if (method === 'GET') return onBucket ? 'GetBucketAcl' : 'GetObjectAcl';
    if (method === 'PUT') return onBucket ? 'PutBucketAcl' : 'PutObjectAcl';
    return undefined;
  }
  if (onBucket && method === 'GET') {
    if (q.has('versions')) return 'ListObjectVersions';
    if (q.has('versioning')) return 'GetBucketVersioning';
  }
  return undefined;
}
