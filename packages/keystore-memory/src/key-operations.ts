import { randomUUID } from 'node:crypto';
import { formatKeyArn } from './arn.js';
import {
  DisabledException,
  KMSInvalidStateException,
  LimitExceededException,
  MalformedPolicyDocumentException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from './exceptions.js';
import { DAY_MS, DEFAULT_ROTATION_DAYS, keyMetadata, MAX_ON_DEMAND_ROTATIONS, type KeyRecord } from './key-registry.js';
import type { OperationContext } from './kms-state.js';
import { paginate } from './pagination.js';
import { compileKeyPolicy, defaultKeyPolicy, MAX_POLICY_LENGTH, type KeyPolicy } from './policy-document.js';
import { evaluateKeyPolicy } from './policy-evaluator.js';
import { RequestReader } from './request-reader.js';
import type {
  CreateKeyResponse,
  DescribeKeyResponse,
  GetKeyPolicyResponse,
  GetKeyRotationStatusResponse,
  KeyIdResponse,
  ListKeysResponse,
  ScheduleKeyDeletionResponse,
  Tag,
} from './types.js';

/**
 * Key lifecycle, rotation and policy operations. IAM-only permissions are not modelled:
 * any principal may CreateKey in its own account. Everything on an existing key is
 * authorized by that key's policy (`kms:<Operation>`).
 */

type Result<T> = Omit<T, '$metadata'>;

/** Reads `KeyId` (key ID or key ARN; management operations take no aliases), resolves and authorizes it. */
function target(ctx: OperationContext, request: RequestReader, action: string, allowAlias = false): KeyRecord {
  const keyId = request.string('KeyId', { required: true });
  ctx.draft.parameters({ keyId });
  const record = ctx.state.resolve(keyId, ctx.caller, { allowAlias, field: 'KeyId' }, ctx.draft);
  ctx.state.authorize(record, ctx.caller, action);
  return record;
}

function refusePendingDeletion(record: KeyRecord): void {
  if (record.state === 'PendingDeletion') throw new KMSInvalidStateException(`${record.arn} is pending deletion.`);
}

/** The policy lockout check: the new policy must still let the caller change it. */
function assertNoLockout(ctx: OperationContext, policy: KeyPolicy, keyArn: string, bypass: boolean | undefined): void {
  if (bypass === true) return;
  const decision = evaluateKeyPolicy(policy, { principal: ctx.caller, action: 'kms:PutKeyPolicy', keyArn });
  if (decision !== 'allow') {
    throw new MalformedPolicyDocumentException(
      `the new key policy will not allow ${ctx.caller.arn} to update the key policy in the future (set BypassPolicyLockoutSafetyCheck to proceed)`,
    );
  }
}

function readPolicy(request: RequestReader, required: boolean): KeyPolicy | undefined {
  const text = required
    ? request.string('Policy', { required: true, max: MAX_POLICY_LENGTH })
    : request.string('Policy', { max: MAX_POLICY_LENGTH });
  return text === undefined ? undefined : compileKeyPolicy(text);
}

function readTags(request: RequestReader): Tag[] {
  const value = request.raw('Tags');
  if (value === undefined) return [];
  const valid =
    Array.isArray(value) &&
    value.length <= 50 &&
    value.every((t: unknown) => {
      const tag = t as Record<string, unknown> | null;
      return (
        tag !== null &&
        typeof tag === 'object' &&
        typeof tag['TagKey'] === 'string' &&
        tag['TagKey'].length >= 1 &&
        tag['TagKey'].length <= 128 &&
        typeof tag['TagValue'] === 'string' &&
        tag['TagValue'].length <= 256
      );
    });
  if (!valid)
    throw new ValidationException(
      'CreateKey: Tags: expected at most 50 { TagKey (1-128 characters), TagValue (0-256) }',
    );
  return (value as Tag[]).map((t) => ({ TagKey: t.TagKey, TagValue: t.TagValue }));
}

function unsupportedUnless(request: RequestReader, field: string, allowed: string): void {
  const value = request.string(field, { max: 64 });
  if (value !== undefined && value !== allowed) {
    throw new UnsupportedOperationException(
      `CreateKey: ${field} ${value} is not supported: MemoryKms holds symmetric AES-256 encryption keys only (${allowed})`,
    );
  }
}

/** CreateKey: a symmetric AES-256 key in the caller's account; anything else is refused. */
export function createKey(ctx: OperationContext, input: unknown): Result<CreateKeyResponse> {
  const request = new RequestReader('CreateKey', input, [
    'Policy',
    'Description',
    'KeyUsage',
    'CustomerMasterKeySpec',
    'KeySpec',
    'Origin',
    'CustomKeyStoreId',
    'BypassPolicyLockoutSafetyCheck',
    'Tags',
    'MultiRegion',
    'XksKeyId',
  ]);
  const description = request.string('Description', { min: 0, max: 8192 }) ?? '';
  ctx.draft.parameters({ keySpec: request.string('KeySpec', { max: 64 }) ?? 'SYMMETRIC_DEFAULT', description });
  unsupportedUnless(request, 'KeySpec', 'SYMMETRIC_DEFAULT');
  unsupportedUnless(request, 'CustomerMasterKeySpec', 'SYMMETRIC_DEFAULT');
  unsupportedUnless(request, 'KeyUsage', 'ENCRYPT_DECRYPT');
  unsupportedUnless(request, 'Origin', 'AWS_KMS');
  if (request.has('CustomKeyStoreId') || request.has('XksKeyId')) {
    throw new UnsupportedOperationException('CreateKey: custom key stores are not supported by MemoryKms');
  }
  if (request.boolean('MultiRegion') === true)
    throw new UnsupportedOperationException('CreateKey: multi-Region keys are not supported by MemoryKms');
  const bypass = request.boolean('BypassPolicyLockoutSafetyCheck');
  const tags = readTags(request);
  const { partition, region } = ctx.state.config;
  const keyId = randomUUID();
  const policy = readPolicy(request, false);
  if (policy !== undefined)
    assertNoLockout(ctx, policy, formatKeyArn(partition, region, ctx.caller.accountId, keyId), bypass);
  const record = ctx.state.registry.create({
    keyId,
    accountId: ctx.caller.accountId,
    manager: 'CUSTOMER',
    description,
    policy: policy ?? compileKeyPolicy(defaultKeyPolicy(partition, ctx.caller.accountId)),
    tags,
  });
  ctx.draft.resource(record);
  return { KeyMetadata: keyMetadata(record) };
}

/** DescribeKey: metadata of any key the caller may describe, in any state; aliases accepted. */
export function describeKey(ctx: OperationContext, input: unknown): Result<DescribeKeyResponse> {
  const request = new RequestReader('DescribeKey', input, ['KeyId', 'GrantTokens']);
  request.grantTokens();
  return { KeyMetadata: keyMetadata(target(ctx, request, 'kms:DescribeKey', true)) };
}

/** EnableKey: a disabled key becomes usable again; pending deletion must be cancelled first. */
export function enableKey(ctx: OperationContext, input: unknown): Result<Record<never, never>> {
  return setEnabled(ctx, input, 'EnableKey', 'Enabled');
}

/** DisableKey: every cryptographic operation then fails with DisabledException. */
export function disableKey(ctx: OperationContext, input: unknown): Result<Record<never, never>> {
  return setEnabled(ctx, input, 'DisableKey', 'Disabled');
}

/** EnableKey and DisableKey: authorize, refuse a key pending deletion, save only on a change. */
function setEnabled(
  ctx: OperationContext,
  input: unknown,
  operation: 'EnableKey' | 'DisableKey',
  state: 'Enabled' | 'Disabled',
): Result<Record<never, never>> {
  const record = target(ctx, new RequestReader(operation, input, ['KeyId']), `kms:${operation}`);
  refusePendingDeletion(record);
  if (record.state !== state) {
    record.state = state;
    ctx.state.changed();
  }
  return {};
}

/** ScheduleKeyDeletion: 7-30 days (default 30) against the clock; then the key and its aliases are gone. */
export function scheduleKeyDeletion(ctx: OperationContext, input: unknown): Result<ScheduleKeyDeletionResponse> {
  const request = new RequestReader('ScheduleKeyDeletion', input, ['KeyId', 'PendingWindowInDays']);
  const days = request.integer('PendingWindowInDays', 7, 30) ?? 30;
  ctx.draft.parameters({ pendingWindowInDays: days });
  const record = target(ctx, request, 'kms:ScheduleKeyDeletion');
  refusePendingDeletion(record);
  record.state = 'PendingDeletion';
  record.pendingWindowDays = days;
  record.deletionDate = ctx.state.config.now() + days * DAY_MS;
  ctx.state.changed();
  return {
    KeyId: record.arn,
    DeletionDate: new Date(record.deletionDate),
    KeyState: 'PendingDeletion',
    PendingWindowInDays: days,
  };
}

/** CancelKeyDeletion: the key comes back disabled, as in AWS KMS. */
export function cancelKeyDeletion(ctx: OperationContext, input: unknown): Result<KeyIdResponse> {
  const record = target(ctx, new RequestReader('CancelKeyDeletion', input, ['KeyId']), 'kms:CancelKeyDeletion');
  if (record.state !== 'PendingDeletion') throw new KMSInvalidStateException(`${record.arn} is not pending deletion.`);
  record.state = 'Disabled';
  record.deletionDate = undefined;
  record.pendingWindowDays = undefined;
  ctx.state.changed();
  return { KeyId: record.arn };
}

function assertRotatable(record: KeyRecord): void {
  if (record.state === 'Disabled') throw new DisabledException(`${record.arn} is disabled.`);
  refusePendingDeletion(record);
}

/** RotateKeyOnDemand: new material for new data now; earlier ciphertexts keep decrypting. */
export function rotateKeyOnDemand(ctx: OperationContext, input: unknown): Result<KeyIdResponse> {
  const record = target(ctx, new RequestReader('RotateKeyOnDemand', input, ['KeyId']), 'kms:RotateKeyOnDemand');
  assertRotatable(record);
  if (record.rotation.onDemandCount >= MAX_ON_DEMAND_ROTATIONS) {
    throw new LimitExceededException(`${record.arn} has had its ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations`);
  }
  const now = ctx.state.config.now();
  ctx.state.registry.rotate(record, now);
  record.rotation.onDemandCount += 1;
  record.rotation.lastOnDemandAt = now;
  return { KeyId: record.arn };
}

/** EnableKeyRotation: automatic rotation every 90-2560 days (default 365), applied lazily on use. */
export function enableKeyRotation(ctx: OperationContext, input: unknown): Result<Record<never, never>> {
  const request = new RequestReader('EnableKeyRotation', input, ['KeyId', 'RotationPeriodInDays']);
  const days = request.integer('RotationPeriodInDays', 90, 2560) ?? DEFAULT_ROTATION_DAYS;
  ctx.draft.parameters({ rotationPeriodInDays: days });
  const record = target(ctx, request, 'kms:EnableKeyRotation');
  assertRotatable(record);
  record.rotation.enabled = true;
  record.rotation.periodDays = days;
  record.rotation.nextRotationAt = ctx.state.config.now() + days * DAY_MS;
  ctx.state.changed();
  return {};
}

export function disableKeyRotation(ctx: OperationContext, input: unknown): Result<Record<never, never>> {
  const record = target(ctx, new RequestReader('DisableKeyRotation', input, ['KeyId']), 'kms:DisableKeyRotation');
  assertRotatable(record);
  record.rotation.enabled = false;
  record.rotation.nextRotationAt = undefined;
  ctx.state.changed();
  return {};
}

export function getKeyRotationStatus(ctx: OperationContext, input: unknown): Result<GetKeyRotationStatusResponse> {
  const record = target(ctx, new RequestReader('GetKeyRotationStatus', input, ['KeyId']), 'kms:GetKeyRotationStatus');
  const { rotation } = record;
  return {
    KeyId: record.arn,
    KeyRotationEnabled: rotation.enabled,
    ...(rotation.enabled ? { RotationPeriodInDays: rotation.periodDays } : {}),
    ...(rotation.nextRotationAt === undefined ? {} : { NextRotationDate: new Date(rotation.nextRotationAt) }),
    ...(rotation.lastOnDemandAt === undefined ? {} : { OnDemandRotationStartDate: new Date(rotation.lastOnDemandAt) }),
  };
}

function readPolicyName(request: RequestReader): void {
  const name = request.string('PolicyName', { max: 128 });
  if (name !== undefined && name !== 'default')
    throw new NotFoundException(`No such policy exists: PolicyName ${name} (the only key policy is "default")`);
}

/** PutKeyPolicy: replaces the policy (checked, and refused if it would lock the caller out). */
export function putKeyPolicy(ctx: OperationContext, input: unknown): Result<Record<never, never>> {
  const request = new RequestReader('PutKeyPolicy', input, [
    'KeyId',
    'Policy',
    'PolicyName',
    'BypassPolicyLockoutSafetyCheck',
  ]);
  readPolicyName(request);
  ctx.draft.parameters({ policyName: 'default' });
  const record = target(ctx, request, 'kms:PutKeyPolicy');
  refusePendingDeletion(record);
  const policy = readPolicy(request, true) as KeyPolicy;
  assertNoLockout(ctx, policy, record.arn, request.boolean('BypassPolicyLockoutSafetyCheck'));
  record.policy = policy;
  ctx.state.changed();
  return {};
}

export function getKeyPolicy(ctx: OperationContext, input: unknown): Result<GetKeyPolicyResponse> {
  const request = new RequestReader('GetKeyPolicy', input, ['KeyId', 'PolicyName']);
  readPolicyName(request);
  const record = target(ctx, request, 'kms:GetKeyPolicy');
  return { Policy: record.policy.text, PolicyName: 'default' };
}

/** ListKeys: the caller's account's keys (AWS-managed ones included), oldest first. */
export function listKeys(ctx: OperationContext, input: unknown): Result<ListKeysResponse> {
  const request = new RequestReader('ListKeys', input, ['Limit', 'Marker']);
  const page = paginate(request, ctx.state.registry.list(ctx.caller.accountId), (k) => k.keyId);
  return {
    Keys: page.items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
    Truncated: page.truncated,
    ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }),
  };
}
