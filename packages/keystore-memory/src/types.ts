/**
 * Request and response shapes of `MemoryKms`, named and typed like the AWS SDK v3
 * aggregated `KMS` client's (`@aws-sdk/client-kms`), so SDK-typed objects are accepted
 * as they are. Request fields are optional at the type level, as in the SDK; each
 * operation checks what it requires and throws `ValidationException` otherwise.
 */
import type { KmsResponseMetadata } from './exceptions.js';

export type { KmsResponseMetadata };

/** Per-call options (the SDK's `HttpHandlerOptions` subset that matters here). */
export interface KmsCallOptions {
  readonly abortSignal?: AbortSignal;
}

export interface MetadataBearer {
  readonly $metadata: KmsResponseMetadata;
}

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';
export type KeyManager = 'AWS' | 'CUSTOMER';
export type EncryptionContextType = Record<string, string>;

export interface Tag {
  TagKey: string | undefined;
  TagValue: string | undefined;
}

/** `KeyMetadata` as `DescribeKey` and `CreateKey` return it. */
export interface KeyMetadata {
  readonly AWSAccountId: string;
  readonly KeyId: string;
  readonly Arn: string;
  readonly CreationDate: Date;
  readonly Enabled: boolean;
  readonly Description: string;
  readonly KeyUsage: 'ENCRYPT_DECRYPT';
  readonly KeyState: KeyState;
  readonly DeletionDate?: Date;
  readonly PendingDeletionWindowInDays?: number;
  readonly Origin: 'AWS_KMS';
  readonly KeyManager: KeyManager;
  readonly CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT';
  readonly KeySpec: 'SYMMETRIC_DEFAULT';
  readonly EncryptionAlgorithms: 'SYMMETRIC_DEFAULT'[];
  readonly MultiRegion: false;
  readonly CurrentKeyMaterialId: string;
}

export interface CreateKeyRequest {
  Policy?: string | undefined;
  Description?: string | undefined;
  KeyUsage?: string | undefined;
  CustomerMasterKeySpec?: string | undefined;
  KeySpec?: string | undefined;
  Origin?: string | undefined;
  CustomKeyStoreId?: string | undefined;
  BypassPolicyLockoutSafetyCheck?: boolean | undefined;
  Tags?: Tag[] | undefined;
  MultiRegion?: boolean | undefined;
  XksKeyId?: string | undefined;
}
export interface CreateKeyResponse extends MetadataBearer {
  readonly KeyMetadata: KeyMetadata;
}

export interface DescribeKeyRequest {
  KeyId: string | undefined;
  GrantTokens?: string[] | undefined;
}
export interface DescribeKeyResponse extends MetadataBearer {
  readonly KeyMetadata: KeyMetadata;
}

export interface ListKeysRequest {
  Limit?: number | undefined;
  Marker?: string | undefined;
}
export interface KeyListEntry {
  readonly KeyId: string;
  readonly KeyArn: string;
}
export interface ListKeysResponse extends MetadataBearer {
  readonly Keys: KeyListEntry[];
  readonly Truncated: boolean;
  readonly NextMarker?: string;
}

export interface CreateAliasRequest {
  AliasName: string | undefined;
  TargetKeyId: string | undefined;
}
export type UpdateAliasRequest = CreateAliasRequest;
export interface DeleteAliasRequest {
  AliasName: string | undefined;
}
export interface ListAliasesRequest {
  KeyId?: string | undefined;
  Limit?: number | undefined;
  Marker?: string | undefined;
}
export interface AliasListEntry {
  readonly AliasName: string;
  readonly AliasArn: string;
  readonly TargetKeyId: string;
  readonly CreationDate: Date;
  readonly LastUpdatedDate: Date;
}
export interface ListAliasesResponse extends MetadataBearer {
  readonly Aliases: AliasListEntry[];
  readonly Truncated: boolean;
  readonly NextMarker?: string;
}

/** The request of every operation that takes only a key: EnableKey, DisableKey, ... */
export interface KeyIdRequest {
  KeyId: string | undefined;
}
export interface KeyIdResponse extends MetadataBearer {
  readonly KeyId: string;
}
/** Responses with no fields (EnableKey, DisableKey, CreateAlias, ...). */
export type EmptyResponse = MetadataBearer;

