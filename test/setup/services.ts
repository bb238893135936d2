// Services started once for the whole test run. Each returns its own teardown; the
// global setup runs them all at the end, whatever happened in between.
import { startKmsEmulators } from './kms-emulators.js';
import { KmsEmulatorEnv } from './kms-emulator-env.js';
import { S3EmulatorEnv } from './s3-emulator-env.js';

/** Starts every service the suites need; resolves to a teardown that stops them all. */
export async function startServices(): Promise<() => Promise<void>> {
  const teardowns = [await startKmsEmulators()];
  // moto serves S3 too: the gateway's `s3` backend suites use the same server.
  const moto = process.env[KmsEmulatorEnv.motoEndpoint];
  if (moto && !process.env[S3EmulatorEnv.endpoint]) process.env[S3EmulatorEnv.endpoint] = moto;
  return async () => {
    await Promise.all(teardowns.map((teardown) => teardown()));
  };
}
