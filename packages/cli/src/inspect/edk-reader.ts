/**
 * Who can open an EDK, as `inspect` tells it. Stable values (`--json` field `reader`):
 *
 * - `esdk-kms-keyring`: any ESDK with an AWS KMS keyring allowed to use the key;
 * - `esdk-raw-aes-keyring`: any ESDK with a Raw AES keyring of that namespace, name and key;
 * - `esdk-raw-aes-keyring-bucket-key`: any ESDK with a Raw AES keyring (namespace
 *   `sealflow-bucket-data-key`, the key name shown) holding the unwrapped bucket key;
 * - `sealflow-or-esdk-keyring`: sealflow, or client-node with `@sealflow/esdk-keyring`
 *   (bucket-key blobs of layout 2, XKS EDKs); other languages unwrap a layout-2 blob with
 *   one key-store call and then use their Raw AES keyring (docs/bucket-keys.md);
 * - `sealflow`: only sealflow (layout-1 bucket-key blobs);
 * - `unknown`: a provider this tool does not know (some keyring of that provider ID).
 */
export type EdkReader =
  | 'esdk-kms-keyring'
  | 'esdk-raw-aes-keyring'
  | 'esdk-raw-aes-keyring-bucket-key'
  | 'sealflow-or-esdk-keyring'
  | 'sealflow'
  | 'unknown';

/** One sentence per reader, for the text output. */
export function readerSentence(reader: EdkReader, providerId: string, key: string): string {
  switch (reader) {
    case 'esdk-kms-keyring':
      return 'any ESDK with an AWS KMS keyring for this key';
    case 'esdk-raw-aes-keyring':
      return `any ESDK with a Raw AES keyring (namespace ${providerId}, key name ${key}) and its key`;
    case 'esdk-raw-aes-keyring-bucket-key':
      return `any ESDK with a Raw AES keyring (namespace ${providerId}, key name ${key}) holding the unwrapped bucket key`;
    case 'sealflow-or-esdk-keyring':
      return 'sealflow, or client-node with @sealflow/esdk-keyring (other ESDKs: unwrap the bucket key with one key-store call, see docs/bucket-keys.md)';
    case 'sealflow':
      return 'sealflow only (bucket-key layout 1: the data key is derived from the message ID)';
    case 'unknown':
      return `a keyring for provider ID ${providerId}`;
  }
}
