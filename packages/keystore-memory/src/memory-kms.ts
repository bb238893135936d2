import { randomUUID } from 'node:crypto';
import type { Principal } from './arn.js';
import * as aliasOps from './alias-operations.js';
import { AuditDraft, isWriteOperation, type KmsAuditRecord, type KmsOperationName } from './audit-record.js';
import type { KmsMetrics } from './audit-trail.js';
import * as cryptoOps from './crypto-operations.js';
import { KMSInternalException, KmsException } from './exceptions.js';
import * as keyOps from './key-operations.js';
import { KmsState, type OperationContext } from './kms-state.js';
import {
  assertPrincipal,
  parseOpenOptions,
  parseOptions,
  type MemoryKmsOpenOptions,
  type MemoryKmsOptions,
} from './memory-kms-options.js';
import { StoreFile } from './store-file.js';
import type {
  AliasListEntry,
  CreateAliasRequest,
  CreateKeyRequest,
  CreateKeyResponse,
  DecryptRequest,
  DecryptResponse,
  DeleteAliasRequest,
  DescribeKeyRequest,
  DescribeKeyResponse,
  EmptyResponse,
  EnableKeyRotationRequest,
  EncryptRequest,
  EncryptResponse,
  GenerateDataKeyRequest,
  GenerateDataKeyResponse,
  GenerateDataKeyWithoutPlaintextRequest,
  GenerateDataKeyWithoutPlaintextResponse,
  GetKeyPolicyRequest,
  GetKeyPolicyResponse,
  GetKeyRotationStatusResponse,
  KeyIdRequest,
  KeyIdResponse,
  KmsCallOptions,
  ListAliasesRequest,
  ListAliasesResponse,
  ListKeysRequest,
  ListKeysResponse,
  PutKeyPolicyRequest,
  ReEncryptRequest,
  ReEncryptResponse,
  ScheduleKeyDeletionRequest,
  ScheduleKeyDeletionResponse,
  UpdateAliasRequest,
} from './types.js';

export type { AliasListEntry };

type Operation<T> = (ctx: OperationContext, input: unknown) => T;

/** Set by `as()` / `open()` just before they construct a view over existing state. */
let pendingView: { readonly state: KmsState; readonly caller: Principal } | undefined;

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return Object.assign(new Error(reason instanceof Error ? reason.message : 'Request aborted'), {
    name: 'AbortError',
    cause: reason,
  });
}

/**
 * An in-process KMS with AWS KMS semantics, shaped like the AWS SDK v3 aggregated `KMS`
 * client: each operation under the SDK's method name, with its request and response
 * fields, rejecting with errors named like the SDK's exceptions (see `exceptions.ts`).
 * Every call acts as one principal (`options.principal`; `as()` gives a view acting as
 * another) and leaves a CloudTrail-shaped audit record.
 *
 * Symmetric AES-256 keys only. One region per instance; any number of accounts (a
 * caller's account is the one in its ARN).
 */
export class MemoryKms {
  readonly #state: KmsState;
  readonly #caller: Principal;

  /** @throws {InvalidArgumentError} for an unknown or malformed option. */
  constructor(options: MemoryKmsOptions = {}) {
    const view = pendingView;
    pendingView = undefined;
    if (view !== undefined) {
      this.#state = view.state;
      this.#caller = view.caller;
      return;
    }
    const parsed = parseOptions(options);
    this.#state = new KmsState({ partition: parsed.partition, region: parsed.region, now: parsed.now }, parsed.audit);
    this.#caller = parsed.principal;
  }

