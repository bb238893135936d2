// Names shared by the global setup (which starts the KMS emulators) and the suites (which
// read their endpoints). Suites read them through ./required-services.ts, which fails a
// suite whose emulator is not running (never skips it).

/** Environment variables holding the emulators' endpoints (`http://127.0.0.1:<port>`). */
export const KmsEmulatorEnv = {
  motoEndpoint: 'SEALFLOW_MOTO_ENDPOINT',
  localKmsEndpoint: 'SEALFLOW_LOCAL_KMS_ENDPOINT',
} as const;

/**
 * local-kms serves a single account and region, fixed when it starts. moto takes the
 * region from each request's SigV4 scope and uses account 123456789012.
 */
export const LOCAL_KMS_REGION = 'us-west-2';
export const LOCAL_KMS_ACCOUNT = '111122223333';
export const MOTO_ACCOUNT = '123456789012';
