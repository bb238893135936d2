import { s3Error, type RequestContext, type S3Service } from '@sealflow/s3';
import { readControlBody } from '../http/control-body.js';
import { parseCompleteMultipartUpload } from '../http/request-xml.js';
import { xmlDocument } from '../http/xml-response.js';
import { parseCopySource } from './copy-source.js';
import { encoderFor, maxParam, quoted } from './list-xml.js';
import type { S3Request, S3Response } from './s3-exchange.js';

function target(request: S3Request): { bucket: string; key: string } {
  const { bucket, key } = request.target;
  if (bucket === undefined || key === undefined)
    throw s3Error('InvalidRequest', 'This operation needs a bucket and an object key.');
  return { bucket, key };
}

function uploadIdOf(request: S3Request): string {
  const id = request.target.query.get('uploadId');
  if (id === undefined || id === '')
    throw s3Error('InvalidArgument', 'This operation needs an uploadId.', { fields: { ArgumentName: 'uploadId' } });
  return id;
}

function partNumberOf(request: S3Request): number {
  const value = request.target.query.get('partNumber') ?? '';
  const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= 10_000)) {
    throw s3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', {
      fields: { ArgumentName: 'partNumber', ArgumentValue: value.slice(0, 32) },
    });
  }
  return n;
}

function badMax(name: string): Error {
  return s3Error('InvalidArgument', `Provided ${name} not an integer or within integer range`, {
    fields: { ArgumentName: name },
  });
}

