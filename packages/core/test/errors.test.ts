import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AuthenticationError,
  createEngine,
  deserializeError,
  ErrorCodes,
  InvalidArgumentError,
  isSealflowError,
  KeyStoreError,
  LimitExceededError,
  MalformedMessageError,
  SealflowError,
  serializeError,
  WorkerError,
  type AuthenticationCode,
  type InvalidArgumentCode,
  type MalformedMessageCode,
} from '@sealflow/core';
import { caught, layoutOf, patternBytes, rawAesStore, WRAPPING_KEY } from './engine/fixtures.js';

describe('ErrorCodes', () => {
  // Codes are API. Renaming or removing one fails here; a new code must be added to this
  // list (and to docs/ERRORS.md) and must follow the ERR_<KEY> pattern checked below.
  it('pins every code string: no code is renamed or removed', () => {
    expect(ErrorCodes).toMatchObject({
      INVALID_ARGUMENT: 'ERR_INVALID_ARGUMENT',
      RESERVED_CONTEXT_KEY: 'ERR_RESERVED_CONTEXT_KEY',
      COMMITMENT_POLICY: 'ERR_COMMITMENT_POLICY',
      ENGINE_CLOSED: 'ERR_ENGINE_CLOSED',
      TIMEOUT: 'ERR_TIMEOUT',
      MALFORMED_MESSAGE: 'ERR_MALFORMED_MESSAGE',
      UNSUPPORTED_VERSION: 'ERR_UNSUPPORTED_VERSION',
      UNSUPPORTED_SUITE: 'ERR_UNSUPPORTED_SUITE',
      BASE64_INPUT: 'ERR_BASE64_INPUT',
      TRUNCATED: 'ERR_TRUNCATED',
      TRAILING_BYTES: 'ERR_TRAILING_BYTES',
      FRAME_SEQUENCE: 'ERR_FRAME_SEQUENCE',
      RANGE_NOT_SATISFIABLE: 'ERR_RANGE_NOT_SATISFIABLE',
      AUTHENTICATION_FAILED: 'ERR_AUTHENTICATION_FAILED',
      COMMITMENT_MISMATCH: 'ERR_COMMITMENT_MISMATCH',
      SIGNATURE_INVALID: 'ERR_SIGNATURE_INVALID',
      CONTEXT_MISMATCH: 'ERR_CONTEXT_MISMATCH',
      LIMIT_EXCEEDED: 'ERR_LIMIT_EXCEEDED',
      NO_DECRYPTABLE_KEY: 'ERR_NO_DECRYPTABLE_KEY',
      KEY_STORE_UNAVAILABLE: 'ERR_KEY_STORE_UNAVAILABLE',
      KEY_NOT_FOUND: 'ERR_KEY_NOT_FOUND',
      KEY_DISABLED: 'ERR_KEY_DISABLED',
      KEY_INVALID_STATE: 'ERR_KEY_INVALID_STATE',
      ACCESS_DENIED: 'ERR_ACCESS_DENIED',
      INVALID_KEY_CIPHERTEXT: 'ERR_INVALID_KEY_CIPHERTEXT',
      THROTTLED: 'ERR_THROTTLED',
      UNSUPPORTED_KEY: 'ERR_UNSUPPORTED_KEY',
      KEY_STORE_FAILED: 'ERR_KEY_STORE_FAILED',
      KEY_STORE_LOCKED: 'ERR_KEY_STORE_LOCKED',
      KEY_STORE_CORRUPT: 'ERR_KEY_STORE_CORRUPT',
      WORKER_FAILED: 'ERR_WORKER_FAILED',
      S3: 'ERR_S3',
    });
  });

  it('spells every code, present and future, as ERR_ followed by its key, all distinct', () => {
    const values = Object.values(ErrorCodes);
    expect(new Set(values).size).toBe(values.length);
    for (const [key, code] of Object.entries(ErrorCodes)) expect(code).toBe(`ERR_${key}`);
  });
});

