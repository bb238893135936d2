import { nobleBackend } from '../crypto/noble-backend.js';
import { subtleOffload } from './subtle-offload.js';
import type { EngineOptions } from '../engine/options.js';
import { EngineBase } from '../engine-base.js';
import type { PortableEngine } from '../portable-engine.js';

/**
 * Creates an engine for browsers and edge runtimes: the shared engine (one-shot calls, Web
 * Streams, async iterables, ranges, re-keying). Bulk frames are sealed and opened by
 * WebCrypto (`subtleOffload()`) when `crypto.subtle` exists and `offload` is not given
 * (pass your own `offload` to replace it); the rest (HKDF, the final frame, ECDSA P-384, the
 * raw AES keyring) by `@noble`, as the engine's own path is synchronous and WebCrypto is
 * promise-only with no incremental hashing. No Node streams, worker pool, native backend
 * or file sources.
 * @throws {InvalidArgumentError} for invalid options, `backend: 'node'` included.
 */
export function createEngine(options: EngineOptions): PortableEngine {
  const subtle = (globalThis as { crypto?: { subtle?: unknown } }).crypto?.subtle;
  const withOffload =
    options !== null && typeof options === 'object' && !Object.hasOwn(options, 'offload') && subtle !== undefined
      ? { ...options, offload: subtleOffload() }
      : options;
  return new EngineBase(withOffload, undefined, nobleBackend);
}
