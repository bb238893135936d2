import { randomBytes, randomFillSync, randomUUID } from 'node:crypto';
import { formatKeyArn } from './arn.js';
import type { KeyPolicy } from './policy-document.js';
import type { KeyManager, KeyMetadata, KeyState, Tag } from './types.js';

/**
 * Every key the instance holds, across accounts, by key ID. Time-driven changes happen
 * lazily, on access, against the injected clock: a key whose deletion date has passed
 * is removed (with its aliases, through `onPurge`), and an enabled key whose automatic
 * rotation is due gets its new material(s) dated at the due time(s).
 */

export const DAY_MS = 86_400_000;
/** spec: KMS EnableKeyRotation, RotationPeriodInDays 90..2560, default 365. */
export const DEFAULT_ROTATION_DAYS = 365;
/** spec: KMS RotateKeyOnDemand, at most 10 on-demand rotations per key. */
export const MAX_ON_DEMAND_ROTATIONS = 10;

export interface KeyMaterial {
  /** `KeyMaterialId`: 64 hex characters, as AWS KMS reports them. */
  readonly id: string;
  /** 32 bytes of AES-256 key; zeroed when the key is deleted or the instance closed. */
  readonly bytes: Uint8Array;
  readonly createdAt: number;
}

export interface KeyRotation {
  enabled: boolean;
  periodDays: number;
  nextRotationAt: number | undefined;
  onDemandCount: number;
  lastOnDemandAt: number | undefined;
}

/** One key: metadata, policy, and its materials (index = material version). */
export interface KeyRecord {
  readonly keyId: string;
  readonly accountId: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly manager: KeyManager;
  description: string;
  state: KeyState;
  deletionDate: number | undefined;
  pendingWindowDays: number | undefined;
  policy: KeyPolicy;
  rotation: KeyRotation;
  readonly materials: KeyMaterial[];
  readonly tags: readonly Tag[];
}

export interface NewKey {
  /** A key ID chosen beforehand (to check a policy against the future ARN); default random. */
  readonly keyId?: string;
  readonly accountId: string;
  readonly manager: KeyManager;
  readonly description: string;
  readonly policy: KeyPolicy;
  readonly tags: readonly Tag[];
}

export interface KeyRegistryOptions {
  readonly partition: string;
  readonly region: string;
  readonly now: () => number;
  /** Called when a key is removed for good (its aliases go with it). */
  readonly onPurge: (record: KeyRecord) => void;
  /** Called on every change that must reach persistent storage. */
  readonly onChange: () => void;
}

function newMaterial(createdAt: number): KeyMaterial {
  // Filled in place: no intermediate buffer holds a copy of the material.
  return { id: randomBytes(32).toString('hex'), bytes: randomFillSync(new Uint8Array(32)), createdAt };
}

export class KeyRegistry {
  readonly #keys = new Map<string, KeyRecord>();
  readonly #options: KeyRegistryOptions;

  constructor(options: KeyRegistryOptions) {
    this.#options = options;
  }

  /** Makes a new enabled key with one fresh material. */
  create(spec: NewKey): KeyRecord {
    const now = this.#options.now();
    const keyId = spec.keyId ?? randomUUID();
    const managed = spec.manager === 'AWS';
    const record: KeyRecord = {
      keyId,
      accountId: spec.accountId,
      arn: formatKeyArn(this.#options.partition, this.#options.region, spec.accountId, keyId),
      createdAt: now,
      manager: spec.manager,
      description: spec.description,
      state: 'Enabled',
      deletionDate: undefined,
      pendingWindowDays: undefined,
      policy: spec.policy,
      // AWS-managed keys rotate every year, always.
      rotation: {
        enabled: managed,
        periodDays: DEFAULT_ROTATION_DAYS,
        nextRotationAt: managed ? now + DEFAULT_ROTATION_DAYS * DAY_MS : undefined,
        onDemandCount: 0,
        lastOnDemandAt: undefined,
      },
      materials: [newMaterial(now)],
      tags: spec.tags,
    };
    this.#keys.set(keyId, record);
    this.#options.onChange();
    return record;
  }

  /** Puts back a key read from storage. */
  restore(record: KeyRecord): void {
    this.#keys.set(record.keyId, record);
  }

  /** The key with this ID, after applying what the clock says (deletion, rotation). */
  get(keyId: string): KeyRecord | undefined {
    const record = this.#keys.get(keyId);
    return record === undefined ? undefined : this.#maintain(record);
  }

  /** Every live key of `accountId`, oldest first. */
  list(accountId: string): KeyRecord[] {
    const out: KeyRecord[] = [];
    for (const record of [...this.#keys.values()]) {
      if (record.accountId !== accountId) continue;
      const live = this.#maintain(record);
      if (live !== undefined) out.push(live);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || (a.keyId < b.keyId ? -1 : 1));
  }

  /** Every key, unmaintained (for persistence). */
  all(): readonly KeyRecord[] {
    return [...this.#keys.values()];
  }

  /** Adds a new current material (rotation); earlier materials stay for decryption. */
  rotate(record: KeyRecord, at: number): void {
    record.materials.push(newMaterial(at));
    this.#options.onChange();
  }

  /** Zeroes every material (instance closing). */
  wipe(): void {
    for (const record of this.#keys.values()) for (const material of record.materials) material.bytes.fill(0);
    this.#keys.clear();
  }

  #maintain(record: KeyRecord): KeyRecord | undefined {
    const now = this.#options.now();
    if (record.state === 'PendingDeletion' && record.deletionDate !== undefined && now >= record.deletionDate) {
      this.#keys.delete(record.keyId);
      for (const material of record.materials) material.bytes.fill(0);
      this.#options.onPurge(record);
      this.#options.onChange();
      return undefined;
    }
    const rotation = record.rotation;
    if (record.state === 'Enabled' && rotation.enabled && rotation.nextRotationAt !== undefined) {
      while (rotation.nextRotationAt <= now) {
        this.rotate(record, rotation.nextRotationAt);
        rotation.nextRotationAt += rotation.periodDays * DAY_MS;
      }
    }
    return record;
  }
}

/** `KeyMetadata` of a record, as DescribeKey returns it. */
export function keyMetadata(record: KeyRecord): KeyMetadata {
  const current = record.materials[record.materials.length - 1] as KeyMaterial;
  return {
    AWSAccountId: record.accountId,
    KeyId: record.keyId,
    Arn: record.arn,
    CreationDate: new Date(record.createdAt),
    Enabled: record.state === 'Enabled',
    Description: record.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: record.state,
    ...(record.deletionDate === undefined ? {} : { DeletionDate: new Date(record.deletionDate) }),
    ...(record.pendingWindowDays === undefined ? {} : { PendingDeletionWindowInDays: record.pendingWindowDays }),
    Origin: 'AWS_KMS',
    KeyManager: record.manager,
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    CurrentKeyMaterialId: current.id,
  };
}
