// @sealflow/gateway public surface. Every export is named here; nothing else is API.
export { authenticate, authenticatePostObject, AuthLimits, PostFormLimits, defaultChecksums } from './auth/index.js';
export type {
  AuthRequest,
  AuthenticateOptions,
  AuthResult,
  PayloadMode,
  PostObjectRequest,
  PostObjectOptions,
  PostObjectAuth,
  AccountCredentials,
  CredentialLookup,
  Identity,
  ChecksumFactory,
  ChecksumHasher,
} from './auth/index.js';

// The gateway: config, start, server, handler (gateway-server).
export { loadGatewayConfig, parseGatewayConfig, isLoopback } from './config/gateway-config.js';
export type {
  GatewayConfig,
  GatewayAccount,
  StorageConfig,
  KeyStoreConfig,
  XksKeyConfig,
} from './config/gateway-config.js';
export { xksKeyProvider } from './keys/xks-key-provider.js';
export type { XksKeyProvider, XksKeyProviderOptions, XksGatewayKey } from './keys/xks-key-provider.js';
export { startGateway } from './gateway.js';
export type { RunningGateway, StartGatewayOptions } from './gateway.js';
export { GatewayServer } from './server/gateway-server.js';
export type { GatewayServerOptions } from './server/gateway-server.js';
export { createS3Handler, ANONYMOUS_PRINCIPAL } from './server/s3-handler.js';
export type { S3Request, S3Response, S3Handler, Caller } from './server/s3-exchange.js';
export { GatewayMetrics } from './metrics/gateway-metrics.js';
export { GatewayLimits } from './http/limits.js';
export { S3Operations, resolveOperation } from './http/operation.js';
export type { S3Operation } from './http/operation.js';
export { parseRequestTarget, isValidBucketName } from './http/request-target.js';
export type { RequestTarget } from './http/request-target.js';
export { FsBlobStore } from './storage/fs-blob-store.js';
export { S3BlobStore } from './storage/s3-blob-store.js';
export type { S3BlobStoreOptions } from './storage/s3-blob-store.js';
export { defaultGatewayConfig, DEFAULT_PRINCIPAL } from './config/default-config.js';
export type { DefaultCredentials } from './config/default-config.js';
