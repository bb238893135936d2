import { assertOwnerOnlyAclHeaders, s3Error, type RequestContext, type S3Service } from '@sealflow/s3';
import { readControlBody } from '../http/control-body.js';
import { xmlDocument, type XmlElement } from '../http/xml-response.js';
import { encoderFor, maxParam, quoted } from './list-xml.js';
import type { S3Request, S3Response } from './s3-exchange.js';

/** Writes that may carry `x-amz-acl` / `x-amz-grant-*` headers (S3: only the owner's full control is accepted). */
const WRITES_WITH_ACL = new Set(['PutObject', 'CopyObject', 'CreateMultipartUpload']);

/**
 * Buckets behave as S3 Object Ownership "bucket owner enforced": a write whose ACL headers
 * grant anything beyond the owner's full control is refused. A conditional DeleteObject is
 * refused too (not implemented).
 * @throws {S3Error} 400 AccessControlListNotSupported, 501 NotImplemented
 */
export function checkWriteAcl(request: S3Request): void {
  if (WRITES_WITH_ACL.has(request.operation)) assertOwnerOnlyAclHeaders(request.headers);
  // S3's conditional deletes are not implemented: deleting anyway would drop the guard the
  // client asked for, so the request is refused instead.
  if (request.operation === 'DeleteObject' && CONDITIONAL_DELETE_HEADERS.some((h) => h in request.headers))
    throw s3Error('NotImplemented', 'Conditional deletes are not implemented by this gateway.', {
      fields: { Header: 'If-Match' },
    });
}

const CONDITIONAL_DELETE_HEADERS = ['if-match', 'x-amz-if-match-last-modified-time', 'x-amz-if-match-size'];

function aclXml(owner: string): string {
  return xmlDocument('AccessControlPolicy', {
    Owner: { ID: owner },
    AccessControlList: {
      Grant: [
        {
          Grantee: {
            '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
            '@_xsi:type': 'CanonicalUser',
            ID: owner,
          },
          Permission: 'FULL_CONTROL',
        },
      ],
    },
  });
}

/**
 * Serves the ACL and versioning subresources and ListObjectVersions; `undefined` for any
 * other operation. Buckets are never versioned: GetBucketVersioning answers an empty
 * `VersioningConfiguration` (never enabled, as S3 does for such a bucket) and
 * ListObjectVersions lists every object once, `VersionId` `null`, `IsLatest` true.
 */
export async function handleOwnership(
  service: S3Service,
  ctx: RequestContext,
  request: S3Request,
): Promise<S3Response | undefined> {
  const bucket = request.target.bucket;
  if (bucket === undefined) return undefined;
  const key = request.target.key;
  switch (request.operation) {
    case 'GetBucketAcl':
    case 'GetObjectAcl': {
      const { owner } = await service.getAcl(ctx, { bucket, ...(key === undefined ? {} : { key }) });
      return { status: 200, body: aclXml(owner) };
    }
    case 'PutBucketAcl':
    case 'PutObjectAcl': {
      const body = await readControlBody(request.body);
      const result = await service.putAcl(ctx, {
        bucket,
        ...(key === undefined ? {} : { key }),
        headers: request.headers,
        body,
      });
      return { status: 200, headers: result.headers };
    }
    case 'GetBucketVersioning':
      await service.headBucket(ctx, { bucket });
      return { status: 200, body: xmlDocument('VersioningConfiguration', {}) };
    case 'ListObjectVersions':
      return listObjectVersions(service, ctx, request, bucket);
    default:
      return undefined;
  }
}

async function listObjectVersions(
  service: S3Service,
  ctx: RequestContext,
  request: S3Request,
  bucket: string,
): Promise<S3Response> {
  const q = request.target.query;
  const encodingType = q.get('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url')
    throw s3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', {
      fields: { ArgumentName: 'encoding-type', ArgumentValue: encodingType.slice(0, 64) },
    });
  const maxKeys = maxParam(request, 'max-keys');
  if (Number.isNaN(maxKeys))
    throw s3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      fields: { ArgumentName: 'max-keys' },
    });
  const prefix = q.get('prefix');
  const delimiter = q.get('delimiter');
  const keyMarker = q.get('key-marker');
  const versionIdMarker = q.get('version-id-marker');
  if (versionIdMarker !== undefined && versionIdMarker !== '' && (keyMarker ?? '') === '')
    throw s3Error('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', {
      fields: { ArgumentName: 'version-id-marker' },
    });
  // Every object has the one version `null`: any other version-id marker names nothing.
  if (versionIdMarker !== undefined && versionIdMarker !== '' && versionIdMarker !== 'null')
    throw s3Error('InvalidArgument', 'Invalid version id specified', {
      fields: { ArgumentName: 'version-id-marker', ArgumentValue: versionIdMarker.slice(0, 64) },
    });
  const result = await service.listObjects(ctx, {
    bucket,
    ...(prefix === undefined ? {} : { prefix }),
    ...(delimiter === undefined || delimiter === '' ? {} : { delimiter }),
    ...(maxKeys === undefined ? {} : { maxKeys }),
    ...(keyMarker === undefined || keyMarker === '' ? {} : { marker: keyMarker }),
  });
  const encode = encoderFor(request);
  const versions: XmlElement[] = result.contents.map((item) => ({
    Key: encode(item.key),
    VersionId: 'null',
    IsLatest: true,
    LastModified: item.lastModified.toISOString(),
    ETag: quoted(item.etag),
    Size: item.size,
    StorageClass: 'STANDARD',
    Owner: { ID: item.owner },
  }));
  return {
    status: 200,
    body: xmlDocument('ListVersionsResult', {
      Name: bucket,
      Prefix: encode(prefix ?? ''),
      KeyMarker: encode(keyMarker ?? ''),
      VersionIdMarker: versionIdMarker ?? '',
      NextKeyMarker: result.isTruncated ? encode(result.nextMarker) : undefined,
      NextVersionIdMarker: result.isTruncated ? 'null' : undefined,
      MaxKeys: result.maxKeys,
      Delimiter: encode(delimiter),
      EncodingType: encodingType,
      IsTruncated: result.isTruncated,
      Version: versions,
      CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
    }),
  };
}
