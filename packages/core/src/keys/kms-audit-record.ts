// The one CloudTrail-shaped audit record type for KMS calls. Both KMS-facing packages
// publish it on one channel: @sealflow/keystore-memory (the server's view, every
// MemoryKms operation) and @sealflow/keystore-aws-kms (the client's view, each request
// sent), so a subscriber reads one shape whichever KMS is behind a store.

/** The diagnostics channel KMS audit records are published on. */
export const KMS_AUDIT_CHANNEL = 'sealflow:kms:audit';

/** An AWS KMS API operation name (CloudTrail `eventName`). */
export type KmsOperationName =
  | 'CreateKey'
  | 'DescribeKey'
  | 'ListKeys'
  | 'CreateAlias'
  | 'UpdateAlias'
  | 'DeleteAlias'
  | 'ListAliases'
  | 'EnableKey'
  | 'DisableKey'
  | 'ScheduleKeyDeletion'
  | 'CancelKeyDeletion'
  | 'RotateKeyOnDemand'
  | 'EnableKeyRotation'
  | 'DisableKeyRotation'
  | 'GetKeyRotationStatus'
  | 'PutKeyPolicy'
  | 'GetKeyPolicy'
  | 'GenerateDataKey'
  | 'GenerateDataKeyWithoutPlaintext'
  | 'Encrypt'
  | 'Decrypt'
  | 'ReEncrypt';

/**
 * CloudTrail-style `requestParameters`: identifiers, contexts, sizes and settings as the
 * caller sent them; never plaintext, ciphertext or key material.
 */
export interface KmsAuditParameters {
  readonly keyId?: string;
  readonly encryptionContext?: Readonly<Record<string, string>>;
  readonly numberOfBytes?: number;
  readonly keySpec?: string;
  readonly encryptionAlgorithm?: string;
  readonly aliasName?: string;
  readonly targetKeyId?: string;
  readonly description?: string;
  readonly pendingWindowInDays?: number;
  readonly rotationPeriodInDays?: number;
  readonly policyName?: string;
  readonly sourceKeyId?: string;
  readonly destinationKeyId?: string;
  readonly sourceEncryptionContext?: Readonly<Record<string, string>>;
  readonly destinationEncryptionContext?: Readonly<Record<string, string>>;
  readonly limit?: number;
  readonly dryRun?: boolean;
}

/** A key a call touched (CloudTrail `resources`). */
export interface KmsAuditResource {
  readonly ARN: string;
  readonly accountId: string;
  readonly type: 'AWS::KMS::Key';
}

/** CloudTrail `userIdentity.type`; `Unknown` when a client store was given no IAM principal. */
export type KmsAuditIdentityType = 'Root' | 'IAMUser' | 'AssumedRole' | 'Unknown';

/** One audit event, shaped like a CloudTrail record of an AWS KMS call. */
export interface KmsAuditRecord {
  readonly eventVersion: '1.08';
  readonly eventID: string;
  readonly eventTime: string;
  readonly eventSource: 'kms.amazonaws.com';
  readonly eventName: KmsOperationName;
  readonly eventType: 'AwsApiCall';
  readonly eventCategory: 'Management';
  readonly awsRegion: string;
  /** KMS's `x-amzn-RequestId`; empty when no answer came (or the service sends none). */
  readonly requestID: string;
  readonly userIdentity: { readonly type: KmsAuditIdentityType; readonly arn: string; readonly accountId: string };
  readonly requestParameters: KmsAuditParameters;
  readonly resources: readonly KmsAuditResource[];
  readonly recipientAccountId: string;
  readonly readOnly: boolean;
  readonly managementEvent: true;
  /** The exception name, on failure. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}
