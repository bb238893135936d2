// The KMS contract against the in-process MemoryKms (@sealflow/keystore-memory): the same
// suite as moto and local-kms, so the three KMS implementations and both store paths
// (AwsKmsKeyStore over HTTP, KmsKeyStore in process) are held to one behaviour.
import { describe } from 'vitest';

import { kmsContract } from './support/kms-contract.js';
import { MEMORY_KMS_DIVERGENCES, memoryTarget } from './support/memory-target.js';

describe('KmsKeyStore against the in-process MemoryKms', () => {
  kmsContract({ divergences: MEMORY_KMS_DIVERGENCES, buildsClient: false, make: memoryTarget });
});
