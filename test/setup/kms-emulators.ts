// The two KMS emulators the keystore-aws-kms suites run against, started on 127.0.0.1
// with free ports (both bind port 0 and announce the port they got):
//   moto      `moto_server -H 127.0.0.1 -p 0`        -> SEALFLOW_MOTO_ENDPOINT
//   local-kms `sealflow-local-kms` (PORT=0)           -> SEALFLOW_LOCAL_KMS_ENDPOINT
// scripts/install-emulators.sh installs both into .emulators/; SEALFLOW_MOTO_SERVER and
// SEALFLOW_LOCAL_KMS_BIN point elsewhere. An endpoint already set in the environment (an
// emulator you run yourself) is used as is and nothing is started for it.
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startService, type RunningService } from './spawn-service.js';
import { KmsEmulatorEnv, LOCAL_KMS_ACCOUNT, LOCAL_KMS_REGION } from './kms-emulator-env.js';

/** Where scripts/install-emulators.sh puts them (git-ignored). */
const INSTALLED = fileURLToPath(new URL('../../.emulators/', import.meta.url));

interface Emulator {
  readonly name: string;
  readonly envVar: string;
  /** The executable, or why there is none. */
  locate(): { readonly path: string } | { readonly missing: string };
  start(path: string): Promise<RunningService>;
}

const moto: Emulator = {
  name: 'moto',
  envVar: KmsEmulatorEnv.motoEndpoint,
  locate: () => {
    const path = process.env['SEALFLOW_MOTO_SERVER'] ?? join(INSTALLED, 'moto', 'bin', 'moto_server');
    return executable(path) ? { path } : { missing: `${path} is not installed` };
  },
  start: (path) =>
    startService({
      name: 'moto',
      command: path,
      args: ['-H', '127.0.0.1', '-p', '0'],
      portLine: /Running on http:\/\/127\.0\.0\.1:(\d+)/,
    }),
};

const localKms: Emulator = {
  name: 'local-kms',
  envVar: KmsEmulatorEnv.localKmsEndpoint,
  locate: () => {
    const path = process.env['SEALFLOW_LOCAL_KMS_BIN'] ?? join(INSTALLED, 'bin', 'sealflow-local-kms');
    return executable(path) ? { path } : { missing: `${path} is not installed` };
  },
  start: async (path) => {
    // A fresh leveldb directory per run: keys never leak between runs.
    const dataPath = mkdtempSync(join(tmpdir(), 'sealflow-local-kms-'));
    try {
      const service = await startService({
        name: 'local-kms',
        command: path,
        args: [],
        env: { PORT: '0', KMS_REGION: LOCAL_KMS_REGION, KMS_ACCOUNT_ID: LOCAL_KMS_ACCOUNT, KMS_DATA_PATH: dataPath },
        portLine: /listening on 127\.0\.0\.1:(\d+)/,
      });
      return {
        ...service,
        stop: async () => {
          await service.stop();
          rmSync(dataPath, { recursive: true, force: true });
        },
      };
    } catch (error) {
      rmSync(dataPath, { recursive: true, force: true });
      throw error;
    }
  },
};

/**
 * Starts every emulator that is installed and not already given by its env var, exports
 * the endpoints, and returns the teardown.
 * @throws {Error} under CI (`process.env.CI`) when an emulator is missing or fails to start.
 */
export async function startKmsEmulators(): Promise<() => Promise<void>> {
  const running: RunningService[] = [];
  const problems: string[] = [];
  await Promise.all(
    [moto, localKms].map(async (emulator) => {
      if (process.env[emulator.envVar]) return;
      const found = emulator.locate();
      if ('missing' in found) {
        problems.push(`${emulator.name}: ${found.missing}`);
        return;
      }
      try {
        const service = await emulator.start(found.path);
        running.push(service);
        process.env[emulator.envVar] = service.endpoint;
      } catch (error) {
        problems.push(`${emulator.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  const teardown = async (): Promise<void> => {
    await Promise.all(running.map((service) => service.stop()));
  };
  if (problems.length > 0) {
    const line = `sealflow: the suites that need a KMS emulator will fail: ${problems.join('; ')} (install with: bash scripts/install-emulators.sh)`;
    if (process.env['CI']) {
      await teardown();
      throw new Error(`${line}. CI requires both emulators.`);
    }
    console.warn(line);
  }
  return teardown;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
