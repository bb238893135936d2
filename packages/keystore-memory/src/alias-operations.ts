import { AWS_ALIAS_PREFIX, isAliasName } from './arn.js';
import { aliasEntry, type AliasRecord } from './aliases.js';
import {
  AlreadyExistsException,
  KMSInvalidStateException,
  NotAuthorizedException,
  NotFoundException,
  ValidationException,
} from './exceptions.js';
import type { KeyRecord } from './key-registry.js';
import type { OperationContext } from './kms-state.js';
import { paginate } from './pagination.js';
import { RequestReader } from './request-reader.js';
import type { ListAliasesResponse } from './types.js';

/**
 * Alias operations. An alias lives in the caller's account and must point at a key of
 * that account; `alias/aws/` names are reserved for AWS-managed keys. Creating, moving
 * or deleting an alias needs `kms:CreateAlias` / `kms:UpdateAlias` / `kms:DeleteAlias`
 * in the policy of every key involved.
 */

type Result<T> = Omit<T, '$metadata'>;

function readAliasName(ctx: OperationContext, request: RequestReader): string {
  const aliasName = request.string('AliasName', { required: true, max: 256 });
  ctx.draft.parameters({ aliasName });
  if (!isAliasName(aliasName)) {
    throw new ValidationException(
      `AliasName: expected "alias/" followed by letters, digits, "/", "_" or "-", got "${aliasName}"`,
    );
  }
  if (aliasName.startsWith(AWS_ALIAS_PREFIX)) {
    throw new NotAuthorizedException(
      `${aliasName}: aliases starting with ${AWS_ALIAS_PREFIX} are reserved for AWS-managed keys`,
    );
  }
  return aliasName;
}

function readTarget(ctx: OperationContext, request: RequestReader, action: string): KeyRecord {
  const targetKeyId = request.string('TargetKeyId', { required: true });
  ctx.draft.parameters({ targetKeyId });
  const record = ctx.state.resolve(targetKeyId, ctx.caller, { allowAlias: false, field: 'TargetKeyId' }, ctx.draft);
  if (record.accountId !== ctx.caller.accountId) {
    throw new ValidationException(
      `TargetKeyId: an alias and its key must be in the same account (${ctx.caller.accountId})`,
    );
  }
  ctx.state.authorize(record, ctx.caller, action);
  if (record.state === 'PendingDeletion') throw new KMSInvalidStateException(`${record.arn} is pending deletion.`);
  return record;
}

function existing(ctx: OperationContext, aliasName: string): AliasRecord {
  const alias = ctx.state.aliases.get(ctx.caller.accountId, aliasName);
  if (alias === undefined)
    throw new NotFoundException(`Alias ${aliasName} does not exist in account ${ctx.caller.accountId}`);
  return alias;
}

/** The key an alias points at now, when it still exists, must allow `action` to the caller. */
function authorizeOnCurrentKey(ctx: OperationContext, alias: AliasRecord, action: string): void {
  const current = ctx.state.registry.get(alias.targetKeyId);
  if (current === undefined) return;
  ctx.draft.resource(current);
  ctx.state.authorize(current, ctx.caller, action);
}

export function createAlias(ctx: OperationContext, input: unknown): Result<Record<never, never>> {
  const request = new RequestReader('CreateAlias', input, ['AliasName', 'TargetKeyId']);
  const aliasName = readAliasName(ctx, request);
  const record = readTarget(ctx, request, 'kms:CreateAlias');
  if (ctx.state.aliases.get(ctx.caller.accountId, aliasName) !== undefined) {
    throw new AlreadyExistsException(
      `An alias with the name ${aliasName} already exists in account ${ctx.caller.accountId}`,
    );
  }
  const now = ctx.state.config.now();
  ctx.state.aliases.add({
    accountId: ctx.caller.accountId,
    aliasName,
    targetKeyId: record.keyId,
    createdAt: now,
    updatedAt: now,
  });
  return {};
}

export function updateAlias(ctx: OperationContext, input: unknown): Result<Record<never, never>> {
  const request = new RequestReader('UpdateAlias', input, ['AliasName', 'TargetKeyId']);
  const aliasName = readAliasName(ctx, request);
  const alias = existing(ctx, aliasName);
  authorizeOnCurrentKey(ctx, alias, 'kms:UpdateAlias');
  const record = readTarget(ctx, request, 'kms:UpdateAlias');
  ctx.state.aliases.retarget(alias, record.keyId, ctx.state.config.now());
  return {};
}

export function deleteAlias(ctx: OperationContext, input: unknown): Result<Record<never, never>> {
  const request = new RequestReader('DeleteAlias', input, ['AliasName']);
  const aliasName = readAliasName(ctx, request);
  const alias = existing(ctx, aliasName);
  authorizeOnCurrentKey(ctx, alias, 'kms:DeleteAlias');
  ctx.state.aliases.delete(ctx.caller.accountId, aliasName);
  return {};
}

/** ListAliases: the caller's account's aliases, optionally only those of one key (ID or ARN). */
export function listAliases(ctx: OperationContext, input: unknown): Result<ListAliasesResponse> {
  const request = new RequestReader('ListAliases', input, ['KeyId', 'Limit', 'Marker']);
  const keyId = request.string('KeyId');
  let filter: string | undefined;
  if (keyId !== undefined) {
    ctx.draft.parameters({ keyId });
    filter = ctx.state.resolve(keyId, ctx.caller, { allowAlias: false, field: 'KeyId' }, ctx.draft).keyId;
  }
  // Resolving keys first lets deletions that came due drop their aliases before listing.
  ctx.state.registry.list(ctx.caller.accountId);
  const { partition, region } = ctx.state.config;
  const page = paginate(request, ctx.state.aliases.list(ctx.caller.accountId, filter), (a) => a.aliasName);
  return {
    Aliases: page.items.map((a) => aliasEntry(a, partition, region)),
    Truncated: page.truncated,
    ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }),
  };
}
