import { randomUUID } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';

import { KMS_AUDIT_CHANNEL, parseKmsArn, type KmsAuditRecord } from '@sealflow/core';

import { requestIdOf } from './kms-caller.js';

/**
 * CloudTrail-shaped audit records of the KMS calls this package makes, published on the
 * channel the in-process `MemoryKms` (@sealflow/keystore-memory) uses for its own records,
 * so an audit subscriber sees the same events whichever KMS is behind the store.
 *
 * They are the client's view: one record per request sent (each retry attempt is a
 * request, as in CloudTrail), with the request ID KMS returned, the parameters sent
 * (identifiers, context, sizes; never plaintext, ciphertext or key material) and the
 * error name on failure (the SDK's `AbortError` for a request cancelled at its deadline
 * or by the caller; a request that never settles leaves no record). AWS's own
 * CloudTrail stays the authority; these let a gateway correlate with it by request ID.
 */

/** The channel audit records are published on (core's, shared with `MemoryKms`). */
export { KMS_AUDIT_CHANNEL };

export type AuditedOperation = 'GenerateDataKey' | 'Encrypt' | 'Decrypt';

/** Core's one KMS audit record, as this client writes it: its three calls, always read-only. */
export type AwsKmsAuditRecord = KmsAuditRecord & {
  readonly eventName: AuditedOperation;
  readonly readOnly: true;
  /** Always with the context sent (empty when none was). */
  readonly requestParameters: { readonly encryptionContext: Readonly<Record<string, string>> };
};

const channel = diagnostics.channel(KMS_AUDIT_CHANNEL);
const PRINCIPAL = /^arn:[a-z0-9-]+:(?:iam|sts)::(\d{12}):(root|user\/.+|role\/.+|assumed-role\/.+)$/;
const keyArnAccount = (id: string | undefined): string | undefined => {
  const arn = id === undefined ? undefined : parseKmsArn(id);
  return arn?.resourceType === 'key' ? arn.accountId : undefined;
};
const MAX_ERROR_MESSAGE = 512;

/** What one audited request sent. */
export interface AuditedRequest {
  readonly operation: AuditedOperation;
  readonly input: {
    readonly KeyId?: string | undefined;
    readonly EncryptionContext?: Readonly<Record<string, string>> | undefined;
    readonly NumberOfBytes?: number | undefined;
  };
}

/** Builds and publishes records for one store (its region and principal). */
export class KmsAuditor {
  readonly #region: () => string | undefined;
  readonly #identity: AwsKmsAuditRecord['userIdentity'];

  constructor(region: () => string | undefined, principal: string | undefined) {
    this.#region = region;
    this.#identity = identityOf(principal);
  }

  /** Publishes the record of one request: its output on success, its error on failure. */
  record(
    request: AuditedRequest,
    started: number,
    outcome: { readonly output: unknown } | { readonly error: unknown },
  ): void {
    if (!channel.hasSubscribers) return;
    const { operation, input } = request;
    const answered = 'output' in outcome ? outcome.output : outcome.error;
    const responseKey = 'output' in outcome ? stringField(outcome.output, 'KeyId') : undefined;
    const arn = [responseKey, input.KeyId].find((id): id is string => keyArnAccount(id) !== undefined);
    const resources =
      arn === undefined ? [] : [{ ARN: arn, accountId: keyArnAccount(arn) as string, type: 'AWS::KMS::Key' as const }];
    const record: AwsKmsAuditRecord = {
      eventVersion: '1.08',
      eventID: randomUUID(),
      eventTime: new Date(started).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: 'kms.amazonaws.com',
      eventName: operation,
      eventType: 'AwsApiCall',
      eventCategory: 'Management',
      awsRegion: this.#region() ?? '',
      requestID: requestIdOf(answered) ?? '',
      userIdentity: this.#identity,
      requestParameters: {
        ...(input.KeyId === undefined ? {} : { keyId: input.KeyId }),
        encryptionContext: { ...input.EncryptionContext },
        ...(operation === 'GenerateDataKey' && input.NumberOfBytes !== undefined
          ? { numberOfBytes: input.NumberOfBytes }
          : {}),
        ...(operation === 'GenerateDataKey' ? {} : { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const }),
      },
      resources,
      recipientAccountId: resources[0]?.accountId ?? this.#identity.accountId,
      readOnly: true,
      managementEvent: true,
      ...('error' in outcome ? errorFields(outcome.error) : {}),
    };
    channel.publish(Object.freeze(record));
  }
}

function identityOf(principal: string | undefined): AwsKmsAuditRecord['userIdentity'] {
  const match = principal === undefined ? null : PRINCIPAL.exec(principal);
  if (match === null) return { type: 'Unknown', arn: principal ?? '', accountId: '' };
  const resource = match[2] as string;
  const type = resource === 'root' ? 'Root' : resource.startsWith('user/') ? 'IAMUser' : 'AssumedRole';
  return { type, arn: principal as string, accountId: match[1] as string };
}

function errorFields(error: unknown): { errorCode: string; errorMessage: string } {
  const name = stringField(error, 'name') ?? 'Error';
  const message = stringField(error, 'message') ?? '';
  return { errorCode: name, errorMessage: message.slice(0, MAX_ERROR_MESSAGE) };
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}
