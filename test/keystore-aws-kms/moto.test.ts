// The KMS contract against moto's server (started by test/setup on 127.0.0.1).
import { describe } from 'vitest';

import { kmsContract } from './support/kms-contract.js';
import { emulatorEndpoints, MOTO_DIVERGENCES, motoTarget } from './support/kms-target.js';

describe('AwsKmsKeyStore against moto', () => {
  kmsContract({ divergences: MOTO_DIVERGENCES, buildsClient: true, make: () => motoTarget(emulatorEndpoints.moto) });
});
