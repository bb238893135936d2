import { ErrorCodes, KeyStoreError } from '@sealflow/core';
import { formatKeyArn, isAliasName, isKeyId } from './arn.js';
import type { AliasRecord } from './aliases.js';
import type { KeyMaterial, KeyRecord } from './key-registry.js';
import { compileKeyPolicy } from './policy-document.js';
import type { KeyState, Tag } from './types.js';

/**
 * The plaintext inside a sealed store file: every key (metadata, policy, rotation state,
 * materials as base64) and alias, as JSON. It is only ever read after its GCM tag
 * verified, so a failed check here means a version skew or a bug, reported as corrupt.
 */

interface StoredKey {
  keyId: string;
  accountId: string;
  createdAt: number;
  manager: 'AWS' | 'CUSTOMER';
  description: string;
  state: KeyState;
  deletionDate?: number;
  pendingWindowDays?: number;
  policy: string;
  rotation: {
    enabled: boolean;
    periodDays: number;
    nextRotationAt?: number;
    onDemandCount: number;
    lastOnDemandAt?: number;
  };
  materials: { id: string; key: string; createdAt: number }[];
  tags: { TagKey: string; TagValue: string }[];
}

interface StoredState {
  keys: StoredKey[];
  aliases: { accountId: string; aliasName: string; targetKeyId: string; createdAt: number; updatedAt: number }[];
}

export interface DecodedState {
  readonly keys: KeyRecord[];
  readonly aliases: AliasRecord[];
}

const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** Serializes the whole state (key material included: seal the result before it leaves memory). */
export function encodeState(keys: readonly KeyRecord[], aliases: readonly AliasRecord[]): Uint8Array {
  const state: StoredState = {
    keys: keys.map((k) => ({
      keyId: k.keyId,
      accountId: k.accountId,
      createdAt: k.createdAt,
      manager: k.manager,
      description: k.description,
      state: k.state,
      ...opt('deletionDate', k.deletionDate),
      ...opt('pendingWindowDays', k.pendingWindowDays),
      policy: k.policy.text,
      rotation: {
        enabled: k.rotation.enabled,
        periodDays: k.rotation.periodDays,
        onDemandCount: k.rotation.onDemandCount,
        ...opt('nextRotationAt', k.rotation.nextRotationAt),
        ...opt('lastOnDemandAt', k.rotation.lastOnDemandAt),
      },
      materials: k.materials.map((m) => ({
        id: m.id,
        key: Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength).toString('base64'),
        createdAt: m.createdAt,
      })),
      tags: k.tags.map((t) => ({ TagKey: t.TagKey ?? '', TagValue: t.TagValue ?? '' })),
    })),
    aliases: aliases.map((a) => ({ ...a })),
  };
  return new TextEncoder().encode(JSON.stringify(state));
}

function corrupt(why: string): KeyStoreError {
  return new KeyStoreError(ErrorCodes.KEY_STORE_CORRUPT, `the key store file is corrupt: ${why}`, {
    store: 'memory-kms',
  });
}

function check(condition: boolean, why: string): asserts condition {
  if (!condition) throw corrupt(why);
}

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isOptionalTime = (v: unknown): boolean => v === undefined || isTime(v);

/** @throws {KeyStoreError} `ERR_KEY_STORE_CORRUPT` when the state is not what {@link encodeState} writes. */
export function decodeState(bytes: Uint8Array, partition: string, region: string): DecodedState {
  let state: StoredState;
  try {
    state = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as StoredState;
  } catch {
    throw corrupt('the sealed state is not JSON');
  }
  check(
    state !== null && typeof state === 'object' && Array.isArray(state.keys) && Array.isArray(state.aliases),
    'no key or alias list',
  );
  const keys = state.keys.map((k): KeyRecord => {
    check(
      k !== null && typeof k === 'object' && isKeyId(k.keyId) && /^\d{12}$/.test(k.accountId),
      'a key has no valid ID or account',
    );
    check(
      ['Enabled', 'Disabled', 'PendingDeletion'].includes(k.state) && (k.manager === 'AWS' || k.manager === 'CUSTOMER'),
      `key ${k.keyId}: bad state`,
    );
    check(
      isTime(k.createdAt) && isOptionalTime(k.deletionDate) && typeof k.description === 'string',
      `key ${k.keyId}: bad fields`,
    );
    const r = k.rotation;
    check(
      r !== null && typeof r === 'object' && typeof r.enabled === 'boolean' && Number.isInteger(r.periodDays),
      `key ${k.keyId}: bad rotation`,
    );
    check(
      isOptionalTime(r.nextRotationAt) && isOptionalTime(r.lastOnDemandAt) && Number.isInteger(r.onDemandCount),
      `key ${k.keyId}: bad rotation`,
    );
    check(Array.isArray(k.materials) && k.materials.length > 0 && Array.isArray(k.tags), `key ${k.keyId}: no material`);
    const materials = k.materials.map((m): KeyMaterial => {
      check(
        typeof m.id === 'string' && typeof m.key === 'string' && isTime(m.createdAt),
        `key ${k.keyId}: bad material`,
      );
      // Decoding may land in Node's shared buffer pool: copy out, then wipe the decoded bytes.
      const decoded = Buffer.from(m.key, 'base64');
      const material = new Uint8Array(decoded);
      decoded.fill(0);
      check(material.length === 32, `key ${k.keyId}: material is not 32 bytes`);
      return { id: m.id, bytes: material, createdAt: m.createdAt };
    });
    let policy;
    try {
      policy = compileKeyPolicy(k.policy);
    } catch {
      throw corrupt(`key ${k.keyId}: the stored policy does not compile`);
    }
    return {
      keyId: k.keyId,
      accountId: k.accountId,
      arn: formatKeyArn(partition, region, k.accountId, k.keyId),
      createdAt: k.createdAt,
      manager: k.manager,
      description: k.description,
      state: k.state,
      deletionDate: k.deletionDate,
      pendingWindowDays: k.pendingWindowDays,
      policy,
      rotation: {
        enabled: r.enabled,
        periodDays: r.periodDays,
        nextRotationAt: r.nextRotationAt,
        onDemandCount: r.onDemandCount,
        lastOnDemandAt: r.lastOnDemandAt,
      },
      materials,
      tags: k.tags.map((t): Tag => ({ TagKey: String(t.TagKey), TagValue: String(t.TagValue) })),
    };
  });
  const keyIds = new Set(keys.map((k) => k.keyId));
  const aliases = state.aliases.map((a): AliasRecord => {
    check(
      a !== null && typeof a === 'object' && isAliasName(a.aliasName) && keyIds.has(a.targetKeyId),
      'an alias is malformed or dangling',
    );
    check(
      /^\d{12}$/.test(a.accountId) && isTime(a.createdAt) && isTime(a.updatedAt),
      `alias ${a.aliasName}: bad fields`,
    );
    return {
      accountId: a.accountId,
      aliasName: a.aliasName,
      targetKeyId: a.targetKeyId,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  });
  return { keys, aliases };
}
