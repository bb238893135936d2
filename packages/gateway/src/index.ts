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
