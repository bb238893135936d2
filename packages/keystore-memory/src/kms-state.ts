import { AliasTable } from './aliases.js';
import { parseKeyIdentifier, S3_MANAGED_ALIAS, type Principal } from './arn.js';
import type { AuditDraft } from './audit-record.js';
import { AuditTrail, type KmsAuditOptions } from './audit-trail.js';
import { AccessDeniedException, DisabledException, KMSInvalidStateException, NotFoundException } from './exceptions.js';
import { KeyRegistry, type KeyRecord } from './key-registry.js';
import { awsManagedKeyPolicy, compileKeyPolicy } from './policy-document.js';
import { evaluateKeyPolicy } from './policy-evaluator.js';
import { encodeState, type DecodedState } from './state-codec.js';
import type { StoreFile } from './store-file.js';

/**
 * The state one `MemoryKms` and all its `as()` views share: keys, aliases, audit, the
 * optional store file, and the rules every operation applies the same way (resolving an
 * identifier, authorizing against the key policy, checking the key state).
 */

export interface KmsConfig {
  readonly partition: string;
  readonly region: string;
  readonly now: () => number;
}

export interface ResolveOptions {
  /** Whether alias names and alias ARNs are accepted (cryptographic ops, DescribeKey). */
  readonly allowAlias: boolean;
  /** The request field, for messages. */
  readonly field: string;
}

