/**
 * The storage contract the gateway's backends implement. It mirrors `BlobStore` of
 * `@sealflow/s3` (the contract owner); the backends are checked against that type where
 * they are handed to the S3 service.
 */
export interface BlobEntry {
  readonly name: string;
  readonly size: number;
}

export interface BlobStoreLike {
  put(name: string, source: AsyncIterable<Uint8Array>, options?: { readonly signal?: AbortSignal }): Promise<void>;
  get(name: string, range?: { readonly start?: number; readonly end?: number }): Promise<AsyncIterable<Uint8Array> | undefined>;
  read(name: string, position: number, length: number): Promise<Uint8Array>;
  stat(name: string): Promise<{ readonly size: number } | undefined>;
  delete(name: string): Promise<void>;
  list(prefix: string, options?: { readonly startAfter?: string; readonly limit?: number }): Promise<readonly BlobEntry[]>;
}
