// Helpers for the cross-package bucket-key suites: an in-process KMS with a key, a
// KmsKeyStore per principal, a store that acts for the current request's principal,
// and a KMS client that can be taken down.
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  KmsKeyStore,
  type DataKey,
  type EncryptedDataKey,
  type GeneratedDataKey,
  type GenerateRequest,
  type KeyStore,
  type KeyStoreRequest,
  type KmsClientLike,
} from '@sealflow/core';
import { MemoryKms, type KmsAuditRecord } from '@sealflow/keystore-memory';

export const ACCOUNT = '111122223333';
export const ALICE = `arn:aws:iam::${ACCOUNT}:role/alice`;
export const BOB = `arn:aws:iam::${ACCOUNT}:role/bob`;

/** A MemoryKms with one symmetric key (ARN returned), auditing into a ring big enough for the suites. */
export async function kmsWithKey(): Promise<{ kms: MemoryKms; keyArn: string }> {
  const kms = new MemoryKms({ audit: { ringSize: 50_000 } });
  const { KeyMetadata } = await kms.createKey({ Description: 'bucket-key tests' });
  return { kms, keyArn: KeyMetadata.Arn };
}

/** Audit records of one KMS operation, with who called and with which context. */
export function audited(
  kms: MemoryKms,
  eventName: KmsAuditRecord['eventName'],
): { principal: string; context: unknown; error: string | undefined }[] {
  return kms
    .auditLog()
    .filter((r) => r.eventName === eventName)
    .map((r) => ({
      principal: r.userIdentity.arn,
      context: r.requestParameters.encryptionContext,
      error: r.errorCode,
    }));
}

/**
 * A KMS client that can be taken down: while `down`, every call fails the way the AWS SDK
 * fails on a refused connection (errno ECONNREFUSED, no response).
 */
export class FlakyKms implements KmsClientLike {
  down = false;
  readonly #kms: KmsClientLike;

  constructor(kms: KmsClientLike) {
    this.#kms = kms;
  }

  generateDataKey: KmsClientLike['generateDataKey'] = (input, options) =>
    this.#call(() => this.#kms.generateDataKey(input, options));
  encrypt: KmsClientLike['encrypt'] = (input, options) => this.#call(() => this.#kms.encrypt(input, options));
  decrypt: KmsClientLike['decrypt'] = (input, options) => this.#call(() => this.#kms.decrypt(input, options));

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    if (this.down)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), {
        code: 'ECONNREFUSED',
        errno: -111,
        syscall: 'connect',
      });
    return fn();
  }
}

/**
 * A key store that acts for the principal of the current request (held in an
 * AsyncLocalStorage, as a gateway would): it forwards to a KmsKeyStore over `kms.as(principal)`
 * and reports that principal, so one engine serves many callers and its bucket-key cache
 * partitions by caller.
 */
export class PerCallerStore implements KeyStore {
  readonly id: string;
  readonly caller = new AsyncLocalStorage<string>();
  readonly #stores = new Map<string, KmsKeyStore>();
  readonly #kms: MemoryKms;
  readonly #keyArn: string;

  constructor(kms: MemoryKms, keyArn: string) {
    this.#kms = kms;
    this.#keyArn = keyArn;
    this.id = `aws-kms:${keyArn}`;
  }

  get principal(): string {
    return this.caller.getStore() ?? '';
  }

  canUnwrap(edk: EncryptedDataKey): boolean {
    return this.#current().canUnwrap(edk);
  }

  generateDataKey(request: GenerateRequest): Promise<GeneratedDataKey> {
    return this.#current().generateDataKey(request);
  }

  wrapDataKey(dataKey: DataKey, request: KeyStoreRequest): Promise<EncryptedDataKey> {
    return this.#current().wrapDataKey(dataKey, request);
  }

  unwrapDataKey(edk: EncryptedDataKey, request: KeyStoreRequest): Promise<DataKey> {
    return this.#current().unwrapDataKey(edk, request);
  }

  #current(): KmsKeyStore {
    const principal = this.caller.getStore();
    if (principal === undefined) throw new Error('PerCallerStore: no caller in this async context');
    let store = this.#stores.get(principal);
    if (store === undefined) {
      store = new KmsKeyStore({ client: this.#kms.as(principal), keyId: this.#keyArn, principal, id: this.id });
      this.#stores.set(principal, store);
    }
    return store;
  }
}
