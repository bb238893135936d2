import type { Readable } from 'node:stream';
import { ErrorCodes, InvalidArgumentError } from '@sealflow/core';
import { authError } from './auth-error.js';
import { checkAuthArguments } from './auth-options.js';
import type { CredentialLookup, Identity } from './credentials.js';
import { parsePostForm, type ParsedForm } from './post-form.js';
import { checkPostPolicy, parsePostPolicy, type PolicyOutcome } from './post-policy.js';
import { verifyPostSignature } from './post-signature.js';

/** A POST Object request (browser form upload) as the HTTP layer received it. */
export interface PostObjectRequest {
  /** The bucket addressed (path-style or virtual-host-style, resolved by the router). */
  readonly bucket: string;
  /** `IncomingMessage.headers`: lower-case names (`content-type` carries the boundary). */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly secure: boolean;
}

/** Settings of `authenticatePostObject`. */
export interface PostObjectOptions {
  readonly region: string;
  /** The clock, in milliseconds since the epoch (default `Date.now`): for the policy's expiration. */
  readonly now?: () => number;
}

/** An authenticated POST Object form. */
export interface PostObjectAuth {
  readonly identity: Identity;
  /** The object key, with `${filename}` replaced by the file's name. */
  readonly key: string;
  /**
   * Every form field before the file, lower-case names (`acl`, `content-type`,
   * `x-amz-server-side-encryption`, `x-amz-meta-*`, `success_action_status`...),
   * with `key` substituted as above.
   */
  readonly fields: ReadonlyMap<string, string>;
  readonly filename: string;
  /** The `Content-Type` field, else the file part's own type. */
  readonly contentType: string;
  /**
   * The file's bytes. It completes only after the whole form parsed and the size
   * satisfied the policy's content-length-range (EntityTooLarge is thrown as soon
   * as the size passes the maximum); commit only on completion.
   */
  readonly body: AsyncIterable<Uint8Array>;
}

/**
 * Authenticates a POST Object form upload: parses the multipart/form-data body
 * (bounded, busboy) up to its file part, verifies the SigV4 or SigV2 signature over
 * the policy, and checks the policy (expiration, eq / starts-with /
 * content-length-range conditions, `$bucket`, `$key`, every field named). A form
 * with no policy and no signature is anonymous: bucket policies decide.
 *
 * @throws InvalidArgumentError (rejects) when an argument is not of the documented shape.
 * @throws S3Error (rejects) MalformedPOSTRequest, InvalidArgument, MaxMessageLengthExceeded,
 * InvalidPolicyDocument, AccessDenied (policy expired or a condition failed),
 * InvalidAccessKeyId, AuthorizationQueryParametersError, SignatureDoesNotMatch; the body
 * throws EntityTooLarge, EntityTooSmall, MalformedPOSTRequest.
 */
export async function authenticatePostObject(
  request: PostObjectRequest,
  body: AsyncIterable<Uint8Array>,
  credentials: CredentialLookup,
  options: PostObjectOptions,
): Promise<PostObjectAuth> {
  const checked = checkAuthArguments('authenticatePostObject', request, body, credentials, options);
  if (typeof request.bucket !== 'string' || request.bucket === '')
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      'authenticatePostObject: request.bucket must be a non-empty string',
    );
  const contentType = request.headers['content-type'];
  const form = await parsePostForm(typeof contentType === 'string' ? contentType : undefined, body);
  try {
    const rawKey = form.fields.get('key');
    if (rawKey === undefined)
      throw authError(
        'InvalidArgument',
        "Bucket POST must contain a field named 'key'. If it is specified, please check the order of the fields.",
      );
    const key = rawKey.replaceAll('${filename}', form.filename);
    const fields = new Map(form.fields);
    fields.set('key', key);
    const identity = await verifyPostSignature(fields, { region: checked.region, credentials });
    const policyField = fields.get('policy');
    let outcome: PolicyOutcome = { contentLength: undefined };
    if (policyField !== undefined) {
      outcome = checkPostPolicy(parsePostPolicy(policyField), fields, request.bucket, checked.now());
    }
    return {
      identity,
      key,
      fields,
      filename: form.filename,
      contentType: fields.get('content-type') ?? form.fileContentType,
      body: sizedFile(form, outcome.contentLength),
    };
  } catch (e) {
    form.abort(e instanceof Error ? e : new Error(String(e)));
    throw e;
  }
}

async function* sizedFile(
  form: ParsedForm,
  range: PolicyOutcome['contentLength'],
): AsyncGenerator<Uint8Array, void, undefined> {
  let size = 0;
  let complete = false;
  try {
    try {
      for await (const piece of form.file as Readable & AsyncIterable<Uint8Array>) {
        size += piece.length;
        if (range !== undefined && size > range.max) {
          throw authError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
        }
        yield piece;
      }
      await form.done;
    } catch (e) {
      // busboy's own errors (a truncated part) become S3's answer for a broken form.
      if (typeof (e as { s3Code?: unknown }).s3Code === 'string') throw e;
      throw authError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.');
    }
    if (range !== undefined && size < range.min)
      throw authError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size');
    complete = true;
  } finally {
    if (!complete) form.abort(authError('IncompleteBody', 'The POST body was not read to its end.'));
  }
}
