// @sealflow/keystore-xks public surface. Every export is named here; nothing else is API.

// The proxy server.
export { createXksProxy, XksProxy } from './server/xks-proxy.js';
export type { XksProxyAddress } from './server/xks-proxy.js';
export type {
  XksProxyOptions,
  XksProxyKeyStoreOptions,
  XksProxyTlsOptions,
  XksProxyHealthOptions,
  XksProxyLimits,
} from './server/proxy-options.js';
export type { XksCredential } from './server/sigv4-verifier.js';
export { createRuleAuthorizer } from './server/authorizer.js';
export type {
  XksAuthorizer,
  XksAuthorizationRequest,
  XksAuthorizationDecision,
  XksAuthorizationRule,
  XksAuthorizedOperation,
} from './server/authorizer.js';
export { XKS_REQUEST_CHANNEL } from './server/audit.js';
export type { XksAuditRecord } from './server/audit.js';

// Config files.
export { loadXksProxyConfig } from './server/config-file.js';
export type { XksProxyConfig, XksBackendConfig } from './server/config-file.js';
export { startXksProxyFromConfig } from './server/start-from-config.js';
export type { ConfiguredXksProxy, StartFromConfigOptions } from './server/start-from-config.js';

// Key backends.
export { XksBackendError } from './backend/key-backend.js';
export type {
  XksKeyBackend,
  XksKeyDescription,
  XksKeyStatus,
  XksKeyUsage,
  XksSealedBytes,
  XksEkmMember,
} from './backend/key-backend.js';
export { InMemoryXksBackend } from './backend/memory-backend.js';
export type { InMemoryKeyOptions } from './backend/memory-backend.js';
export { MemoryKmsXksBackend } from './backend/memory-kms-backend.js';
export type { MemoryKmsXksBackendOpenOptions, MemoryKmsXksKeyOptions } from './backend/memory-kms-backend.js';

// The client key store.
export { XksKeyStore } from './client/xks-key-store.js';
export type { XksKeyStoreOptions, XksClientTlsOptions } from './client/client-options.js';
export type { XksKeyMetadata, XksHealthStatus } from './client/xks-responses.js';
export { XKS_PROVIDER_ID } from './client/edk-layout.js';

// Wire facts.
export { XKS_SERVICE, XksErrorStatus } from './shared/xks-wire.js';
export type { XksErrorName, XksOperation } from './shared/xks-wire.js';
