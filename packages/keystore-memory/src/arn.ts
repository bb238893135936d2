/**
 * KMS identifiers and IAM principal ARNs: pure string parsing, no state.
 *
 * A key is named by key ID (`1234abcd-...`), key ARN
 * (`arn:<partition>:kms:<region>:<account>:key/<id>`), alias name (`alias/x`) or alias ARN
 * (`arn:<partition>:kms:<region>:<account>:alias/x`). Callers are principal ARNs:
 * `arn:<partition>:iam::<account>:root`, `...:user/<path/name>`, `...:role/<path/name>`,
 * or `arn:<partition>:sts::<account>:assumed-role/<role>/<session>`.
 */
import { parseKmsArn } from '@sealflow/core';

export type KeyIdentifier =
  | { readonly kind: 'key-id'; readonly keyId: string }
  | {
      readonly kind: 'key-arn';
      readonly partition: string;
      readonly region: string;
      readonly accountId: string;
      readonly keyId: string;
    }
  | { readonly kind: 'alias-name'; readonly aliasName: string }
  | {
      readonly kind: 'alias-arn';
      readonly partition: string;
      readonly region: string;
      readonly accountId: string;
      readonly aliasName: string;
    };

/** The caller of a `MemoryKms` operation. */
export interface Principal {
  readonly arn: string;
  readonly partition: string;
  readonly accountId: string;
  /** CloudTrail `userIdentity.type`. */
  readonly type: 'Root' | 'IAMUser' | 'AssumedRole';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** spec: KMS CreateAlias `AliasName` pattern, 1-256 characters in all. */
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const PRINCIPAL_ARN =
  /^arn:([a-z0-9-]+):(iam|sts)::(\d{12}):(root|user\/[\w+=,.@/-]{1,512}|role\/[\w+=,.@/-]{1,512}|assumed-role\/[\w+=,.@-]{1,64}\/[\w+=,.@-]{1,64})$/;

/** Prefix of the aliases AWS reserves for AWS-managed keys. */
export const AWS_ALIAS_PREFIX = 'alias/aws/';
/** The alias of the AWS-managed key S3 uses when no key is named. */
export const S3_MANAGED_ALIAS = 'alias/aws/s3';

/** Whether `value` looks like a key ID this KMS issues (a lowercase UUID). */
export function isKeyId(value: string): boolean {
  return UUID.test(value);
}

/** Whether `value` is a well-formed alias name (`alias/` + letters, digits, `/_-`). */
export function isAliasName(value: string): boolean {
  return ALIAS_NAME.test(value);
}

/**
 * Classifies a key identifier. `'invalid-arn'` for a string that starts `arn:` but is not
 * a KMS key or alias ARN, `undefined` for anything else unrecognised.
 */
export function parseKeyIdentifier(value: string): KeyIdentifier | 'invalid-arn' | undefined {
  if (value.startsWith('arn:')) {
    const arn = parseKmsArn(value);
    if (arn === undefined) return 'invalid-arn';
    const { partition, region, accountId, resourceType: type, resource: rest } = arn;
    if (type === 'key')
      return UUID.test(rest) ? { kind: 'key-arn', partition, region, accountId, keyId: rest } : 'invalid-arn';
    const aliasName = `alias/${rest}`;
    return ALIAS_NAME.test(aliasName) ? { kind: 'alias-arn', partition, region, accountId, aliasName } : 'invalid-arn';
  }
  if (UUID.test(value)) return { kind: 'key-id', keyId: value };
  if (ALIAS_NAME.test(value)) return { kind: 'alias-name', aliasName: value };
  return undefined;
}

/** Parses a principal ARN; `undefined` when it is not one this KMS understands. */
export function parsePrincipal(arn: string): Principal | undefined {
  const match = PRINCIPAL_ARN.exec(arn);
  if (match === null) return undefined;
  const [, partition, , accountId, resource] = match as unknown as [string, string, string, string, string];
  const type = resource === 'root' ? 'Root' : resource.startsWith('user/') ? 'IAMUser' : 'AssumedRole';
  return { arn, partition, accountId, type };
}

/** The account root principal ARN. */
export function rootPrincipal(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

export function formatKeyArn(partition: string, region: string, accountId: string, keyId: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:key/${keyId}`;
}

export function formatAliasArn(partition: string, region: string, accountId: string, aliasName: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:${aliasName}`;
}
