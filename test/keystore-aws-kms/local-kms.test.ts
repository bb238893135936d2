// The KMS contract against local-kms (started by test/setup on 127.0.0.1).
import { describe } from 'vitest';

import { kmsContract } from './support/kms-contract.js';
import { emulatorEndpoints, LOCAL_KMS_DIVERGENCES, localKmsTarget } from './support/kms-target.js';

describe('AwsKmsKeyStore against local-kms', () => {
  kmsContract({
    divergences: LOCAL_KMS_DIVERGENCES,
    buildsClient: true,
    make: () => localKmsTarget(emulatorEndpoints.localKms),
  });
});
