// @sealflow/s3/test-support: suites that other packages run against their own backends.
// Imports vitest; never import it from product code.
export { blobStoreConformance } from './store/blob-store-conformance.js';
export type { BlobStoreFactory } from './store/blob-store-conformance.js';
