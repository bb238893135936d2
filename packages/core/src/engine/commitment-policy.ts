import { ErrorCodes, InvalidArgumentError } from '../errors.js';
import type { HeaderParseOptions } from '../format/header.js';
import type { DecryptLimits } from '../format/limits.js';
import { CommitmentPolicy, type AlgorithmSuite } from '../format/suites.js';

/**
 * The decryptor's commitment policy applied to a message's suite. Kept out of the header
 * codec (a codec reads bytes; policy is the engine's): parseHeader calls it through
 * `onSuite` as soon as the suite is read.
 * @throws {InvalidArgumentError} `ERR_COMMITMENT_POLICY` for a non-committing suite under
 * REQUIRE_ENCRYPT_REQUIRE_DECRYPT.
 */
export function assertSuiteAllowed(suite: AlgorithmSuite, policy: CommitmentPolicy): void {
  // spec: esdk client-apis/decrypt.md: the policy is checked as soon as the suite is known.
  if (!suite.committing && policy === CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT) {
    throw new InvalidArgumentError(
      ErrorCodes.COMMITMENT_POLICY,
      `suite 0x${suite.id.toString(16).padStart(4, '0')} does not commit to its key; the commitment policy requires it (allow with REQUIRE_ENCRYPT_ALLOW_DECRYPT)`,
    );
  }
}

/** parseHeader's options for an engine: its limits, and its commitment policy on the suite. */
export function headerParseOptions(engine: {
  readonly limits: DecryptLimits;
  readonly commitmentPolicy: CommitmentPolicy;
}): HeaderParseOptions {
  const { limits, commitmentPolicy } = engine;
  return { limits, onSuite: (suite) => assertSuiteAllowed(suite, commitmentPolicy) };
}
