// The in-process MemoryKms (@sealflow/keystore-memory) as a contract target. Its stores
// are core KmsKeyStores straight over the MemoryKms (what `memoryKeyStore` builds), so the
// suite compares this package's behaviour, events and audit records with the in-process
// KMS's own. AwsKmsKeyStore-only options (retries, timeouts) do not apply here.
import { KmsKeyStore, type KmsClientLike, type KmsKeyStoreOptions } from '@sealflow/core';
import { MemoryKms } from '@sealflow/keystore-memory';

import type { CreatedKey, Divergences, KmsTarget, SentRequest, StoreOptions } from './kms-target.js';

// MemoryKms enforces key state and returns a request ID for every call, like AWS KMS.
export const MEMORY_KMS_DIVERGENCES: Divergences = { enforcesKeyState: true, returnsRequestIds: true };

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';

export function memoryTarget(): KmsTarget {
  const kms = new MemoryKms({ region: REGION, principal: `arn:aws:iam::${ACCOUNT}:root` });
  let sent: SentRequest[] = [];
  // Records each request (operation, KeyId, context) the way the HTTP targets' middleware does.
  const record = (
    operation: string,
    input: { KeyId?: string | undefined; EncryptionContext?: Record<string, string> | undefined },
  ): void => {
    sent.push({ operation, keyId: input.KeyId, context: { ...input.EncryptionContext } });
  };
  const client: KmsClientLike = {
    generateDataKey: (input, options) => (record('GenerateDataKey', input), kms.generateDataKey(input, options)),
    encrypt: (input, options) => (record('Encrypt', input), kms.encrypt(input, options)),
    decrypt: (input, options) => (record('Decrypt', input), kms.decrypt(input, options)),
  };
  return {
    name: 'memory-kms',
    region: REGION,
    accountId: ACCOUNT,
    partition: 'aws',
    divergences: MEMORY_KMS_DIVERGENCES,
    async createKey(): Promise<CreatedKey> {
      const out = await kms.createKey({ Description: 'sealflow contract suite (memory)' });
      const meta = out.KeyMetadata;
      if (meta?.KeyId === undefined || meta.Arn === undefined) throw new Error('MemoryKms: CreateKey returned no key');
      return { keyId: meta.KeyId, arn: meta.Arn };
    },
    async createAlias(aliasName, keyId) {
      await kms.createAlias({ AliasName: aliasName, TargetKeyId: keyId });
    },
    async updateAlias(aliasName, keyId) {
      await kms.updateAlias({ AliasName: aliasName, TargetKeyId: keyId });
    },
    async disableKey(keyId) {
      await kms.disableKey({ KeyId: keyId });
    },
    store(options: StoreOptions) {
      const inner: Record<string, unknown> = { client };
      for (const [key, value] of Object.entries(options)) {
        if (key !== 'retry' && key !== 'timeoutMs') inner[key] = value;
      }
      return new KmsKeyStore(inner as unknown as KmsKeyStoreOptions);
    },
    takeRequests() {
      const out = sent;
      sent = [];
      return out;
    },
    close() {
      void kms.close();
    },
  };
}
