import { isSealflowError } from '../errors.js';
import type { EncryptedDataKey } from '../format/encrypted-data-key.js';
import type { EncryptionContext } from '../format/encryption-context.js';
import { DataKey } from './data-key.js';
import type { KeyStore } from './key-store.js';

/** One conformance check: `run` resolves when the store conforms and rejects when it does not. */
export interface KeyStoreConformanceCase {
  readonly name: string;
  run(): Promise<void>;
}

/** What the conformance suite needs from a key-store author. */
export interface KeyStoreConformanceTarget {
  /** A store ready to generate, wrap and unwrap data keys (called once per case). */
  readonly makeStore: () => KeyStore | Promise<KeyStore>;
  /** The context the cases bind (default `{ purpose: 'keystore-conformance' }`). */
  readonly context?: EncryptionContext;
  /**
   * `false` only for a wire format that cannot bind the context to the EDK (the ESDK raw RSA
   * keyring): the context rule is then skipped, and the message's header tag alone binds
   * the context. Every other store binds it (KMS EncryptionContext, GCM AAD).
   */
  readonly bindsContext?: boolean;
}

const CONTEXT_RULE = 'unwrapDataKey binds the encryption context: another context fails';

/** A store's failure to conform: the case name says which rule. */
class ConformanceFailure extends Error {
  override readonly name = 'ConformanceFailure';
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new ConformanceFailure(message);
}

const equalBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((byte, i) => byte === b[i]);
const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** Runs `attempt`, which must fail with a sealflow error (a KeyStoreError, normally). */
async function mustFail(attempt: () => Promise<DataKey>, what: string): Promise<void> {
  let result: DataKey | undefined;
  try {
    result = await attempt();
  } catch (error) {
    check(isSealflowError(error), `${what}: failed with something other than a SealflowError (${String(error)})`);
    return;
  }
  result.destroy();
  throw new ConformanceFailure(`${what}: returned a data key instead of failing`);
}

/**
 * The rules every {@link KeyStore} follows, as a list of cases a test runner runs (core has
 * no test framework dependency): `for (const c of keyStoreConformanceCases(t)) it(c.name, c.run)`.
 * Our stores all run it (raw AES, raw RSA, KMS over MemoryKms, moto and local-kms, XKS).
 */
export function keyStoreConformanceCases(target: KeyStoreConformanceTarget): readonly KeyStoreConformanceCase[] {
  const context = target.context ?? { purpose: 'keystore-conformance' };
  const request = { context, length: 32 };
  const store = async (): Promise<KeyStore> => target.makeStore();
  const cases: KeyStoreConformanceCase[] = [
    {
      name: 'generateDataKey returns a 32-byte key in an EDK the store claims and unwraps to the same bytes',
      run: async () => {
        const s = await store();
        const { dataKey, encryptedDataKey } = await s.generateDataKey(request);
        check(dataKey.length === 32, `generated key is ${dataKey.length} bytes, not 32`);
        check(s.canUnwrap(encryptedDataKey), 'canUnwrap is false for the store’s own EDK');
        const back = await s.unwrapDataKey(encryptedDataKey, request);
        check(equalBytes(back.reveal(), dataKey.reveal()), 'unwrapDataKey returned other bytes than generateDataKey');
        back.destroy();
        dataKey.destroy();
      },
    },
    {
      name: 'two generated data keys differ',
      run: async () => {
        const s = await store();
        const a = await s.generateDataKey(request);
        const b = await s.generateDataKey(request);
        check(!equalBytes(a.dataKey.reveal(), b.dataKey.reveal()), 'two generated data keys are equal');
        a.dataKey.destroy();
        b.dataKey.destroy();
      },
    },
    {
      name: 'wrapDataKey wraps a given key that unwrapDataKey returns',
      run: async () => {
        const s = await store();
        const bytes = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
        const edk = await s.wrapDataKey(DataKey.copyOf(bytes), request);
        check(s.canUnwrap(edk), 'canUnwrap is false for an EDK from wrapDataKey');
        const back = await s.unwrapDataKey(edk, request);
        check(equalBytes(back.reveal(), bytes), 'unwrapDataKey returned other bytes than were wrapped');
        back.destroy();
      },
    },
    {
      name: CONTEXT_RULE,
      run: async () => {
        const s = await store();
        const { dataKey, encryptedDataKey } = await s.generateDataKey(request);
        dataKey.destroy();
        const other = { ...context, 'conformance-extra': 'x' };
        await mustFail(
          () => s.unwrapDataKey(encryptedDataKey, { context: other, length: 32 }),
          'unwrap under another context',
        );
      },
    },
    {
      name: 'an altered EDK ciphertext fails to unwrap',
      run: async () => {
        const s = await store();
        const { dataKey, encryptedDataKey } = await s.generateDataKey(request);
        dataKey.destroy();
        const ciphertext = Uint8Array.from(encryptedDataKey.ciphertext);
        ciphertext[ciphertext.length - 1] = (ciphertext.at(-1) ?? 0) ^ 0x01;
        const altered: EncryptedDataKey = { ...encryptedDataKey, ciphertext };
        await mustFail(() => s.unwrapDataKey(altered, request), 'unwrap of an altered EDK');
      },
    },
    {
      name: 'canUnwrap declines an EDK of another provider',
      run: async () => {
        const s = await store();
        const foreign: EncryptedDataKey = {
          providerId: 'keystore-conformance-foreign',
          providerInfo: new Uint8Array(8),
          ciphertext: new Uint8Array(48),
        };
        check(!s.canUnwrap(foreign), 'canUnwrap is true for an EDK of another provider');
      },
    },
    {
      name: 'id names the store and never holds the data key',
      run: async () => {
        const s = await store();
        check(typeof s.id === 'string' && s.id.length > 0, 'id is not a non-empty string');
        const { dataKey } = await s.generateDataKey(request);
        const key = dataKey.reveal();
        check(!s.id.toLowerCase().includes(hex(key)), 'id holds the data key (hex)');
        check(!String(dataKey).includes(hex(key)), 'the data key prints its bytes');
        dataKey.destroy();
      },
    },
  ];
  return target.bindsContext === false ? cases.filter((c) => c.name !== CONTEXT_RULE) : cases;
}
