import type { Transform } from 'node:stream';
import type { MaterialsReader } from './call-plans.js';
import { nodeBackend } from './crypto/node-backend.js';
import type { DecryptedHeader } from './engine/decrypt-session.js';
import type { DecryptOptions, EncryptOptions, EngineOptions } from './engine/options.js';
import { EngineBase } from './engine-base.js';
import type { PortableEngine } from './portable-engine.js';
import { SessionTransform } from './stream/node-transform.js';

/**
 * A Node Transform that decrypts; emits `'header'` (a DecryptedHeader: the authenticated
 * context and header facts) once, after the header verified and before any data.
 */
export type DecryptTransform = HeaderListeners & Transform;

/** The `'header'` overloads of `DecryptTransform`, ahead of Transform's own (so they match first). */
export interface HeaderListeners {
  on(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  once(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  addListener(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  prependListener(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  prependOnceListener(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  off(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
  removeListener(event: 'header', listener: (header: DecryptedHeader) => void): DecryptTransform;
}

/**
 * The Node entry's engine: the {@link PortableEngine} plus Node `Transform` streams. See the
 * public API contract in the README and docs.
 */
export interface Engine extends PortableEngine {
  encryptStream(options?: EncryptOptions): Transform;
  decryptStream(options?: DecryptOptions): DecryptTransform;
}

class NodeEngine extends EngineBase implements Engine {
  encryptStream(options?: EncryptOptions): Transform {
    const { session, idleTimeoutMs } = this.encryptSession(options);
    return new SessionTransform(session, idleTimeoutMs);
  }

  decryptStream(options?: DecryptOptions): DecryptTransform {
    let transform: SessionTransform | undefined = undefined;
    const { session, idleTimeoutMs } = this.decryptSession(options, (header) => transform?.emit('header', header));
    transform = new SessionTransform(session, idleTimeoutMs);
    return transform;
  }
}

/**
 * Creates an engine over one or more key stores (node:crypto unless `backend` says otherwise).
 * @throws {InvalidArgumentError} for invalid options (synchronously: nothing is async yet).
 */
export function createEngine(options: EngineOptions): Engine {
  return new NodeEngine(options, undefined, nodeBackend);
}

/**
 * Test-only: an engine whose encrypts take a fixed message ID and data key from `materials`
 * (reproducible bytes). Not in the public index; reached through `@sealflow/core/testing`.
 * @throws {InvalidArgumentError} for invalid options, as `createEngine`.
 */
export function createEngineWithMaterials(options: EngineOptions, materials: MaterialsReader): Engine {
  return new NodeEngine(options, materials, nodeBackend);
}
