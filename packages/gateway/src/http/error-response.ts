import { isS3Error, mapKeyStoreError, type S3Error } from '@sealflow/s3';
import type { RequestIds } from './request-id.js';
import { xmlDocument } from './xml-response.js';

/** What an S3 error document needs: the shape `S3Error` (and the auth layer's errors) share. */
export interface S3ErrorShape {
  readonly code: string;
  readonly s3Code: string;
  readonly status: number;
  readonly message: string;
  readonly resource?: string | undefined;
  readonly extra?: Readonly<Record<string, string>>;
  readonly fields?: Readonly<Record<string, string>>;
}

/** Whether `value` carries an S3 error's shape (an `S3Error`, or an auth-layer error). */
export function isS3ErrorShape(value: unknown): value is S3ErrorShape {
  if (isS3Error(value)) return true;
  const v = value as Partial<S3ErrorShape> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.code === 'ERR_S3' &&
    typeof v.s3Code === 'string' &&
    typeof v.status === 'number'
  );
}

/**
 * The S3 error to answer for any failure: S3 errors as they are; key-store failures as S3
 * maps them (`KMS.NotFoundException`, `AccessDenied`, `ServiceUnavailable`...); anything
 * else 500 `InternalError` with a generic message (the cause never reaches the client).
 */
export function toS3ErrorShape(error: unknown): S3ErrorShape {
  if (isS3ErrorShape(error)) return error;
  // mapKeyStoreError answers InternalError for anything that is not a key-store failure.
  const mapped: S3Error = mapKeyStoreError(error);
  return mapped;
}

/** The response for an S3 error: status, headers and the `<Error>` document. */
export function errorResponse(
  error: S3ErrorShape,
  ids: RequestIds,
  resource: string | undefined,
): { status: number; headers: Record<string, string>; body: string } {
  // 304 Not Modified: the validators, no body and no entity headers (RFC 7232 §4.1).
  if (error.status === 304) return { status: 304, headers: { ...error.extra }, body: '' };
  const fields = error.fields ?? {};
  const body = xmlDocument(
    'Error',
    {
      Code: error.s3Code,
      Message: error.message,
      ...fields,
      Resource: error.resource ?? resource,
      RequestId: ids.requestId,
      HostId: ids.hostId,
    },
    { namespace: false },
  );
  return {
    status: error.status,
    headers: { ...error.extra, 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) },
    body,
  };
}
