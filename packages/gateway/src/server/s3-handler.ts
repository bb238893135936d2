import { s3Error, type RequestContext, type S3Service } from '@sealflow/s3';
import { readControlBody } from '../http/control-body.js';
import { parseDeleteObjects } from '../http/request-xml.js';
import { xmlDocument } from '../http/xml-response.js';
import { parseCopySource } from './copy-source.js';
import { contentsXml, encoderFor, maxParam, quoted } from './list-xml.js';
import { handleMultipart } from './multipart-handlers.js';
import { checkWriteAcl, handleOwnership } from './ownership-handlers.js';
import { handlePostObject } from './post-object-handler.js';
import { responseOverrides } from './response-overrides.js';
import type { S3Handler, S3Request, S3Response } from './s3-exchange.js';

/**
 * The account and principal unsigned requests act as. They own nothing, so only a bucket
 * policy that allows anonymous access lets them in (the service checks).
 */
export const ANONYMOUS_PRINCIPAL = 'arn:aws:iam::000000000000:user/anonymous';

/** The service's view of the caller. */
export function requestContext(request: S3Request): RequestContext {
  const caller = request.caller;
  return {
    principal: caller.anonymous ? ANONYMOUS_PRINCIPAL : caller.principal,
    accountId: caller.anonymous ? '000000000000' : caller.accountId,
    requestId: request.ids.requestId,
    secureTransport: request.secure,
    anonymous: caller.anonymous,
  };
}

function bucketOf(request: S3Request): string {
  const bucket = request.target.bucket;
  if (bucket === undefined) throw s3Error('InvalidRequest', 'This operation needs a bucket.');
  return bucket;
}

function keyOf(request: S3Request): string {
  const key = request.target.key;
  if (key === undefined) throw s3Error('InvalidRequest', 'This operation needs an object key.');
  return key;
}

const ok = (headers: Readonly<Record<string, string>>, status = 200): S3Response => ({ status, headers });

/**
 * Maps each routed S3 operation to the `S3Service` and renders its result as S3 does
 * (status, headers, XML). Operations the service does not offer answer 501 `NotImplemented`.
 */
export function createS3Handler(service: S3Service): S3Handler {
  return async (request) => {
    const ctx = requestContext(request);
    const headers = request.headers;
    checkWriteAcl(request);
    switch (request.operation) {
      case 'ListBuckets': {
        const result = await service.listBuckets(ctx);
        const displayName = request.caller.anonymous ? undefined : request.caller.displayName;
        return {
          status: 200,
          body: xmlDocument('ListAllMyBucketsResult', {
            Owner: { ID: result.owner.id, DisplayName: displayName },
            Buckets: {
              Bucket: result.buckets.map((b) => ({ Name: b.name, CreationDate: b.creationDate.toISOString() })),
            },
          }),
        };
      }
      case 'CreateBucket':
        // The body (a CreateBucketConfiguration naming the region) is read and bounded, not used.
        await readControlBody(request.body);
        return ok((await service.createBucket(ctx, { bucket: bucketOf(request) })).headers);
      case 'HeadBucket':
        return ok((await service.headBucket(ctx, { bucket: bucketOf(request) })).headers);
      case 'DeleteBucket':
        return ok((await service.deleteBucket(ctx, { bucket: bucketOf(request) })).headers, 204);
      case 'GetBucketLocation': {
        const result = await service.headBucket(ctx, { bucket: bucketOf(request) });
        const region = result.headers['x-amz-bucket-region'];
        // us-east-1 is reported as an empty LocationConstraint, as S3 does.
        return {
          status: 200,
          body: xmlDocument('LocationConstraint', { '#text': region === 'us-east-1' ? '' : region }),
        };
      }
      case 'PutBucketEncryption':
        return ok(
          (
            await service.putBucketEncryption(ctx, {
              bucket: bucketOf(request),
              body: await readControlBody(request.body),
            })
          ).headers,
        );
      case 'GetBucketEncryption': {
        const result = await service.getBucketEncryption(ctx, { bucket: bucketOf(request) });
        return { status: 200, headers: { ...result.headers, 'content-type': 'application/xml' }, body: result.xml };
      }
      case 'DeleteBucketEncryption':
        return ok((await service.deleteBucketEncryption(ctx, { bucket: bucketOf(request) })).headers, 204);
      case 'PutBucketPolicy':
        return ok(
          (await service.putBucketPolicy(ctx, { bucket: bucketOf(request), body: await readControlBody(request.body) }))
            .headers,
          204,
        );
      case 'GetBucketPolicy': {
        const result = await service.getBucketPolicy(ctx, { bucket: bucketOf(request) });
        return { status: 200, headers: result.headers, body: result.policy };
      }
      case 'DeleteBucketPolicy':
        return ok((await service.deleteBucketPolicy(ctx, { bucket: bucketOf(request) })).headers, 204);
      case 'PutObject': {
        const result = await service.putObject(ctx, {
          bucket: bucketOf(request),
          key: keyOf(request),
          headers,
          body: request.body,
          ...(request.contentLength === undefined ? {} : { contentLength: request.contentLength }),
          trailers: request.trailers,
          signal: request.signal,
        });
        return ok(result.headers);
      }
      case 'GetObject': {
        const overrides = responseOverrides(request);
        const result = await service.getObject(ctx, {
          bucket: bucketOf(request),
          key: keyOf(request),
          headers,
          signal: request.signal,
        });
        return {
          status: result.status,
          headers: { ...result.headers, ...overrides, 'content-length': String(result.contentLength) },
          body: result.body,
        };
      }
      case 'HeadObject': {
        const overrides = responseOverrides(request);
        const result = await service.headObject(ctx, {
          bucket: bucketOf(request),
          key: keyOf(request),
          headers,
          signal: request.signal,
        });
        return {
          status: result.status,
          headers: { ...result.headers, ...overrides, 'content-length': String(result.contentLength) },
        };
      }
      case 'DeleteObject':
        return ok((await service.deleteObject(ctx, { bucket: bucketOf(request), key: keyOf(request) })).headers, 204);
      case 'DeleteObjects': {
        const { keys, quiet } = parseDeleteObjects(await readControlBody(request.body));
        const result = await service.deleteObjects(ctx, { bucket: bucketOf(request), keys });
        return {
          status: 200,
          body: xmlDocument('DeleteResult', {
            Deleted: quiet ? undefined : result.deleted.map((key) => ({ Key: key })),
            Error: result.errors.map((e) => ({ Key: e.key, Code: e.code, Message: e.message })),
          }),
        };
      }
      case 'CopyObject': {
        const result = await service.copyObject(ctx, {
          bucket: bucketOf(request),
          key: keyOf(request),
          source: parseCopySource(headers['x-amz-copy-source'] ?? ''),
          headers,
        });
        const { etag: _etag, ...rest } = result.headers;
        return {
          status: 200,
          headers: rest,
          body: xmlDocument('CopyObjectResult', {
            LastModified: result.lastModified.toISOString(),
            ETag: quoted(result.etag),
          }),
        };
      }
      case 'ListObjects':
      case 'ListObjectsV2':
        return listObjects(service, ctx, request);
      case 'PostObject':
        return handlePostObject(service, ctx, request);
      default: {
        const multipart = await handleMultipart(service, ctx, request);
        if (multipart !== undefined) return multipart;
        const ownership = await handleOwnership(service, ctx, request);
        if (ownership !== undefined) return ownership;
        throw s3Error('NotImplemented', `${request.operation} is not implemented by this gateway.`);
      }
    }
  };
}

