// One KMS behaviour suite, run against MemoryKms and, when their endpoints are up, the two
// KMS emulators the project tests against (local-kms, moto) through the real AWS SDK v3
// client. Each scenario states what AWS KMS answers (its documentation; where the docs are
// silent, what the emulators agree on). MemoryKms must answer exactly that. An emulator
// that answers otherwise has the scenario in its `diverges` list, and a test pins that it
// still diverges, so the list stays true.
import { KMS } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { MemoryKms } from '@sealflow/keystore-memory';
import { LOCAL_KMS_REGION } from '../setup/kms-emulator-env.js';
import { requireLocalKms, requireMoto } from '../setup/required-services.js';

type Call = (input: object) => Promise<Record<string, unknown>>;
/** The SDK client and MemoryKms, seen through the same loose lens (same method names). */
type AnyKms = Readonly<Record<string, Call>>;
interface Key {
  readonly KeyId: string;
  readonly Arn: string;
}

const CREDENTIALS = { accessKeyId: 'AKIDSEALFLOWTEST', secretAccessKey: 'sealflow-test-secret' };
let counter = 0;
const unique = (label: string): string => `alias/fidelity-${label}-${process.pid}-${(counter += 1)}`;

async function newKey(kms: AnyKms): Promise<Key> {
  return ((await (kms['createKey'] as Call)({})) as { KeyMetadata: Key }).KeyMetadata;
}

async function sealed(kms: AnyKms, key: Key): Promise<Uint8Array> {
  const out = await (kms['encrypt'] as Call)({
    KeyId: key.KeyId,
    Plaintext: Uint8Array.of(1, 2),
    EncryptionContext: { a: 'b' },
  });
  return out['CiphertextBlob'] as Uint8Array;
}