  /**
   * A persistent instance: keys, aliases and policies live in one file at `options.path`,
   * sealed under a root key from `passphrase` (scrypt) or `keyFile`, and rewritten
   * atomically after every change. A missing file is created.
   * @throws {KeyStoreError} `ERR_KEY_STORE_LOCKED` (wrong passphrase or key file),
   * `ERR_KEY_STORE_CORRUPT` (not a store, or altered), `ERR_KEY_STORE_UNAVAILABLE` (I/O).
   * @throws {InvalidArgumentError} for malformed options, or a store of another region.
   */
  static async open(options: MemoryKmsOpenOptions): Promise<MemoryKms> {
    const parsed = parseOpenOptions(options);
    const state = new KmsState({ partition: parsed.partition, region: parsed.region, now: parsed.now }, parsed.audit);
    const { file, state: stored } = await StoreFile.open({
      path: parsed.path,
      secret: parsed.secret,
      region: parsed.region,
      partition: parsed.partition,
      lock: parsed.lock,
      ...(parsed.scrypt === undefined ? {} : { scrypt: parsed.scrypt }),
    });
    state.store = file;
    state.load(stored);
    pendingView = { state, caller: parsed.principal };
    return new MemoryKms();
  }

  /** The principal ARN this view calls as. */
  get principal(): string {
    return this.#caller.arn;
  }

  /** The region this instance serves. */
  get region(): string {
    return this.#state.config.region;
  }

