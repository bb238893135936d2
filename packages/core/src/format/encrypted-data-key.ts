/**
 * One encrypted data key as it travels in the message header.
 * `providerInfo` stays bytes: raw-AES provider info holds binary data.
 */
export interface EncryptedDataKey {
  readonly providerId: string;
  readonly providerInfo: Uint8Array;
  readonly ciphertext: Uint8Array;
}
