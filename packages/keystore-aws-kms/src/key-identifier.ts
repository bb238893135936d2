import { parseKmsArn, type EncryptedDataKey } from '@sealflow/core';

import { assertString, invalidArgument } from '@sealflow/core/validate';

/**
 * The four ways to name a KMS key (spec: s3-sse-kms.md "Keys and identifiers"):
 *   key ID     1234abcd-12ab-34cd-56ef-1234567890ab   (or mrk-<32 hex> for multi-Region keys)
 *   key ARN    arn:aws:kms:us-east-2:111122223333:key/1234abcd-...
 *   alias name alias/ExampleAlias
 *   alias ARN  arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias
 * An alias (name or ARN) resolves in the requester's account, so data may end up under a
 * key the bucket owner never chose; strict mode accepts key ARNs only.
 */
export type KeyIdentifierKind = 'key-id' | 'key-arn' | 'alias-name' | 'alias-arn';

export interface KeyIdentifier {
  readonly kind: KeyIdentifierKind;
  readonly value: string;
  /** Present for ARNs only: an ID or alias name carries no region. */
  readonly region?: string;
  readonly partition?: string;
  readonly accountId?: string;
}

const KEY_ID = /^(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
// KMS alias names: `alias/` then 1-250 of [a-zA-Z0-9/_-] (the KMS CreateAlias rule).
const ALIAS_NAME = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
// AWS partitions and region names (REGION, below), checked on top of the shared KMS ARN grammar.
const PARTITION = /^aws[a-z-]*$/;

/**
 * Classifies a KMS key identifier; `undefined` when it is none of the four forms.
 */
export function parseKeyIdentifier(value: string): KeyIdentifier | undefined {
  if (KEY_ID.test(value)) return { kind: 'key-id', value };
  if (ALIAS_NAME.test(value)) return { kind: 'alias-name', value };
  const arn = parseKmsArn(value);
  if (arn === undefined || !PARTITION.test(arn.partition) || !REGION.test(arn.region)) return undefined;
  const { partition, region, accountId, resourceType: type, resource } = arn;
  if (type === 'key' ? !KEY_ID.test(resource) : !ALIAS_NAME.test(`alias/${resource}`)) return undefined;
  return { kind: type === 'key' ? 'key-arn' : 'alias-arn', value, partition, region, accountId };
}

/**
 * Checks one configured identifier: well formed, a key ARN in strict mode, and in the
 * client's region when it is an ARN (a KMS client only reaches keys in its own region, so
 * a mismatch is a configuration error, reported before any call).
 * @throws {InvalidArgumentError} naming `label`.
 */
export function assertKeyIdentifier(
  value: string,
  label: string,
  strict: boolean,
  region: string | undefined,
): KeyIdentifier {
  const parsed = parseKeyIdentifier(value);
  if (parsed === undefined) {
    throw invalidArgument(
      `${label}: expected a KMS key ID, key ARN, alias name (alias/...) or alias ARN, got "${printable(value)}"`,
    );
  }
  if (strict && parsed.kind !== 'key-arn') {
    throw invalidArgument(
      `${label}: strict mode accepts only a full key ARN (arn:<partition>:kms:<region>:<account>:key/<id>); got a ${parsed.kind.replace('-', ' ')}, which resolves in the requester's account`,
    );
  }
  assertRegion(parsed, label, region);
  return parsed;
}

/** @throws {InvalidArgumentError} when `identifier` is an ARN in a region other than `region`. */
export function assertRegion(identifier: KeyIdentifier, label: string, region: string | undefined): void {
  if (region !== undefined && identifier.region !== undefined && identifier.region !== region) {
    throw invalidArgument(`${label}: the key is in region ${identifier.region} but the KMS client is in ${region}`);
  }
}

/** Identifiers are not secret, but cap what goes into a message and strip control characters. */
function printable(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** @throws {InvalidArgumentError} unless `value` looks like an AWS region (us-east-1, us-gov-west-1, ...). */
export function assertRegionName(value: unknown, label: string): string {
  const region = assertString(value, label);
  if (!REGION.test(region))
    throw invalidArgument(`${label}: expected an AWS region such as us-east-1, got "${region.slice(0, 64)}"`);
  return region;
}

/** The key ARN (or whatever text) in an `aws-kms` EDK's provider info. */
export function edkArn(edk: EncryptedDataKey): string | undefined {
  if (edk.providerId !== 'aws-kms') return undefined;
  try {
    return decoder.decode(edk.providerInfo);
  } catch {
    return undefined;
  }
}

/** The region of the key ARN in an `aws-kms` EDK's provider info, if it is one. */
export function edkRegion(edk: EncryptedDataKey): string | undefined {
  const arn = edkArn(edk);
  return arn === undefined ? undefined : parseKeyIdentifier(arn)?.region;
}
