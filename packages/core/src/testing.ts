// @sealflow/core/testing: TEST-ONLY. Not part of the public API and not for applications:
// an engine that writes reproducible messages from a fixed message ID and data key, for
// the repository's tests and the bench's cross-checks. The public `createEngine` never
// reads these materials.
import { createEngineWithMaterials, type Engine } from './create-engine.js';
import type { FixedMaterials } from './engine/engine-core.js';
import type { EncryptOptions, EngineOptions } from './engine/options.js';

export { createEngineWithMaterials } from './create-engine.js';
export type { MaterialsReader } from './call-plans.js';
export type { FixedMaterials } from './engine/engine-core.js';

/** The encrypt-option key under which `createTestEngine`'s engines find a call's fixed materials. */
export const FIXED_MATERIALS: unique symbol = Symbol('sealflow.fixedMaterials');

/**
 * Test-only: an engine that honours `{ [FIXED_MATERIALS]: { messageId, dataKey } }` in a
 * call's encrypt options (calls without it encrypt as usual).
 * @throws {InvalidArgumentError} for invalid options, as `createEngine`.
 */
export function createTestEngine(options: EngineOptions): Engine {
  return createEngineWithMaterials(options, (o: EncryptOptions | undefined) =>
    o === undefined ? undefined : ((o as Record<symbol, unknown>)[FIXED_MATERIALS] as FixedMaterials | undefined),
  );
}
