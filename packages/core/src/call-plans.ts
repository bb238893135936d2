import { assertInteger, OptionReader, readOptions } from './assert.js';
import { ErrorCodes, InvalidArgumentError } from './errors.js';
import { FormatLimits } from './format/limits.js';
import { s3BucketContext } from './keys/bucket-key-cache.js';
import type { DecryptPlan } from './engine/decrypt-session.js';
import { assertOpen, type BucketKeyRequest, type EngineCore, type FixedMaterials } from './engine/engine-core.js';
import type { EncryptPlan } from './engine/encrypt-session.js';
import {
  assertIdleTimeout,
  assertOptionalContext,
  assertSignal,
  assertStringList,
  assertSuite,
  DECRYPT_KEYS,
  ENCRYPT_KEYS,
  type DecryptOptions,
  type EncryptOptions,
} from './engine/options.js';

/** Reads a call's fixed materials from its encrypt options (test engines only; see `createEngineWithMaterials`). */
export type MaterialsReader = (options: EncryptOptions | undefined) => FixedMaterials | undefined;

/** Everything `encryptPlan` reads besides the call's options. */
export interface PlanContext {
  readonly core: EngineCore;
  readonly materials: MaterialsReader | undefined;
  readonly bucketKeysEnabled: boolean;
}

/**
 * Validates one call's encrypt options into a plan.
 * @throws {InvalidArgumentError} for an invalid option; ERR_ENGINE_CLOSED after close.
 */
export function encryptPlan(ctx: PlanContext, options: EncryptOptions | undefined, knownLength?: number): EncryptPlan {
  assertOpen(ctx.core);
  const o = readOptions(options, 'encrypt options', ENCRYPT_KEYS, { optional: true });
  const fixed = ctx.materials?.(options);
  const suite = assertSuite(o.raw('suite') ?? ctx.core.suite, 'encrypt suite');
  const frameLength = assertInteger(
    o.raw('frameLength') ?? ctx.core.frameLength,
    'encrypt frameLength',
    1,
    FormatLimits.maxFrameLength,
  );
  const givenLength = o.has('plaintextLength')
    ? assertInteger(o.raw('plaintextLength'), 'encrypt plaintextLength', 0, Number.MAX_SAFE_INTEGER)
    : undefined;
  const context = assertOptionalContext(o.raw('context'), 'encrypt context') ?? {};
  const keyId = o.raw('keyId');
  if (keyId !== undefined && typeof keyId !== 'string')
    throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'encrypt keyId: expected a string');
  const plaintextLength = knownLength ?? givenLength;
  let bucketKey: BucketKeyRequest | undefined;
  const bucketKeyOption = o.raw('bucketKey');
  if (bucketKeyOption !== undefined) {
    if (!ctx.bucketKeysEnabled) {
      throw new InvalidArgumentError(
        ErrorCodes.INVALID_ARGUMENT,
        'encrypt bucketKey: the engine was created without the bucketKeys option',
      );
    }
    if (bucketKeyOption === true) bucketKey = { context: s3BucketContext(context), plaintextLength };
    else {
      const b = readOptions(bucketKeyOption, 'encrypt bucketKey', ['context']);
      const bucketContext = assertOptionalContext(b.raw('context'), 'encrypt bucketKey.context');
      if (bucketContext === undefined)
        throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'encrypt bucketKey: expected true or { context }');
      bucketKey = { context: bucketContext, plaintextLength };
    }
  }
  return {
    suite,
    frameLength,
    context,
    requiredContextKeys: assertStringList(o.raw('requiredContextKeys'), 'encrypt requiredContextKeys'),
    keyId,
    plaintextLength,
    bucketKey,
    signal: assertSignal(o.raw('signal'), 'encrypt signal'),
    idleTimeoutMs: assertIdleTimeout(o.raw('idleTimeoutMs'), 'encrypt idleTimeoutMs'),
    fixed,
  };
}

/**
 * Validates one call's decrypt options into a plan: `options` as given, or already read by
 * `decryptRange` (which adds the range keys).
 * @throws {InvalidArgumentError} for an invalid option; ERR_ENGINE_CLOSED after close.
 */
export function decryptPlan(
  core: EngineCore,
  options: DecryptOptions | OptionReader<(typeof DECRYPT_KEYS)[number]> | undefined,
): DecryptPlan {
  assertOpen(core);
  const o =
    options instanceof OptionReader
      ? options
      : readOptions(options, 'decrypt options', DECRYPT_KEYS, { optional: true });
  const unsignedOnly = o.raw('unsignedOnly');
  if (unsignedOnly !== undefined && typeof unsignedOnly !== 'boolean') {
    throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'decrypt unsignedOnly: expected a boolean');
  }
  return {
    expectContext: assertOptionalContext(o.raw('expectContext'), 'decrypt expectContext'),
    reproducedContext: assertOptionalContext(o.raw('reproducedContext'), 'decrypt reproducedContext'),
    unsignedOnly: unsignedOnly === true,
    signal: assertSignal(o.raw('signal'), 'decrypt signal'),
    idleTimeoutMs: assertIdleTimeout(o.raw('idleTimeoutMs'), 'decrypt idleTimeoutMs'),
  };
}