describe('SealflowError', () => {
  it('names itself after its class, carries its code and cause, and is an Error', () => {
    const cause = new Error('inner');
    const error = new MalformedMessageError(ErrorCodes.TRUNCATED, 'cut short', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(SealflowError);
    expect(error.name).toBe('MalformedMessageError');
    expect(error.code).toBe('ERR_TRUNCATED');
    expect(error.cause).toBe(cause);
    expect(isSealflowError(error)).toBe(true);
    expect(isSealflowError(new Error('x'))).toBe(false);
    expect(isSealflowError({ code: 'ERR_TRUNCATED' })).toBe(false);
  });

  it('is recognised by isSealflowError across two copies of the package (the built dist beside src)', async () => {
    // The test imports src; dist/ is a second, separately loaded copy with its own classes.
    const other = (await import(new URL('../dist/errors.js', import.meta.url).href)) as typeof import('@sealflow/core');
    const foreign = new other.AuthenticationError(other.ErrorCodes.AUTHENTICATION_FAILED, 'from the other copy');
    expect(foreign).not.toBeInstanceOf(SealflowError);
    expect(isSealflowError(foreign)).toBe(true);
    expect(other.isSealflowError(new KeyStoreError(ErrorCodes.KEY_NOT_FOUND, 'from this copy'))).toBe(true);
    expect(isSealflowError(Object.create(null))).toBe(false);
    expect(isSealflowError({ [Symbol('sealflow.error')]: true })).toBe(false);
  });

  it('types codes per class', () => {
    expectTypeOf<InvalidArgumentError['code']>().toEqualTypeOf<InvalidArgumentCode>();
    expectTypeOf<MalformedMessageError['code']>().toEqualTypeOf<MalformedMessageCode>();
    expectTypeOf<AuthenticationError['code']>().toEqualTypeOf<AuthenticationCode>();
    expectTypeOf<LimitExceededError['code']>().toEqualTypeOf<'ERR_LIMIT_EXCEEDED'>();
    expectTypeOf<WorkerError['code']>().toEqualTypeOf<'ERR_WORKER_FAILED'>();
    expectTypeOf<InvalidArgumentCode>().toExtend<
      'ERR_INVALID_ARGUMENT' | 'ERR_RESERVED_CONTEXT_KEY' | 'ERR_COMMITMENT_POLICY' | 'ERR_ENGINE_CLOSED'
    >();
    expect(new InvalidArgumentError(ErrorCodes.ENGINE_CLOSED, 'x').code).toBe('ERR_ENGINE_CLOSED');
  });

  it('has no cause property when none was given', () => {
    expect(Object.hasOwn(new SealflowError(ErrorCodes.INVALID_ARGUMENT, 'x'), 'cause')).toBe(false);
  });

  it('gives LimitExceededError its limit, max and actual, and a default message that names them', () => {
    const error = new LimitExceededError('maxEncryptedDataKeys', 10, 65535);
    expect(error.code).toBe('ERR_LIMIT_EXCEEDED');
    expect([error.limit, error.max, error.actual]).toStrictEqual(['maxEncryptedDataKeys', 10, 65535]);
    expect(error.message).toContain('maxEncryptedDataKeys');
    expect(error.message).toContain('65535');
  });
});

describe('serializeError / deserializeError', () => {
  const samples: SealflowError[] = [
    new SealflowError(ErrorCodes.ENGINE_CLOSED, 'closed'),
    new InvalidArgumentError(ErrorCodes.RESERVED_CONTEXT_KEY, 'reserved'),
    new MalformedMessageError(ErrorCodes.FRAME_SEQUENCE, 'out of order'),
    new AuthenticationError(ErrorCodes.AUTHENTICATION_FAILED, 'did not authenticate'),
    new LimitExceededError('maxFrameLength', 16 * 1024 * 1024, 0xffff_ffff),
    new KeyStoreError(ErrorCodes.NO_DECRYPTABLE_KEY, 'none', {
      store: 'raw-aes:ns/k',
      keyId: 'arn:aws:kms:us-east-1:111122223333:key/x',
      requestId: 'req-1',
      failures: [{ store: 'raw-aes:ns/k', code: ErrorCodes.INVALID_KEY_CIPHERTEXT, message: 'no' }],
    }),
    new KeyStoreError(ErrorCodes.KEY_STORE_UNAVAILABLE, 'down'),
    new WorkerError(ErrorCodes.WORKER_FAILED, 'worker died'),
  ];

  for (const original of samples) {
    it(`round-trips a ${original.name} (${original.code}) through structuredClone with class and fields intact`, () => {
      const record = structuredClone(serializeError(original));
      const back = deserializeError(record);
      expect(back.constructor).toBe(original.constructor);
      expect(back.name).toBe(original.name);
      expect(back.code).toBe(original.code);
      expect(back.message).toBe(original.message);
      expect(serializeError(back)).toStrictEqual(serializeError(original));
      if (original instanceof LimitExceededError) {
        expect(back).toBeInstanceOf(LimitExceededError);
        expect([
          (back as LimitExceededError).limit,
          (back as LimitExceededError).max,
          (back as LimitExceededError).actual,
        ]).toStrictEqual([original.limit, original.max, original.actual]);
      }
      if (original instanceof KeyStoreError) {
        const k = back as KeyStoreError;
        expect([k.store, k.keyId, k.requestId, k.failures]).toStrictEqual([
          original.store,
          original.keyId,
          original.requestId,
          original.failures,
        ]);
      }
    });
  }

  it('toJSON gives the serialized record, so JSON logs keep code and fields', () => {
    const error = new LimitExceededError('maxHeaderBytes', 1, 2);
    expect(JSON.parse(JSON.stringify(error))).toStrictEqual(serializeError(error));
  });

  it('rebuilds an unknown class name as a plain SealflowError, never an arbitrary global', () => {
    const back = deserializeError({ name: 'Function', code: ErrorCodes.KEY_STORE_FAILED, message: 'x' });
    expect(back.constructor).toBe(SealflowError);
    const proto = deserializeError({ name: '__proto__', code: ErrorCodes.KEY_STORE_FAILED, message: 'x' });
    expect(proto.constructor).toBe(SealflowError);
  });
});

describe('authentication failure messages', () => {
  it('are one generic sentence whatever byte was altered, and never name a byte, frame or key', async () => {
    const store = rawAesStore();
    const engine = createEngine({ keyStore: store, frameLength: 64 });
    const ciphertext = await engine.encrypt(patternBytes(300));
    const layout = layoutOf(engine, ciphertext);
    // Positions whose change is caught by a GCM tag: header tag, inside frames, inside the final frame.
    const positions = [
      layout.headerLength - 1,
      layout.frameOffset(0) + 20,
      layout.frameOffset(2) + 40,
      layout.finalOffset + 30,
      ciphertext.length - 1,
    ];
    const messages = new Set<string>();
    for (const position of positions) {
      const tampered = ciphertext.slice();
      tampered[position] = (tampered[position] as number) ^ 0x01;
      const error = await caught(() => engine.decrypt(tampered));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).code).toBe('ERR_AUTHENTICATION_FAILED');
      messages.add((error as Error).message);
    }
    expect(messages.size).toBe(1);
    const [message] = [...messages] as [string];
    expect(message).not.toMatch(/\d/);
    expect(message).not.toMatch(/frame|byte|offset|position|sealflow-test/i);
  });

  it('never carry the wrapping key or data key bytes, whatever fails', async () => {
    const engine = createEngine({ keyStore: rawAesStore() });
    const ciphertext = await engine.encrypt(patternBytes(10));
    const other = createEngine({ keyStore: rawAesStore(new Uint8Array(32).fill(9)) });
    const error = await caught(() => other.decrypt(ciphertext));
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    for (const key of [WRAPPING_KEY, new Uint8Array(32).fill(9)]) {
      const buffer = Buffer.from(key);
      expect(text).not.toContain(buffer.toString('hex'));
      expect(text).not.toContain(buffer.toString('base64'));
    }
  });
});
