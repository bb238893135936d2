// The S3 endpoint the gateway's `s3` storage suites run against: moto's server answers
// S3 as well as KMS, so the global setup exports the moto endpoint it started (or the one
// given in SEALFLOW_MOTO_ENDPOINT) under this name too; suites read it through
// ./required-services.ts (a missing moto fails them, never skips). Suites make their own buckets
// (unique names), so they share the one moto instance with the KMS suites safely.

/** Environment variable holding moto's S3 endpoint (`http://127.0.0.1:<port>`). */
export const S3EmulatorEnv = {
  endpoint: 'SEALFLOW_MOTO_S3_ENDPOINT',
} as const;

/** moto accepts any credential; these are the ones the suites sign with. */
export const MOTO_S3_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