async function listObjects(service: S3Service, ctx: RequestContext, request: S3Request): Promise<S3Response> {
  const q = request.target.query;
  const v2 = request.operation === 'ListObjectsV2';
  const encodingType = q.get('encoding-type');
  if (encodingType !== undefined && encodingType !== 'url') {
    throw s3Error('InvalidArgument', 'Invalid Encoding Method specified in Request', {
      fields: { ArgumentName: 'encoding-type', ArgumentValue: encodingType.slice(0, 64) },
    });
  }
  const maxKeys = maxParam(request, 'max-keys');
  if (Number.isNaN(maxKeys))
    throw s3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', {
      fields: { ArgumentName: 'max-keys' },
    });
  const prefix = q.get('prefix');
  const delimiter = q.get('delimiter');
  const marker = v2 ? undefined : q.get('marker');
  const startAfter = v2 ? q.get('start-after') : undefined;
  const token = v2 ? q.get('continuation-token') : undefined;
  const result = await service.listObjects(ctx, {
    bucket: bucketOf(request),
    ...(prefix === undefined ? {} : { prefix }),
    ...(delimiter === undefined || delimiter === '' ? {} : { delimiter }),
    ...(maxKeys === undefined ? {} : { maxKeys }),
    ...(marker === undefined ? {} : { marker }),
    ...(startAfter === undefined ? {} : { startAfter }),
    ...(token === undefined ? {} : { continuationToken: token }),
  });
  const encode = encoderFor(request);
  const common = {
    Name: bucketOf(request),
    Prefix: encode(prefix ?? ''),
  };
  const contents = result.contents.map((item) => contentsXml(item, encode, !v2 || q.get('fetch-owner') === 'true'));
  const prefixes = result.commonPrefixes.map((p) => ({ Prefix: encode(p) }));
  const body = v2
    ? xmlDocument('ListBucketResult', {
        ...common,
        ContinuationToken: token,
        NextContinuationToken: result.isTruncated ? result.nextContinuationToken : undefined,
        StartAfter: encode(startAfter),
        KeyCount: result.keyCount,
        MaxKeys: result.maxKeys,
        Delimiter: encode(delimiter),
        EncodingType: encodingType,
        IsTruncated: result.isTruncated,
        Contents: contents,
        CommonPrefixes: prefixes,
      })
    : xmlDocument('ListBucketResult', {
        ...common,
        Marker: encode(marker ?? ''),
        NextMarker: result.isTruncated && delimiter !== undefined ? encode(result.nextMarker) : undefined,
        MaxKeys: result.maxKeys,
        Delimiter: encode(delimiter),
        EncodingType: encodingType,
        IsTruncated: result.isTruncated,
        Contents: contents,
        CommonPrefixes: prefixes,
      });
  return { status: 200, body };
}
