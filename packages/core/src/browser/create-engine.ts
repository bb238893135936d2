import { nobleBackend } from '../crypto/noble-backend.js';
import type { EngineOptions } from '../engine/options.js';
import { EngineBase } from '../engine-base.js';
import type { PortableEngine } from '../portable-engine.js';

/**
 * Creates an engine for browsers and edge runtimes: the shared engine (one-shot calls, Web
 * Streams, async iterables, ranges, re-keying) with the `@noble` backend by default (the
 * frame path is synchronous; WebCrypto is promise-only). No Node streams, worker pool,
 * native backend or file sources.
 * @throws {InvalidArgumentError} for invalid options, `backend: 'node'` included.
 */
export function createEngine(options: EngineOptions): PortableEngine {
  return new EngineBase(options, undefined, nobleBackend);
}