  /**
   * The same KMS (same keys, audit and store), acting as another principal.
   * @throws {InvalidArgumentError} when `principalArn` is not a principal ARN of this partition.
   */
  as(principalArn: string): MemoryKms {
    const caller = assertPrincipal(principalArn, 'as()', this.#state.config.partition);
    pendingView = { state: this.#state, caller };
    return new MemoryKms();
  }

  /** CreateKey: a symmetric AES-256 key in the caller account. @throws {KmsException} (rejects; see the README's error table) */
  createKey(input: CreateKeyRequest = {}, options?: KmsCallOptions): Promise<CreateKeyResponse> {
    return this.#run('CreateKey', input, options, keyOps.createKey);
  }
  /** DescribeKey: the key metadata (aliases accepted). @throws {KmsException} (rejects; see the README's error table) */
  describeKey(input: DescribeKeyRequest, options?: KmsCallOptions): Promise<DescribeKeyResponse> {
    return this.#run('DescribeKey', input, options, keyOps.describeKey);
  }
  /** ListKeys: the caller account keys, oldest first. @throws {KmsException} (rejects; see the README's error table) */
  listKeys(input: ListKeysRequest = {}, options?: KmsCallOptions): Promise<ListKeysResponse> {
    return this.#run('ListKeys', input, options, keyOps.listKeys);
  }
  /** CreateAlias: a new alias of the caller account. @throws {KmsException} (rejects; see the README's error table) */
  createAlias(input: CreateAliasRequest, options?: KmsCallOptions): Promise<EmptyResponse> {
    return this.#run('CreateAlias', input, options, aliasOps.createAlias);
  }
  /** UpdateAlias: points an alias at another key of the account. @throws {KmsException} (rejects; see the README's error table) */
  updateAlias(input: UpdateAliasRequest, options?: KmsCallOptions): Promise<EmptyResponse> {
    return this.#run('UpdateAlias', input, options, aliasOps.updateAlias);
  }
  /** DeleteAlias. @throws {KmsException} (rejects; see the README's error table) */
  deleteAlias(input: DeleteAliasRequest, options?: KmsCallOptions): Promise<EmptyResponse> {
    return this.#run('DeleteAlias', input, options, aliasOps.deleteAlias);
  }
  /** ListAliases: the caller account aliases, by name. @throws {KmsException} (rejects; see the README's error table) */
  listAliases(input: ListAliasesRequest = {}, options?: KmsCallOptions): Promise<ListAliasesResponse> {
    return this.#run('ListAliases', input, options, aliasOps.listAliases);
  }
  /** EnableKey. @throws {KmsException} (rejects; see the README's error table) */
  enableKey(input: KeyIdRequest, options?: KmsCallOptions): Promise<EmptyResponse> {
    return this.#run('EnableKey', input, options, keyOps.enableKey);
  }
  /** DisableKey: cryptographic operations then fail with DisabledException. @throws {KmsException} (rejects; see the README's error table) */
  disableKey(input: KeyIdRequest, options?: KmsCallOptions): Promise<EmptyResponse> {
    return this.#run('DisableKey', input, options, keyOps.disableKey);
  }
  /** ScheduleKeyDeletion: 7-30 days against the clock. @throws {KmsException} (rejects; see the README's error table) */
  scheduleKeyDeletion(
    input: ScheduleKeyDeletionRequest,
    options?: KmsCallOptions,
  ): Promise<ScheduleKeyDeletionResponse> {
    return this.#run('ScheduleKeyDeletion', input, options, keyOps.scheduleKeyDeletion);
  }
  /** CancelKeyDeletion: the key comes back disabled. @throws {KmsException} (rejects; see the README's error table) */
  cancelKeyDeletion(input: KeyIdRequest, options?: KmsCallOptions): Promise<KeyIdResponse> {
    return this.#run('CancelKeyDeletion', input, options, keyOps.cancelKeyDeletion);
  }
  /** RotateKeyOnDemand: new material for new data. @throws {KmsException} (rejects; see the README's error table) */
  rotateKeyOnDemand(input: KeyIdRequest, options?: KmsCallOptions): Promise<KeyIdResponse> {
    return this.#run('RotateKeyOnDemand', input, options, keyOps.rotateKeyOnDemand);
  }
  /** EnableKeyRotation: automatic rotation every 90-2560 days. @throws {KmsException} (rejects; see the README's error table) */
  enableKeyRotation(input: EnableKeyRotationRequest, options?: KmsCallOptions): Promise<EmptyResponse> {
    return this.#run('EnableKeyRotation', input, options, keyOps.enableKeyRotation);
  }
  /** DisableKeyRotation. @throws {KmsException} (rejects; see the README's error table) */
  disableKeyRotation(input: KeyIdRequest, options?: KmsCallOptions): Promise<EmptyResponse> {
    return this.#run('DisableKeyRotation', input, options, keyOps.disableKeyRotation);
  }
  /** GetKeyRotationStatus. @throws {KmsException} (rejects; see the README's error table) */
  getKeyRotationStatus(input: KeyIdRequest, options?: KmsCallOptions): Promise<GetKeyRotationStatusResponse> {
    return this.#run('GetKeyRotationStatus', input, options, keyOps.getKeyRotationStatus);
  }
  /** PutKeyPolicy: replaces the key policy (with the lockout check). @throws {KmsException} (rejects; see the README's error table) */
  putKeyPolicy(input: PutKeyPolicyRequest, options?: KmsCallOptions): Promise<EmptyResponse> {
    return this.#run('PutKeyPolicy', input, options, keyOps.putKeyPolicy);
  }
  /** GetKeyPolicy. @throws {KmsException} (rejects; see the README's error table) */
  getKeyPolicy(input: GetKeyPolicyRequest, options?: KmsCallOptions): Promise<GetKeyPolicyResponse> {
    return this.#run('GetKeyPolicy', input, options, keyOps.getKeyPolicy);
  }
  /** GenerateDataKey: a data key in clear and sealed under the key. @throws {KmsException} (rejects; see the README's error table) */
  generateDataKey(input: GenerateDataKeyRequest, options?: KmsCallOptions): Promise<GenerateDataKeyResponse> {
    return this.#run('GenerateDataKey', input, options, cryptoOps.generateDataKey);
  }
  /** GenerateDataKeyWithoutPlaintext: only the sealed data key. @throws {KmsException} (rejects; see the README's error table) */
  generateDataKeyWithoutPlaintext(
    input: GenerateDataKeyWithoutPlaintextRequest,
    options?: KmsCallOptions,
  ): Promise<GenerateDataKeyWithoutPlaintextResponse> {
    return this.#run('GenerateDataKeyWithoutPlaintext', input, options, cryptoOps.generateDataKeyWithoutPlaintext);
  }
  /** Encrypt: seals up to 4096 bytes. @throws {KmsException} (rejects; see the README's error table) */
  encrypt(input: EncryptRequest, options?: KmsCallOptions): Promise<EncryptResponse> {
    return this.#run('Encrypt', input, options, cryptoOps.encrypt);
  }
  /** Decrypt: opens a blob (KeyId optional). @throws {KmsException} (rejects; see the README's error table) */
  decrypt(input: DecryptRequest, options?: KmsCallOptions): Promise<DecryptResponse> {
    return this.#run('Decrypt', input, options, cryptoOps.decrypt);
  }
  /** ReEncrypt: moves a blob to another key and context. @throws {KmsException} (rejects; see the README's error table) */
  reEncrypt(input: ReEncryptRequest, options?: KmsCallOptions): Promise<ReEncryptResponse> {
    return this.#run('ReEncrypt', input, options, cryptoOps.reEncrypt);
  }

  /** The audit records in the in-memory ring, oldest first. */
  auditLog(): readonly KmsAuditRecord[] {
    return this.#state.audit.records();
  }

  /** Call counters per operation and per key ARN. */
  metrics(): KmsMetrics {
    return this.#state.audit.metrics();
  }

  /**
   * Waits until every audit record so far is in the audit file.
   * @throws {Error} the first error the audit file met.
   */
  async flush(): Promise<void> {
    await this.#state.audit.flush();
  }

  /**
   * Flushes the audit file, then wipes every key material and the store's sealing key.
   * Calls after this reject with `KMSInternalException`. Applies to every `as()` view.
   */
  async close(): Promise<void> {
    await this.#state.exclusive(async () => {
      this.#state.closed = true;
    });
    this.#state.registry.wipe();
    this.#state.store?.close();
    await this.#state.audit.flush();
  }

