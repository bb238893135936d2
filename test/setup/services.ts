// Services started once for the whole test run. Each returns its own teardown; the
// global setup runs them all at the end, whatever happened in between.
import { startKmsEmulators } from './kms-emulators.js';

/** Starts every service the suites need; resolves to a teardown that stops them all. */
export async function startServices(): Promise<() => Promise<void>> {
  const teardowns = [await startKmsEmulators()];
  return async () => {
    await Promise.all(teardowns.map((teardown) => teardown()));
  };
}
