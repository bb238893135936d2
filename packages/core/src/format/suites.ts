/**
 * The ESDK algorithm suites (spec: esdk framework/algorithm-suites.md). We encrypt with
 * the two committing v2 suites and decrypt every AES-GCM suite.
 */

export type SuiteId = 0x0014 | 0x0046 | 0x0078 | 0x0114 | 0x0146 | 0x0178 | 0x0214 | 0x0346 | 0x0378 | 0x0478 | 0x0578;

export type KdfHash = 'sha256' | 'sha384' | 'sha512';
export type SignatureCurve = 'P-256' | 'P-384';

export interface AlgorithmSuite {
  readonly id: SuiteId;
  /** Message format version the suite implies: 0x0478/0x0578 are v2, the rest v1. */
  readonly messageFormat: 1 | 2;
  /** AES key length in bytes (16, 24 or 32); also the data key length. */
  readonly keyLength: 16 | 24 | 32;
  /** undefined: the identity KDF (data key used directly). */
  readonly kdf: KdfHash | undefined;
  readonly committing: boolean;
  readonly signature: { readonly curve: SignatureCurve; readonly hash: 'sha256' | 'sha384' } | undefined;
  /** Bytes of message ID: 16 in v1, 32 in v2. */
  readonly messageIdLength: 16 | 32;
}

const IV_LENGTH = 12;
const TAG_LENGTH = 16;
export { IV_LENGTH, TAG_LENGTH };

function suite(
  id: SuiteId,
  keyLength: 16 | 24 | 32,
  kdf: KdfHash | undefined,
  signature: AlgorithmSuite['signature'],
): AlgorithmSuite {
  const v2 = id === 0x0478 || id === 0x0578;
  return Object.freeze({
    id,
    messageFormat: v2 ? 2 : 1,
    keyLength,
    kdf,
    committing: v2,
    signature,
    messageIdLength: v2 ? 32 : 16,
  });
}

const P256 = Object.freeze({ curve: 'P-256', hash: 'sha256' } as const);
const P384 = Object.freeze({ curve: 'P-384', hash: 'sha384' } as const);

const SUITES: ReadonlyMap<number, AlgorithmSuite> = new Map<number, AlgorithmSuite>([
  [0x0014, suite(0x0014, 16, undefined, undefined)],
  [0x0046, suite(0x0046, 24, undefined, undefined)],
  [0x0078, suite(0x0078, 32, undefined, undefined)],
  [0x0114, suite(0x0114, 16, 'sha256', undefined)],
  [0x0146, suite(0x0146, 24, 'sha256', undefined)],
  [0x0178, suite(0x0178, 32, 'sha256', undefined)],
  [0x0214, suite(0x0214, 16, 'sha256', P256)],
  [0x0346, suite(0x0346, 24, 'sha384', P384)],
  [0x0378, suite(0x0378, 32, 'sha384', P384)],
  [0x0478, suite(0x0478, 32, 'sha512', undefined)],
  [0x0578, suite(0x0578, 32, 'sha512', P384)],
]);

/** The suite for `id`, or undefined when we do not know it. */
export function getSuite(id: number): AlgorithmSuite | undefined {
  return SUITES.get(id);
}

/** Suites we write. */
export const ENCRYPT_SUITES: readonly SuiteId[] = [0x0478, 0x0578];
export const DEFAULT_SUITE: SuiteId = 0x0478;

/** Commitment policies (spec: esdk framework/commitment-policy.md). */
export const CommitmentPolicy = {
  REQUIRE_ENCRYPT_REQUIRE_DECRYPT: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
  REQUIRE_ENCRYPT_ALLOW_DECRYPT: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT',
} as const;
export type CommitmentPolicy = (typeof CommitmentPolicy)[keyof typeof CommitmentPolicy];
