// @sealflow/gateway authentication surface. Every export is named here.
export { authenticate } from './authenticate.js';
export { authenticatePostObject } from './authenticate-post.js';
export type { PostObjectRequest, PostObjectOptions, PostObjectAuth } from './authenticate-post.js';
export { PostFormLimits } from './post-form.js';
export type { AuthRequest, AuthenticateOptions, AuthResult, PayloadMode } from './authenticate.js';
export type { AccountCredentials, CredentialLookup, Identity } from './credentials.js';
export { defaultChecksums } from './checksums.js';
export type { ChecksumFactory, ChecksumHasher } from './checksums.js';
export { AuthLimits } from './limits.js';
