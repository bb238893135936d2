// What the suites need from outside the Node process: the KMS emulators and moto's S3
// (started by the global setup from what scripts/install-emulators.sh installed), the
// Python S3 clients (scripts/install-s3-clients.sh) and the Python ESDK. A suite that needs
// one asks for it here, where it uses it (inside a test or hook, or at the top of a file
// that needs nothing else), and fails with how to install it when it is missing: CI
// always installs them (.ci/run), so a missing one is a broken setup, never a reason to skip.
import { existsSync } from 'node:fs';
import { KmsEmulatorEnv } from './kms-emulator-env.js';
import { S3EmulatorEnv } from './s3-emulator-env.js';

const EMULATORS = 'bash scripts/install-emulators.sh';

/**
 * The endpoint the global setup exported in `variable`.
 * @throws {Error} naming the service and how to install it, when it is unset.
 */
export function requiredEndpoint(variable: string, service: string): string {
  const value = process.env[variable];
  if (value === undefined || value === '') {
    throw new Error(
      `${service} is not running (${variable} is unset): install it with \`${EMULATORS}\` (the global setup starts it), or set ${variable} to a running one`,
    );
  }
  return value;
}

/** moto's endpoint (KMS). @throws {Error} when moto is not running. */
export const requireMoto = (): string => requiredEndpoint(KmsEmulatorEnv.motoEndpoint, 'moto');

/** local-kms's endpoint. @throws {Error} when local-kms is not running. */
export const requireLocalKms = (): string => requiredEndpoint(KmsEmulatorEnv.localKmsEndpoint, 'local-kms');

/** moto's S3 endpoint. @throws {Error} when moto is not running. */
export const requireMotoS3 = (): string => requiredEndpoint(S3EmulatorEnv.endpoint, "moto's S3");

/**
 * `path`, an executable a script installs.
 * @throws {Error} naming the script, when it is missing.
 */
export function requiredTool(path: string, what: string, script: string): string {
  if (!existsSync(path)) throw new Error(`${what} is not installed at ${path}: install it with \`bash ${script}\``);
  return path;
}
