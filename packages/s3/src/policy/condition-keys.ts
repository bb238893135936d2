import type { EncryptionDecision } from '../rules/resolve-encryption.js';
import {
  AWS_MANAGED_S3_KEY_ALIAS,
  header,
  isKmsAlgorithm,
  isSseAlgorithm,
  SseHeaders,
  type RequestHeaders,
} from '../rules/sse-headers.js';
import { accountOf } from './evaluate-bucket-policy.js';
import type { ConditionKeyValue } from './policy-condition.js';

/** What {@link conditionKeysFor} needs to know about the request besides its encryption. */
export interface ConditionRequest {
  /** Request headers, lower-case names. */
  readonly headers: RequestHeaders;
  /** Whether the request came over TLS (`aws:SecureTransport`). */
  readonly secureTransport: boolean;
  /** The caller's principal ARN; `undefined` when anonymous. */
  readonly principal: string | undefined;
  /** The bucket's region and account, for the ARN of the AWS-managed key. */
  readonly region: string;
  readonly accountId: string;
  /**
   * The full ARN of the account's AWS-managed key (`alias/aws/s3` resolved), when known.
   * Otherwise, when the decision itself used the AWS-managed key, `resolvedKeyArn` is it;
   * failing both, the alias ARN stands in (it never equals a key ARN in a policy).
   */
  readonly awsManagedKeyArn?: string;
  /** The client's IP address (`aws:SourceIp`). */
  readonly sourceIp?: string;
  /** The request time (`aws:CurrentTime`, `aws:EpochTime`); defaults to now. */
  readonly now?: Date;
}

const COPIED_HEADERS: readonly (readonly [string, string])[] = [
  ['s3:x-amz-acl', 'x-amz-acl'],
  ['s3:x-amz-content-sha256', 'x-amz-content-sha256'],
  ['s3:x-amz-copy-source', 'x-amz-copy-source'],
  ['s3:x-amz-metadata-directive', 'x-amz-metadata-directive'],
  ['s3:x-amz-storage-class', 'x-amz-storage-class'],
  ['aws:referer', 'referer'],
  ['aws:useragent', 'user-agent'],
];

/**
 * The condition keys of a request, by lower-case name, for {@link evaluateBucketPolicy}
 * (spec: s3-gateway.md "Bucket policies that require encryption"):
 *
 * - `s3:x-amz-server-side-encryption`: the header's value, only when the request sent it (a
 *   bucket default does not count, as in S3);
 * - `s3:x-amz-server-side-encryption-aws-kms-key-id`: the **full key ARN** (`resolvedKeyArn`)
 *   when the request named a key; when it sent `aws:kms` without one, the AWS-managed key's
 *   ARN is *assumed* (compared by the string and ARN operators, absent for `Null`); absent otherwise;
 * - `aws:SecureTransport`, `aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
 *   `aws:SourceIp`, `aws:CurrentTime`, `aws:EpochTime`, `aws:Referer`, `aws:UserAgent`, and the
 *   S3 header keys `s3:x-amz-acl`, `-content-sha256`, `-copy-source`, `-metadata-directive`,
 *   `-storage-class` when sent.
 *
 * `decision` is `undefined` for operations that encrypt nothing. Never throws.
 */
export function conditionKeysFor(
  decision: EncryptionDecision | undefined,
  resolvedKeyArn: string | undefined,
  request: ConditionRequest,
): Record<string, ConditionKeyValue> {
  const keys: Record<string, ConditionKeyValue> = Object.create(null) as Record<string, ConditionKeyValue>;
  const algorithmHeader = header(request.headers, SseHeaders.algorithm);
  const keyHeader = header(request.headers, SseHeaders.keyId);
  if (algorithmHeader !== undefined) keys['s3:x-amz-server-side-encryption'] = algorithmHeader;
  if (
    decision !== undefined &&
    isKmsAlgorithm(decision.algorithm) &&
    algorithmHeader !== undefined &&
    isSseAlgorithm(algorithmHeader)
  ) {
    if (keyHeader !== undefined) {
      keys['s3:x-amz-server-side-encryption-aws-kms-key-id'] = resolvedKeyArn ?? keyHeader;
    } else {
      const managed =
        request.awsManagedKeyArn ??
        (decision.keyIdSource === 'aws-managed' && resolvedKeyArn !== undefined
          ? resolvedKeyArn
          : `arn:aws:kms:${request.region}:${request.accountId}:${AWS_MANAGED_S3_KEY_ALIAS}`);
      keys['s3:x-amz-server-side-encryption-aws-kms-key-id'] = { assumed: managed };
    }
  }
  keys['aws:securetransport'] = request.secureTransport ? 'true' : 'false';
  if (request.principal === undefined) {
    keys['aws:principaltype'] = 'Anonymous';
  } else {
    keys['aws:principalarn'] = request.principal;
    const account = accountOf(request.principal);
    if (account !== undefined) keys['aws:principalaccount'] = account;
    keys['aws:principaltype'] = request.principal.endsWith(':root')
      ? 'Account'
      : request.principal.includes(':assumed-role/')
        ? 'AssumedRole'
        : 'User';
  }
  if (request.sourceIp !== undefined) keys['aws:sourceip'] = request.sourceIp;
  const now = request.now ?? new Date();
  keys['aws:currenttime'] = now.toISOString();
  keys['aws:epochtime'] = String(Math.floor(now.getTime() / 1000));
  for (const [key, name] of COPIED_HEADERS) {
    const value = header(request.headers, name);
    if (value !== undefined) keys[key] = value;
  }
  return keys;
}
