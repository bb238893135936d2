// @sealflow/gateway public surface. Every export is named here; nothing else is API.
export { authenticate, AuthLimits, nodeChecksums } from './auth/index.js';
export type {
  AuthRequest,
  AuthenticateOptions,
  AuthResult,
  PayloadMode,
  AccountCredentials,
  CredentialLookup,
  Identity,
  ChecksumFactory,
  ChecksumHasher,
} from './auth/index.js';
