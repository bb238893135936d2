/**
 * `@sealflow/gateway`: the reference S3-compatible encrypting gateway over `@sealflow/s3`.
 *
 * @packageDocumentation
 */
export {};
