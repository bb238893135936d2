import { autoBackendOr } from './backend-registry.js';
import type { CipherBackend } from './backend.js';
import { nodeBackend } from './node-backend.js';

/**
 * The backend `auto` resolves to now in the Node entry: native when `@sealflow/native`
 * registered, else node:crypto.
 */
export function autoBackend(): CipherBackend {
  return autoBackendOr(nodeBackend);
}
