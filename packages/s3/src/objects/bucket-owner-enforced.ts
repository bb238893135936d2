import { s3Error } from '../errors/s3-error.js';
import { header, type RequestHeaders } from '../rules/sse-headers.js';
import { asNode, optionalChild, optionalText, parseXmlDocument, requiredElement } from '../xml/xml-document.js';
import type { RequestContext } from './request-context.js';
import type { ServiceCore } from './service-core.js';

/**
 * Every bucket behaves as S3's Object Ownership "bucket owner enforced" (the default for
 * new buckets since April 2023): ACLs are disabled, reads of an ACL answer the bucket
 * owner's FULL_CONTROL, and a write that sets an ACL other than the owner's full control is
 * refused with 400 AccessControlListNotSupported. Buckets are never versioned.
 */

/** Canned ACLs that give the bucket owner full control and nobody else anything. */
const OWNER_ONLY_CANNED = ['private', 'bucket-owner-full-control'];

/** Largest AccessControlPolicy document read (S3's ACLs hold at most 100 grants). */
const MAX_ACL_XML_BYTES = 64 * 1024;

const GRANT_HEADERS = [
  'x-amz-grant-full-control',
  'x-amz-grant-read',
  'x-amz-grant-read-acp',
  'x-amz-grant-write',
  'x-amz-grant-write-acp',
];

function notSupported(): Error {
  return s3Error('AccessControlListNotSupported', 'The bucket does not allow ACLs');
}

/**
 * Refuses a write's ACL headers unless they leave the owner sole holder: `x-amz-acl`
 * `private` / `bucket-owner-full-control` or none, and no `x-amz-grant-*`.
 * @throws {S3Error} AccessControlListNotSupported
 */
export function assertOwnerOnlyAclHeaders(headers: RequestHeaders): void {
  const canned = header(headers, 'x-amz-acl');
  if (canned !== undefined && !OWNER_ONLY_CANNED.includes(canned.trim())) throw notSupported();
  if (GRANT_HEADERS.some((name) => header(headers, name) !== undefined)) throw notSupported();
}

/**
 * Checks a PutBucketAcl / PutObjectAcl request: its headers as for any write, and an
 * `AccessControlPolicy` body, when sent, must grant FULL_CONTROL to the owner and nothing
 * else. @throws {S3Error} AccessControlListNotSupported, MalformedACLError (as MalformedXML)
 */
export function assertOwnerOnlyAcl(headers: RequestHeaders, body: Uint8Array, owner: string): void {
  assertOwnerOnlyAclHeaders(headers);
  if (body.length === 0) return;
  const root = parseXmlDocument(body, 'AccessControlPolicy', MAX_ACL_XML_BYTES);
  const list = optionalChild(root, 'AccessControlList');
  const grants = list === undefined ? [] : (asNode(list)['Grant'] ?? []);
  const grant = grants.length === 1 ? asNode(grants[0]) : undefined;
  const ownerOnly =
    grant !== undefined &&
    optionalText(grant, 'Permission') === 'FULL_CONTROL' &&
    optionalText(requiredElement(grant, 'Grantee'), 'ID') === owner;
  if (!ownerOnly) throw notSupported();
}

/** The owner of a bucket, after the caller is authorized for `action` on it (and on `key`, which must exist). */
export async function aclOwner(
  core: ServiceCore,
  ctx: RequestContext,
  input: { readonly bucket: string; readonly key?: string },
  action: string,
): Promise<string> {
  const bucket = await core.bucket(input.bucket);
  if (input.key !== undefined) core.assertKey(input.key);
  await core.authorize(ctx, bucket, action, input.key);
  if (input.key !== undefined && (await core.record(input.bucket, input.key)) === undefined)
    throw s3Error('NoSuchKey', 'The specified key does not exist.', { resource: `/${input.bucket}/${input.key}` });
  return bucket.owner;
}
