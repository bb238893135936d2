// @sealflow/s3 public surface. Every export is named here; nothing else is API.
export { isBlobName, isBlobPrefix, MAX_BLOB_NAME_LENGTH, MAX_BLOB_SEGMENT_LENGTH, MAX_BLOB_LIST_LIMIT } from './store/blob-store.js';
export type { BlobStore, BlobInfo, BlobPutOptions, BlobGetOptions, BlobListOptions, BlobListing } from './store/blob-store.js';
export { MemoryBlobStore } from './store/memory-blob-store.js';
export type { BlobReadLog } from './store/memory-blob-store.js';
