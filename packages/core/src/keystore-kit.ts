// @sealflow/core/keystore-kit: what a KeyStore author needs beyond the public types: the
// `sealflow:keystore:call` event helpers (for stores that publish their own events with
// the remote request ID), and the conformance suite every store runs in its tests.
export { publishKeyStoreCall, timeKeyStoreCall } from './keys/key-store-call.js';
export type { KeyStoreCall } from './keys/key-store-call.js';
export { keyStoreConformanceCases } from './keys/key-store-conformance.js';
export type { KeyStoreConformanceCase, KeyStoreConformanceTarget } from './keys/key-store-conformance.js';