/** What a call did: `ok`, or the exception name. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'ok',
    (error: unknown) => (error as Error).name,
  );
}

/** Each scenario returns what the KMS did; `expected` is what AWS KMS does. */
const SCENARIOS: Record<string, { readonly expected: string; readonly run: (kms: AnyKms) => Promise<string> }> = {
  'Decrypt under another context': {
    expected: 'InvalidCiphertextException',
    run: async (kms) =>
      outcome(
        (kms['decrypt'] as Call)({
          CiphertextBlob: await sealed(kms, await newKey(kms)),
          EncryptionContext: { a: 'c' },
        }),
      ),
  },
  'Decrypt without the context': {
    expected: 'InvalidCiphertextException',
    run: async (kms) => outcome((kms['decrypt'] as Call)({ CiphertextBlob: await sealed(kms, await newKey(kms)) })),
  },
  'Decrypt of a blob with its last byte flipped': {
    expected: 'InvalidCiphertextException',
    run: async (kms) => {
      const blob = (await sealed(kms, await newKey(kms))).slice();
      blob[blob.length - 1] = (blob[blob.length - 1] as number) ^ 1;
      return outcome((kms['decrypt'] as Call)({ CiphertextBlob: blob, EncryptionContext: { a: 'b' } }));
    },
  },
  'Decrypt naming another key than the blob': {
    expected: 'IncorrectKeyException',
    run: async (kms) => {
      const [one, two] = [await newKey(kms), await newKey(kms)];
      return outcome(
        (kms['decrypt'] as Call)({
          CiphertextBlob: await sealed(kms, one),
          EncryptionContext: { a: 'b' },
          KeyId: two.KeyId,
        }),
      );
    },
  },
  'DescribeKey of an unknown key ID': {
    expected: 'NotFoundException',
    run: (kms) => outcome((kms['describeKey'] as Call)({ KeyId: '00000000-0000-4000-8000-000000000000' })),
  },
  'DescribeKey of an unknown alias': {
    expected: 'NotFoundException',
    run: (kms) => outcome((kms['describeKey'] as Call)({ KeyId: unique('missing') })),
  },
  'DescribeKey of a malformed ARN': {
    expected: 'NotFoundException',
    run: (kms) => outcome((kms['describeKey'] as Call)({ KeyId: 'arn:aws:kms:us-east-1:111122223333:bucket/x' })),
  },
  'GenerateDataKey with NumberOfBytes and KeySpec': {
    expected: 'ValidationException',
    run: async (kms) =>
      outcome(
        (kms['generateDataKey'] as Call)({ KeyId: (await newKey(kms)).KeyId, NumberOfBytes: 32, KeySpec: 'AES_256' }),
      ),
  },
  'GenerateDataKey with neither size': {
    expected: 'ValidationException',
    run: async (kms) => outcome((kms['generateDataKey'] as Call)({ KeyId: (await newKey(kms)).KeyId })),
  },
  'GenerateDataKey of 1025 bytes': {
    expected: 'ValidationException',
    run: async (kms) =>
      outcome((kms['generateDataKey'] as Call)({ KeyId: (await newKey(kms)).KeyId, NumberOfBytes: 1025 })),
  },
  'Encrypt of 4097 bytes': {
    expected: 'ValidationException',
    run: async (kms) =>
      outcome((kms['encrypt'] as Call)({ KeyId: (await newKey(kms)).KeyId, Plaintext: new Uint8Array(4097) })),
  },
  'CreateAlias of an existing name': {
    expected: 'AlreadyExistsException',
    run: async (kms) => {
      const key = await newKey(kms);
      const AliasName = unique('dup');
      await (kms['createAlias'] as Call)({ AliasName, TargetKeyId: key.KeyId });
      return outcome((kms['createAlias'] as Call)({ AliasName, TargetKeyId: key.KeyId }));
    },
  },
  'CreateAlias without the alias/ prefix': {
    expected: 'ValidationException',
    run: async (kms) =>
      outcome((kms['createAlias'] as Call)({ AliasName: 'nope', TargetKeyId: (await newKey(kms)).KeyId })),
  },
  'CreateAlias under alias/aws/': {
    expected: 'NotAuthorizedException',
    run: async (kms) =>
      outcome(
        (kms['createAlias'] as Call)({
          AliasName: `alias/aws/fidelity-${(counter += 1)}`,
          TargetKeyId: (await newKey(kms)).KeyId,
        }),
      ),
  },
  'DisableKey named by alias': {
    expected: 'NotFoundException',
    run: async (kms) => {
      const AliasName = unique('manage');
      await (kms['createAlias'] as Call)({ AliasName, TargetKeyId: (await newKey(kms)).KeyId });
      return outcome((kms['disableKey'] as Call)({ KeyId: AliasName }));
    },
  },
  'ScheduleKeyDeletion with a 6-day window': {
    expected: 'ValidationException',
    run: async (kms) =>
      outcome((kms['scheduleKeyDeletion'] as Call)({ KeyId: (await newKey(kms)).KeyId, PendingWindowInDays: 6 })),
  },
  'Encrypt under a disabled key': {
    expected: 'DisabledException',
    run: async (kms) => {
      const key = await newKey(kms);
      await (kms['disableKey'] as Call)({ KeyId: key.KeyId });
      return outcome((kms['encrypt'] as Call)({ KeyId: key.KeyId, Plaintext: Uint8Array.of(1) }));
    },
  },
  'Decrypt under a disabled key': {
    expected: 'DisabledException',
    run: async (kms) => {
      const key = await newKey(kms);
      const blob = await sealed(kms, key);
      await (kms['disableKey'] as Call)({ KeyId: key.KeyId });
      return outcome((kms['decrypt'] as Call)({ CiphertextBlob: blob, EncryptionContext: { a: 'b' } }));
    },
  },
  'Encrypt under a key pending deletion': {
    expected: 'KMSInvalidStateException',
    run: async (kms) => {
      const key = await newKey(kms);
      await (kms['scheduleKeyDeletion'] as Call)({ KeyId: key.KeyId, PendingWindowInDays: 7 });
      return outcome((kms['encrypt'] as Call)({ KeyId: key.KeyId, Plaintext: Uint8Array.of(1) }));
    },
  },
  'EnableKey of a key pending deletion': {
    expected: 'KMSInvalidStateException',
    run: async (kms) => {
      const key = await newKey(kms);
      await (kms['scheduleKeyDeletion'] as Call)({ KeyId: key.KeyId, PendingWindowInDays: 7 });
      return outcome((kms['enableKey'] as Call)({ KeyId: key.KeyId }));
    },
  },
  'CancelKeyDeletion of a key not pending deletion': {
    expected: 'KMSInvalidStateException',
    run: async (kms) => outcome((kms['cancelKeyDeletion'] as Call)({ KeyId: (await newKey(kms)).KeyId })),
  },
  'the key state after CancelKeyDeletion': {
    expected: 'Disabled',
    run: async (kms) => {
      const key = await newKey(kms);
      await (kms['scheduleKeyDeletion'] as Call)({ KeyId: key.KeyId, PendingWindowInDays: 7 });
      await (kms['cancelKeyDeletion'] as Call)({ KeyId: key.KeyId });
      return ((await (kms['describeKey'] as Call)({ KeyId: key.KeyId })) as { KeyMetadata: { KeyState: string } })
        .KeyMetadata.KeyState;
    },
  },
  'DescribeKey of alias/aws/s3 before any use (the key appears)': {
    expected: 'ok',
    run: (kms) => outcome((kms['describeKey'] as Call)({ KeyId: 'alias/aws/s3' })),
  },
  'a round trip: GenerateDataKey, then Decrypt without KeyId names the key ARN': {
    expected: 'ok',
    run: async (kms) => {
      const key = await newKey(kms);
      const out = await (kms['generateDataKey'] as Call)({
        KeyId: key.KeyId,
        NumberOfBytes: 32,
        EncryptionContext: { a: 'b' },
      });
      const back = await (kms['decrypt'] as Call)({
        CiphertextBlob: out['CiphertextBlob'],
        EncryptionContext: { a: 'b' },
      });
      const same = Buffer.from(back['Plaintext'] as Uint8Array).equals(Buffer.from(out['Plaintext'] as Uint8Array));
      return same && back['KeyId'] === key.Arn && out['KeyId'] === key.Arn ? 'ok' : 'mismatch';
    },
  },
};

