import { randomUUID } from 'node:crypto';
import type { KmsAuditParameters, KmsAuditRecord, KmsAuditResource, KmsOperationName } from '@sealflow/core';
import type { Principal } from './arn.js';
import type { KeyRecord } from './key-registry.js';

// The record types are core's (one CloudTrail shape for every KMS-facing package).
export type { KmsAuditParameters, KmsAuditRecord, KmsAuditResource, KmsOperationName };

const WRITES = new Set<KmsOperationName>([
  'CreateKey',
  'CreateAlias',
  'UpdateAlias',
  'DeleteAlias',
  'EnableKey',
  'DisableKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'RotateKeyOnDemand',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'PutKeyPolicy',
]);

/** Whether `eventName` changes keys or aliases (a read may still change state: lazy rotation, deletion, alias/aws/s3). */
export function isWriteOperation(eventName: KmsOperationName): boolean {
  return WRITES.has(eventName);
}

/** Collects what one call touched while it runs; becomes a record when it ends. */
export class AuditDraft {
  readonly #eventName: KmsOperationName;
  readonly #requestId: string;
  readonly #caller: Principal;
  readonly #region: string;
  readonly #time: number;
  #parameters: KmsAuditParameters = {};
  readonly #resources = new Map<string, KmsAuditResource>();

  constructor(eventName: KmsOperationName, requestId: string, caller: Principal, region: string, time: number) {
    this.#eventName = eventName;
    this.#requestId = requestId;
    this.#caller = caller;
    this.#region = region;
    this.#time = time;
  }

  get eventName(): KmsOperationName {
    return this.#eventName;
  }

  /** Records request parameters (merged; contexts are copied). */
  parameters(parameters: KmsAuditParameters): void {
    this.#parameters = { ...this.#parameters, ...copyContexts(parameters) };
  }

  /** Records a key the call resolved. */
  resource(record: KeyRecord): void {
    this.#resources.set(record.arn, { ARN: record.arn, accountId: record.accountId, type: 'AWS::KMS::Key' });
  }

  /** Key ARNs the call touched (for per-key counters). */
  get resourceArns(): readonly string[] {
    return [...this.#resources.keys()];
  }

  finish(error?: { readonly name: string; readonly message: string }): KmsAuditRecord {
    const resources = [...this.#resources.values()];
    return Object.freeze({
      eventVersion: '1.08',
      eventID: randomUUID(),
      eventTime: new Date(this.#time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: 'kms.amazonaws.com',
      eventName: this.#eventName,
      eventType: 'AwsApiCall',
      eventCategory: 'Management',
      awsRegion: this.#region,
      requestID: this.#requestId,
      userIdentity: { type: this.#caller.type, arn: this.#caller.arn, accountId: this.#caller.accountId },
      requestParameters: this.#parameters,
      resources,
      recipientAccountId: resources[0]?.accountId ?? this.#caller.accountId,
      readOnly: !WRITES.has(this.#eventName),
      managementEvent: true,
      ...(error === undefined ? {} : { errorCode: error.name, errorMessage: error.message }),
    } as const);
  }
}

function copyContexts(parameters: KmsAuditParameters): KmsAuditParameters {
  const out: Record<string, unknown> = { ...parameters };
  for (const key of ['encryptionContext', 'sourceEncryptionContext', 'destinationEncryptionContext'] as const) {
    const context = parameters[key];
    if (context !== undefined) out[key] = { ...context };
  }
  return out as KmsAuditParameters;
}
