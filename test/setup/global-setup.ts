// Starts the services the suites need (KMS emulators) once per run, and stops them after.
// Each service registers itself in ./services.ts; suites read their endpoints from
// environment variables that this setup exports.
import { startServices } from './services.js';

export default async function setup(): Promise<() => Promise<void>> {
  return startServices();
}