  /** One call: abort check, exclusive section, operation, save, audit record, `$metadata`. */
  async #run<T extends object>(
    eventName: KmsOperationName,
    input: unknown,
    options: KmsCallOptions | undefined,
    operation: Operation<Omit<T, '$metadata'>>,
  ): Promise<T> {
    const signal = options !== undefined && Object.hasOwn(options, 'abortSignal') ? options.abortSignal : undefined;
    if (signal?.aborted === true) throw abortError(signal);
    const state = this.#state;
    return state.exclusive(async () => {
      const requestId = randomUUID();
      const newDraft = (): AuditDraft =>
        new AuditDraft(eventName, requestId, this.#caller, state.config.region, state.config.now());
      let draft = newDraft();
      try {
        if (state.closed) throw new KMSInternalException('this MemoryKms instance is closed');
        const result = await this.#execute(eventName, () => {
          draft = newDraft();
          return operation({ state, caller: this.#caller, draft }, input);
        });
        state.audit.record(draft.finish());
        return {
          ...result,
          $metadata: { httpStatusCode: 200, requestId, attempts: 1, totalRetryDelay: 0 },
        } as unknown as T;
      } catch (error) {
        const exception =
          error instanceof KmsException
            ? error
            : new KMSInternalException('MemoryKms could not complete the request', { cause: error });
        exception.withRequestId(requestId);
        state.audit.record(draft.finish(exception));
        throw exception;
      }
    });
  }

  /**
   * Runs `attempt` (the operation, on a fresh audit draft) against the latest state. With a
   * store file, writes happen under the inter-process lock: re-read the file, apply the
   * operation, save, release, so no process's change is lost to another's rewrite. A read
   * runs without the lock on the file's latest state (a stat says whether to reload); if
   * it changed state after all (a rotation or deletion came due, `alias/aws/s3` appeared),
   * its result is dropped and it runs again under the lock: a data key is never handed out
   * under a rotation that was not saved.
   */
  async #execute<R>(eventName: KmsOperationName, attempt: () => R): Promise<R> {
    const state = this.#state;
    const store = state.store;
    if (store === undefined) return attempt();
    if (!isWriteOperation(eventName)) {
      await state.sync(false);
      const outcome = settle(attempt);
      if (!state.dirty) return unwrap(outcome);
    }
    return store.hold(async () => {
      await state.sync(true);
      const outcome = settle(attempt);
      // Changes made before a failure that stand on their own (a rotation that came due, an
      // AWS-managed key created) are still saved; a failed save rolls back and fails the call.
      if (outcome.ok) await state.commit();
      else await state.commit().catch(() => undefined);
      return unwrap(outcome);
    });
  }
}

type Outcome<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

function settle<R>(attempt: () => R): Outcome<R> {
  try {
    return { ok: true, value: attempt() };
  } catch (error) {
    return { ok: false, error };
  }
}

function unwrap<R>(outcome: Outcome<R>): R {
  if (outcome.ok) return outcome.value;
  throw outcome.error;
}
