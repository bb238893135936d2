import { s3Error, type RequestContext, type S3Service } from '@sealflow/s3';
import { xmlDocument } from '../http/xml-response.js';
import { quoted } from './list-xml.js';
import type { S3Request, S3Response } from './s3-exchange.js';

/** Form fields that are the signature itself, not object settings. */
const AUTH_FIELDS = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-signature',
  'x-amz-security-token',
  'policy',
  'signature',
  'awsaccesskeyid',
]);
/** Standard headers a form may set on the object. */
const OBJECT_FIELDS = new Set(['cache-control', 'content-disposition', 'content-encoding', 'expires']);

/**
 * POST Object (browser form upload): the authenticated form's fields become the PutObject
 * request headers (SSE fields included, so the same rules apply), then S3's answer per
 * `success_action_redirect` (303) or `success_action_status` (200, 201 with a
 * `PostResponse` document, default 204).
 * @throws {S3Error} (rejects) what PutObject throws; 400 `InvalidRequest` without a form.
 */
export async function handlePostObject(
  service: S3Service,
  ctx: RequestContext,
  request: S3Request,
): Promise<S3Response> {
  const form = request.form;
  const bucket = request.target.bucket;
  if (form === undefined || bucket === undefined)
    throw s3Error('InvalidRequest', 'POST Object needs a multipart/form-data body.');
  const headers: Record<string, string> = { 'content-type': form.contentType };
  for (const [name, value] of form.fields) {
    if (AUTH_FIELDS.has(name)) continue;
    if (name.startsWith('x-amz-') || OBJECT_FIELDS.has(name)) headers[name] = value;
  }
  const result = await service.putObject(ctx, {
    bucket,
    key: form.key,
    headers,
    body: request.body,
    trailers: Promise.resolve({}),
    signal: request.signal,
  });
  const location = `${request.secure ? 'https' : 'http'}://${request.headers['host'] ?? 'localhost'}/${bucket}/${encodeURIComponent(form.key).replaceAll('%2F', '/')}`;
  const redirect = form.fields.get('success_action_redirect') ?? form.fields.get('redirect');
  if (redirect !== undefined && /^https?:\/\//.test(redirect)) {
    const url = new URL(redirect);
    url.searchParams.set('bucket', bucket);
    url.searchParams.set('key', form.key);
    url.searchParams.set('etag', quoted(result.etag));
    return { status: 303, headers: { ...result.headers, location: url.toString() } };
  }
  const status = form.fields.get('success_action_status');
  if (status === '201') {
    return {
      status: 201,
      headers: { ...result.headers, location },
      body: xmlDocument(
        'PostResponse',
        { Location: location, Bucket: bucket, Key: form.key, ETag: quoted(result.etag) },
        { namespace: false },
      ),
    };
  }
  return { status: status === '200' ? 200 : 204, headers: { ...result.headers, location } };
}
