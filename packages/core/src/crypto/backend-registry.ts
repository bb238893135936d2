import { ErrorCodes, InvalidArgumentError } from '../errors.js';
import type { CipherBackend } from './backend.js';

/** Names `createEngine({ backend })` accepts besides a CipherBackend object. */
export type BackendName = 'auto' | 'native' | 'node' | 'noble';

/**
 * Backends that live outside core's dependency-free runtime register here when their
 * module loads: `@sealflow/native` (Rust, napi) and `@sealflow/core/noble` (pure JS).
 * Core never imports them itself: on a machine where the native package is absent (no
 * cargo, no prebuilt binary) nothing registers and `auto` is node:crypto, with no error.
 */
const registered = new Map<'native' | 'noble', CipherBackend>();

/**
 * Makes `backend` available as `createEngine({ backend: name })` (and, for `native`, the
 * `auto` default). Called by the backend's own module on import.
 *
 * @throws InvalidArgumentError INVALID_ARGUMENT for another name or a non-backend.
 */
export function registerCipherBackend(name: 'native' | 'noble', backend: CipherBackend): void {
  if (name !== 'native' && name !== 'noble')
    throw new InvalidArgumentError(ErrorCodes.INVALID_ARGUMENT, 'registerCipherBackend: name must be native or noble');
  if (typeof backend !== 'object' || backend === null || typeof backend.seal !== 'function') {
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      'registerCipherBackend: backend must be a CipherBackend',
    );
  }
  registered.set(name, backend);
}

/**
 * The backend `auto` resolves to now: native when registered, else `platformDefault` (the
 * entry's own: node:crypto for the Node entry, `webBackend` for the browser one). This
 * module imports no backend itself, so the browser build reaches no `node:` module.
 */
export function autoBackendOr(platformDefault: CipherBackend): CipherBackend {
  return registered.get('native') ?? platformDefault;
}

/**
 * Resolves a backend name; `platformDefault` is the entry's own backend (see `autoBackendOr`).
 *
 * @throws InvalidArgumentError INVALID_ARGUMENT when `native` or `noble` was asked for and its
 * module was not loaded (import `@sealflow/native` or `@sealflow/core/noble` first), or
 * `node` in the browser build.
 */
export function backendByName(name: BackendName, platformDefault: CipherBackend): CipherBackend {
  if (name === 'auto') return autoBackendOr(platformDefault);
  if (name === 'node') {
    if (platformDefault.name === 'node') return platformDefault;
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      "createEngine backend 'node' is not in this build (the browser entry has no Node crypto): use 'auto' or 'noble'",
    );
  }
  const found = registered.get(name);
  if (found === undefined) {
    const from =
      name === 'native' ? '@sealflow/native (built by `npm run setup` where cargo exists)' : '@sealflow/core/noble';
    throw new InvalidArgumentError(
      ErrorCodes.INVALID_ARGUMENT,
      `createEngine backend '${name}' is not loaded: import ${from} first`,
    );
  }
  return found;
}