export interface ScheduleKeyDeletionRequest {
  KeyId: string | undefined;
  PendingWindowInDays?: number | undefined;
}
export interface ScheduleKeyDeletionResponse extends MetadataBearer {
  readonly KeyId: string;
  readonly DeletionDate: Date;
  readonly KeyState: 'PendingDeletion';
  readonly PendingWindowInDays: number;
}

export interface EnableKeyRotationRequest {
  KeyId: string | undefined;
  RotationPeriodInDays?: number | undefined;
}
export interface GetKeyRotationStatusResponse extends MetadataBearer {
  readonly KeyId: string;
  readonly KeyRotationEnabled: boolean;
  readonly RotationPeriodInDays?: number;
  readonly NextRotationDate?: Date;
  readonly OnDemandRotationStartDate?: Date;
}

export interface PutKeyPolicyRequest {
  KeyId: string | undefined;
  Policy: string | undefined;
  PolicyName?: string | undefined;
  BypassPolicyLockoutSafetyCheck?: boolean | undefined;
}
export interface GetKeyPolicyRequest {
  KeyId: string | undefined;
  PolicyName?: string | undefined;
}
export interface GetKeyPolicyResponse extends MetadataBearer {
  readonly Policy: string;
  readonly PolicyName: 'default';
}

export interface GenerateDataKeyRequest {
  KeyId: string | undefined;
  EncryptionContext?: EncryptionContextType | undefined;
  NumberOfBytes?: number | undefined;
  KeySpec?: string | undefined;
  GrantTokens?: string[] | undefined;
  DryRun?: boolean | undefined;
}
export interface GenerateDataKeyResponse extends MetadataBearer {
  readonly KeyId: string;
  readonly Plaintext: Uint8Array;
  readonly CiphertextBlob: Uint8Array;
  readonly KeyMaterialId: string;
}
export type GenerateDataKeyWithoutPlaintextRequest = GenerateDataKeyRequest;
export interface GenerateDataKeyWithoutPlaintextResponse extends MetadataBearer {
  readonly KeyId: string;
  readonly CiphertextBlob: Uint8Array;
  readonly KeyMaterialId: string;
}

export interface EncryptRequest {
  KeyId: string | undefined;
  Plaintext: Uint8Array | undefined;
  EncryptionContext?: EncryptionContextType | undefined;
  GrantTokens?: string[] | undefined;
  EncryptionAlgorithm?: string | undefined;
  DryRun?: boolean | undefined;
}
export interface EncryptResponse extends MetadataBearer {
  readonly KeyId: string;
  readonly CiphertextBlob: Uint8Array;
  readonly EncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
}

export interface DecryptRequest {
  CiphertextBlob?: Uint8Array | undefined;
  KeyId?: string | undefined;
  EncryptionContext?: EncryptionContextType | undefined;
  GrantTokens?: string[] | undefined;
  EncryptionAlgorithm?: string | undefined;
  DryRun?: boolean | undefined;
}
export interface DecryptResponse extends MetadataBearer {
  readonly KeyId: string;
  readonly Plaintext: Uint8Array;
  readonly EncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  readonly KeyMaterialId: string;
}

export interface ReEncryptRequest {
  CiphertextBlob?: Uint8Array | undefined;
  SourceEncryptionContext?: EncryptionContextType | undefined;
  SourceKeyId?: string | undefined;
  DestinationKeyId: string | undefined;
  DestinationEncryptionContext?: EncryptionContextType | undefined;
  SourceEncryptionAlgorithm?: string | undefined;
  DestinationEncryptionAlgorithm?: string | undefined;
  GrantTokens?: string[] | undefined;
  DryRun?: boolean | undefined;
}
export interface ReEncryptResponse extends MetadataBearer {
  readonly CiphertextBlob: Uint8Array;
  readonly SourceKeyId: string;
  readonly KeyId: string;
  readonly SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  readonly DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  readonly SourceKeyMaterialId: string;
  readonly DestinationKeyMaterialId: string;
}
