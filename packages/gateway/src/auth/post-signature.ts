import { createHmac, timingSafeEqual } from 'node:crypto';
import { authError, SIGNATURE_MISMATCH } from './auth-error.js';
import type { CredentialLookup, Identity } from './credentials.js';
import { S3_SERVICE, SIGV4_ALGORITHM, parseAmzDate } from './sigv4-fields.js';
import { SigV4Signer, sameSignature } from './sigv4-signer.js';

/**
 * The signature of a POST Object form: SigV4 (`x-amz-algorithm`, `x-amz-credential`,
 * `x-amz-date`, `x-amz-signature` over the base64 policy, signed with the derived
 * SigV4 key through smithy) or legacy SigV2 (`AWSAccessKeyId`, `signature` = base64
 * HMAC-SHA1 of the base64 policy). A form with none of these is anonymous.
 */

/** Verification settings. */
export interface PostSignatureContext {
  readonly region: string;
  readonly credentials: CredentialLookup;
}

const SIG_FIELDS = [
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-signature',
  'awsaccesskeyid',
  'signature',
];

/**
 * Verifies the form's signature over its policy and returns who signed it.
 * @throws S3Error InvalidArgument (a missing field), AuthorizationQueryParametersError
 * (a malformed credential or region), InvalidAccessKeyId, SignatureDoesNotMatch.
 */
export async function verifyPostSignature(
  fields: ReadonlyMap<string, string>,
  context: PostSignatureContext,
): Promise<Identity> {
  const policy = fields.get('policy');
  if (policy === undefined) {
    const stray = SIG_FIELDS.find((name) => fields.has(name));
    if (stray !== undefined)
      throw authError(
        'InvalidArgument',
        "Bucket POST must contain a field named 'policy'. If it is specified, please check the order of the fields.",
      );
    return { anonymous: true };
  }
  if (fields.has('x-amz-algorithm') || fields.has('x-amz-signature') || fields.has('x-amz-credential')) {
    return verifyV4(policy, fields, context);
  }
  return verifyV2(policy, fields, context);
}

async function verifyV4(
  policy: string,
  fields: ReadonlyMap<string, string>,
  context: PostSignatureContext,
): Promise<Identity> {
  const need = (name: string): string => {
    const value = fields.get(name);
    if (value === undefined)
      throw authError(
        'InvalidArgument',
        `Bucket POST must contain a field named '${name}'. If it is specified, please check the order of the fields.`,
      );
    return value;
  };
  if (need('x-amz-algorithm') !== SIGV4_ALGORITHM)
    throw authError('InvalidArgument', `x-amz-algorithm must be ${SIGV4_ALGORITHM}.`);
  const credential = need('x-amz-credential').split('/');
  const [accessKeyId, date, region, service, terminator] = credential;
  if (
    credential.length !== 5 ||
    !accessKeyId ||
    !date ||
    !region ||
    terminator !== 'aws4_request' ||
    !/^\d{8}$/.test(date)
  ) {
    throw authError(
      'AuthorizationQueryParametersError',
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
  }
  if (service !== S3_SERVICE)
    throw authError(
      'AuthorizationQueryParametersError',
      `Error parsing the X-Amz-Credential parameter; incorrect service '${service}'. This endpoint belongs to '${S3_SERVICE}'.`,
    );
  if (region !== context.region)
    throw authError(
      'AuthorizationQueryParametersError',
      `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${context.region}'`,
    );
  const amzDate = need('x-amz-date');
  const signingDate = parseAmzDate(amzDate);
  if (signingDate === undefined || amzDate.slice(0, 8) !== date)
    throw authError('AuthorizationQueryParametersError', 'X-Amz-Date must be yyyymmddThhmmssZ on the credential date.');
  const signature = need('x-amz-signature');
  const account = context.credentials(accessKeyId);
  if (account === undefined)
    throw authError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  const expected = await new SigV4Signer(
    { accessKeyId, date, region, service },
    account.secret,
    signingDate,
  ).signPolicy(policy);
  if (!/^[0-9a-f]{64}$/.test(signature) || !sameSignature(expected, signature))
    throw authError('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  return {
    anonymous: false,
    accessKeyId,
    principal: account.principal,
    accountId: account.accountId,
    displayName: account.displayName,
    via: 'post-policy',
    signatureVersion: 'v4',
  };
}

function verifyV2(policy: string, fields: ReadonlyMap<string, string>, context: PostSignatureContext): Identity {
  const accessKeyId = fields.get('awsaccesskeyid');
  const signature = fields.get('signature');
  if (accessKeyId === undefined)
    throw authError(
      'InvalidArgument',
      "Bucket POST must contain a field named 'AWSAccessKeyId'. If it is specified, please check the order of the fields.",
    );
  if (signature === undefined)
    throw authError(
      'InvalidArgument',
      "Bucket POST must contain a field named 'Signature'. If it is specified, please check the order of the fields.",
    );
  const account = context.credentials(accessKeyId);
  if (account === undefined)
    throw authError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  // spec: SigV2 POST: Signature = Base64(HMAC-SHA1(secret, UTF-8(base64 policy))).
  const expected = createHmac('sha1', account.secret).update(policy, 'utf8').digest();
  const received = Buffer.from(signature, 'base64');
  if (received.length !== expected.length || !timingSafeEqual(received, expected))
    throw authError('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  return {
    anonymous: false,
    accessKeyId,
    principal: account.principal,
    accountId: account.accountId,
    displayName: account.displayName,
    via: 'post-policy',
    signatureVersion: 'v2',
  };
}
