import { formatAliasArn } from './arn.js';
import type { AliasListEntry } from './types.js';

/**
 * Aliases, per account: `alias/x` in account A and `alias/x` in account B are different
 * aliases, and a caller's alias name always resolves in the caller's own account.
 */

export interface AliasRecord {
  readonly accountId: string;
  readonly aliasName: string;
  targetKeyId: string;
  readonly createdAt: number;
  updatedAt: number;
}

export class AliasTable {
  readonly #aliases = new Map<string, AliasRecord>();
  readonly #onChange: () => void;

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  static #slot(accountId: string, aliasName: string): string {
    return `${accountId} ${aliasName}`;
  }

  get(accountId: string, aliasName: string): AliasRecord | undefined {
    return this.#aliases.get(AliasTable.#slot(accountId, aliasName));
  }

  /** Adds an alias; the caller checked it does not exist yet. */
  add(record: AliasRecord, persist = true): void {
    this.#aliases.set(AliasTable.#slot(record.accountId, record.aliasName), record);
    if (persist) this.#onChange();
  }

  retarget(record: AliasRecord, targetKeyId: string, at: number): void {
    record.targetKeyId = targetKeyId;
    record.updatedAt = at;
    this.#onChange();
  }

  delete(accountId: string, aliasName: string): boolean {
    const deleted = this.#aliases.delete(AliasTable.#slot(accountId, aliasName));
    if (deleted) this.#onChange();
    return deleted;
  }

  /** Removes every alias that points at `keyId` (the key was deleted). */
  deleteTargeting(keyId: string): void {
    for (const [slot, record] of this.#aliases) if (record.targetKeyId === keyId) this.#aliases.delete(slot);
  }

  /** Aliases of `accountId`, sorted by name, optionally only those pointing at `keyId`. */
  list(accountId: string, keyId?: string): AliasRecord[] {
    return [...this.#aliases.values()]
      .filter((a) => a.accountId === accountId && (keyId === undefined || a.targetKeyId === keyId))
      .sort((a, b) => (a.aliasName < b.aliasName ? -1 : a.aliasName > b.aliasName ? 1 : 0));
  }

  all(): readonly AliasRecord[] {
    return [...this.#aliases.values()];
  }
}

export function aliasEntry(record: AliasRecord, partition: string, region: string): AliasListEntry {
  return {
    AliasName: record.aliasName,
    AliasArn: formatAliasArn(partition, region, record.accountId, record.aliasName),
    TargetKeyId: record.targetKeyId,
    CreationDate: new Date(record.createdAt),
    LastUpdatedDate: new Date(record.updatedAt),
  };
}