interface Target {
  readonly name: string;
  make(): { readonly kms: AnyKms; readonly close: () => void };
  /** Scenarios where this implementation knowingly answers otherwise than AWS KMS. */
  readonly diverges: readonly string[];
}

/** An emulator over the SDK; `endpoint` is read per test, so a missing emulator fails its tests. */
function sdkTarget(name: string, endpoint: () => string, region: string, diverges: readonly string[]): Target {
  return {
    name,
    make: () => {
      const client = new KMS({ endpoint: endpoint(), region, credentials: CREDENTIALS, maxAttempts: 1 });
      return { kms: client as unknown as AnyKms, close: () => client.destroy() };
    },
    diverges,
  };
}

const TARGETS: readonly Target[] = [
  {
    name: 'MemoryKms',
    make: () => ({ kms: new MemoryKms() as unknown as AnyKms, close: () => undefined }),
    diverges: [],
  },
  sdkTarget('local-kms', requireLocalKms, LOCAL_KMS_REGION, [
    'Decrypt naming another key than the blob',
    'Decrypt under a disabled key',
    'the key state after CancelKeyDeletion',
    'DescribeKey of alias/aws/s3 before any use (the key appears)',
  ]),
  sdkTarget('moto', requireMoto, 'us-east-1', [
    'Decrypt naming another key than the blob',
    'CreateAlias under alias/aws/',
    'ScheduleKeyDeletion with a 6-day window',
    'Encrypt under a disabled key',
    'Decrypt under a disabled key',
    'Encrypt under a key pending deletion',
    'EnableKey of a key pending deletion',
    'CancelKeyDeletion of a key not pending deletion',
  ]),
];

for (const target of TARGETS) {
  describe(`KMS behaviour: ${target.name}`, () => {
    for (const [scenario, { expected, run }] of Object.entries(SCENARIOS)) {
      if (target.diverges.includes(scenario)) continue;
      it(`${scenario}: ${expected}`, async () => {
        const { kms, close } = target.make();
        try {
          expect(await run(kms)).toBe(expected);
        } finally {
          close();
        }
      });
    }

    if (target.diverges.length > 0) {
      it(`still differs from AWS KMS on: ${target.diverges.join('; ')}`, async () => {
        const { kms, close } = target.make();
        try {
          for (const scenario of target.diverges) {
            const { expected, run } = SCENARIOS[scenario] as (typeof SCENARIOS)[string];
            expect(await run(kms), scenario).not.toBe(expected);
          }
        } finally {
          close();
        }
      });
    }
  });
}