export class KmsState {
  readonly config: KmsConfig;
  readonly registry: KeyRegistry;
  readonly aliases: AliasTable;
  readonly audit: AuditTrail;
  store: StoreFile | undefined;
  closed = false;
  #dirty = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(config: KmsConfig, audit: KmsAuditOptions) {
    this.config = config;
    const touch = (): void => {
      this.#dirty = true;
    };
    this.aliases = new AliasTable(touch);
    this.registry = new KeyRegistry({
      partition: config.partition,
      region: config.region,
      now: config.now,
      onPurge: (record) => this.aliases.deleteTargeting(record.keyId),
      onChange: touch,
    });
    this.audit = new AuditTrail(audit);
  }

  /** Replaces keys and aliases with a decoded store (open, rollback). */
  load(state: DecodedState): void {
    this.registry.wipe();
    for (const record of state.keys) this.registry.restore(record);
    for (const alias of [...this.aliases.all()]) this.aliases.delete(alias.accountId, alias.aliasName);
    for (const alias of state.aliases) this.aliases.add(alias, false);
    this.#dirty = false;
  }

  /**
   * Runs `task` alone when a store file is attached (so a failed save can roll memory back
   * to the file without undoing another call's work); concurrently otherwise.
   */
  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.store === undefined) return task();
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Saves what changed (under the store lock, after {@link sync}). On failure, memory is
   * rolled back to the file (which the atomic write left whole) and the error is
   * rethrown: no partial state either side.
   */
  async commit(): Promise<void> {
    if (!this.#dirty || this.store === undefined) return;
    try {
      await this.store.save(encodeState(this.registry.all(), this.aliases.all()));
      this.#dirty = false;
    } catch (error) {
      this.load(await this.store.load());
      throw error;
    }
  }

  /**
   * Brings memory to the store file's latest state, which other processes (or other
   * instances on the same file) may have written. Memory holding changes that were not
   * saved (a read that found a rotation due, then went to the lock) goes back to the file.
   * `thorough` (under the lock, before a write) reads the file every time; otherwise a
   * stat tells whether to read it.
   * @throws {KeyStoreError} when the file cannot be read or no longer authenticates.
   */
  async sync(thorough: boolean): Promise<void> {
    const store = this.store;
    if (store === undefined) return;
    if (this.#dirty) {
      this.load(await store.load());
      return;
    }
    if (!thorough && !(await store.changed())) return;
    const fresh = await store.loadIfChanged();
    if (fresh !== undefined) this.load(fresh);
  }

  /** Whether memory holds changes not yet saved. */
  get dirty(): boolean {
    return this.#dirty;
  }

  /** Marks state changed by an operation that mutated a record in place. */
  changed(): void {
    this.#dirty = true;
  }

  /**
   * Finds the key an identifier names, for `caller`. Key IDs and alias names resolve in
   * the caller's account; ARNs name their account. An ARN of another partition or region
   * is refused before anything else.
   * @throws {NotFoundException} for an unknown, malformed or out-of-region identifier, or an
   * alias where `allowAlias` is false (as AWS KMS answers both).
   */
  resolve(identifier: string, caller: Principal, options: ResolveOptions, draft?: AuditDraft): KeyRecord {
    const parsed = parseKeyIdentifier(identifier);
    if (parsed === undefined || parsed === 'invalid-arn')
      throw new NotFoundException(`Invalid keyId ${identifier}: expected a key ID, key ARN, alias name or alias ARN`);
    if (parsed.kind === 'key-arn' || parsed.kind === 'alias-arn') {
      if (parsed.partition !== this.config.partition || parsed.region !== this.config.region) {
        throw new NotFoundException(
          `${identifier} is in ${parsed.partition}/${parsed.region}; this KMS serves ${this.config.partition}/${this.config.region} only`,
        );
      }
    }
    if ((parsed.kind === 'alias-name' || parsed.kind === 'alias-arn') && !options.allowAlias) {
      throw new NotFoundException(
        `Invalid keyId ${identifier}: this operation takes a key ID or key ARN, not an alias`,
      );
    }
    let record: KeyRecord | undefined;
    switch (parsed.kind) {
      case 'key-id':
        record = this.registry.get(parsed.keyId);
        if (record?.accountId !== caller.accountId) record = undefined;
        break;
      case 'key-arn':
        record = this.registry.get(parsed.keyId);
        if (record?.accountId !== parsed.accountId) record = undefined;
        break;
      case 'alias-name':
        record = this.#aliasTarget(caller.accountId, parsed.aliasName, true);
        break;
      case 'alias-arn':
        record = this.#aliasTarget(parsed.accountId, parsed.aliasName, parsed.accountId === caller.accountId);
        break;
    }
    if (record === undefined) {
      const where = parsed.kind === 'key-id' || parsed.kind === 'alias-name' ? ` in account ${caller.accountId}` : '';
      throw new NotFoundException(`${options.field} ${identifier} does not exist${where}`);
    }
    draft?.resource(record);
    return record;
  }

  #aliasTarget(accountId: string, aliasName: string, mayCreate: boolean): KeyRecord | undefined {
    const alias = this.aliases.get(accountId, aliasName);
    if (alias !== undefined) return this.registry.get(alias.targetKeyId);
    // The AWS-managed S3 key appears on first use, in the account that uses it.
    if (aliasName === S3_MANAGED_ALIAS && mayCreate) return this.managedS3Key(accountId);
    return undefined;
  }

  /** The account's `alias/aws/s3` key, created (with its alias) if it does not exist yet. */
  managedS3Key(accountId: string): KeyRecord {
    const existing = this.aliases.get(accountId, S3_MANAGED_ALIAS);
    const target = existing === undefined ? undefined : this.registry.get(existing.targetKeyId);
    if (target !== undefined) return target;
    const record = this.registry.create({
      accountId,
      manager: 'AWS',
      description: 'Default key that protects my S3 objects when no other key is defined',
      policy: compileKeyPolicy(awsManagedKeyPolicy(this.config.partition, accountId)),
      tags: [],
    });
    const now = this.config.now();
    this.aliases.add({
      accountId,
      aliasName: S3_MANAGED_ALIAS,
      targetKeyId: record.keyId,
      createdAt: now,
      updatedAt: now,
    });
    return record;
  }

  /**
   * Checks the key policy for `action`.
   * @throws {AccessDeniedException} naming the principal, the action and the key.
   */
  authorize(
    record: KeyRecord,
    caller: Principal,
    action: string,
    encryptionContext?: Readonly<Record<string, string>>,
  ): void {
    const decision = evaluateKeyPolicy(record.policy, {
      principal: caller,
      action,
      keyArn: record.arn,
      ...(encryptionContext === undefined ? {} : { encryptionContext }),
    });
    if (decision === 'allow') return;
    const why =
      decision === 'explicit-deny'
        ? 'with an explicit deny in the key policy'
        : 'because no key policy statement allows the action';
    throw new AccessDeniedException(
      `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${record.arn} ${why}`,
    );
  }

  /**
   * The key must be usable for cryptography.
   * @throws {DisabledException} {@link KMSInvalidStateException}
   */
  assertUsable(record: KeyRecord): void {
    if (record.state === 'Disabled') throw new DisabledException(`${record.arn} is disabled.`);
    if (record.state === 'PendingDeletion') throw new KMSInvalidStateException(`${record.arn} is pending deletion.`);
  }
}

/** What every operation receives: the shared state, who calls, and the call's audit draft. */
export interface OperationContext {
  readonly state: KmsState;
  readonly caller: Principal;
  readonly draft: AuditDraft;
}