/** Serves the multipart operations; `undefined` for any other operation. */
export async function handleMultipart(
  service: S3Service,
  ctx: RequestContext,
  request: S3Request,
): Promise<S3Response | undefined> {
  switch (request.operation) {
    case 'CreateMultipartUpload': {
      const { bucket, key } = target(request);
      const result = await service.createMultipartUpload(ctx, { bucket, key, headers: request.headers });
      return {
        status: 200,
        headers: result.headers,
        body: xmlDocument('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: result.uploadId }),
      };
    }
    case 'UploadPart': {
      const { bucket, key } = target(request);
      const result = await service.uploadPart(ctx, {
        bucket,
        key,
        uploadId: uploadIdOf(request),
        partNumber: partNumberOf(request),
        headers: request.headers,
        body: request.body,
        ...(request.contentLength === undefined ? {} : { contentLength: request.contentLength }),
        trailers: request.trailers,
        signal: request.signal,
      });
      return { status: 200, headers: result.headers };
    }
    case 'UploadPartCopy': {
      const { bucket, key } = target(request);
      const range = request.headers['x-amz-copy-source-range'];
      const result = await service.uploadPartCopy(ctx, {
        bucket,
        key,
        uploadId: uploadIdOf(request),
        partNumber: partNumberOf(request),
        headers: request.headers,
        source: parseCopySource(request.headers['x-amz-copy-source'] ?? ''),
        ...(range === undefined ? {} : { sourceRange: range }),
      });
      const { etag: _etag, ...headers } = result.headers;
      return {
        status: 200,
        headers,
        body: xmlDocument('CopyPartResult', {
          LastModified: result.lastModified.toISOString(),
          ETag: quoted(result.etag),
        }),
      };
    }
    case 'CompleteMultipartUpload': {
      const { bucket, key } = target(request);
      const parts = parseCompleteMultipartUpload(await readControlBody(request.body));
      const result = await service.completeMultipartUpload(ctx, {
        bucket,
        key,
        uploadId: uploadIdOf(request),
        parts,
        headers: request.headers,
      });
      const host = request.headers['host'] ?? 'localhost';
      const { etag: _etag, ...headers } = result.headers;
      return {
        status: 200,
        headers,
        body: xmlDocument('CompleteMultipartUploadResult', {
          Location: `${request.secure ? 'https' : 'http'}://${host}${result.location}`,
          Bucket: result.bucket,
          Key: result.key,
          ETag: quoted(result.etag),
          ChecksumCRC32: headers['x-amz-checksum-crc32'],
          ChecksumCRC32C: headers['x-amz-checksum-crc32c'],
          ChecksumCRC64NVME: headers['x-amz-checksum-crc64nvme'],
          ChecksumSHA1: headers['x-amz-checksum-sha1'],
          ChecksumSHA256: headers['x-amz-checksum-sha256'],
          ChecksumType: headers['x-amz-checksum-type'],
        }),
      };
    }
    case 'AbortMultipartUpload': {
      const { bucket, key } = target(request);
      const result = await service.abortMultipartUpload(ctx, { bucket, key, uploadId: uploadIdOf(request) });
      return { status: 204, headers: result.headers };
    }
    case 'ListParts': {
      const { bucket, key } = target(request);
      const maxParts = maxParam(request, 'max-parts');
      if (Number.isNaN(maxParts)) throw badMax('max-parts');
      const markerText = request.target.query.get('part-number-marker');
      const marker =
        markerText === undefined ? undefined : /^\d{1,5}$/.test(markerText) ? Number(markerText) : Number.NaN;
      if (Number.isNaN(marker)) throw badMax('part-number-marker');
      const result = await service.listParts(ctx, {
        bucket,
        key,
        uploadId: uploadIdOf(request),
        ...(maxParts === undefined ? {} : { maxParts }),
        ...(marker === undefined ? {} : { partNumberMarker: marker }),
      });
      return {
        status: 200,
        headers: result.headers,
        body: xmlDocument('ListPartsResult', {
          Bucket: result.bucket,
          Key: result.key,
          UploadId: result.uploadId,
          Initiator: { ID: result.initiator, DisplayName: result.initiator },
          Owner: { ID: result.owner, DisplayName: result.owner },
          StorageClass: 'STANDARD',
          PartNumberMarker: result.partNumberMarker,
          NextPartNumberMarker: result.nextPartNumberMarker,
          MaxParts: result.maxParts,
          IsTruncated: result.isTruncated,
          ChecksumAlgorithm: result.checksumAlgorithm?.toUpperCase(),
          Part: result.parts.map((p) => ({
            PartNumber: p.partNumber,
            LastModified: p.lastModified.toISOString(),
            ETag: quoted(p.etag),
            Size: p.size,
          })),
        }),
      };
    }
    case 'ListMultipartUploads': {
      const bucket = request.target.bucket as string;
      const q = request.target.query;
      const maxUploads = maxParam(request, 'max-uploads');
      if (Number.isNaN(maxUploads)) throw badMax('max-uploads');
      const prefix = q.get('prefix');
      const keyMarker = q.get('key-marker');
      const uploadIdMarker = q.get('upload-id-marker');
      const result = await service.listMultipartUploads(ctx, {
        bucket,
        ...(prefix === undefined ? {} : { prefix }),
        ...(maxUploads === undefined ? {} : { maxUploads }),
        ...(keyMarker === undefined ? {} : { keyMarker }),
        ...(uploadIdMarker === undefined ? {} : { uploadIdMarker }),
      });
      const encode = encoderFor(request);
      return {
        status: 200,
        body: xmlDocument('ListMultipartUploadsResult', {
          Bucket: bucket,
          KeyMarker: encode(keyMarker ?? ''),
          UploadIdMarker: uploadIdMarker ?? '',
          NextKeyMarker: result.isTruncated ? encode(result.nextKeyMarker) : undefined,
          NextUploadIdMarker: result.isTruncated ? result.nextUploadIdMarker : undefined,
          Prefix: encode(prefix ?? ''),
          EncodingType: q.get('encoding-type') === 'url' ? 'url' : undefined,
          MaxUploads: result.maxUploads,
          IsTruncated: result.isTruncated,
          Upload: result.uploads.map((u) => ({
            Key: encode(u.key),
            UploadId: u.uploadId,
            Initiator: { ID: u.initiator, DisplayName: u.initiator },
            Owner: { ID: u.owner, DisplayName: u.owner },
            StorageClass: 'STANDARD',
            Initiated: u.initiated.toISOString(),
          })),
        }),
      };
    }
    default:
      return undefined;
  }
}
