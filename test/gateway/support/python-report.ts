import { afterAll, beforeAll } from 'vitest';
import type { Backend } from './gateway-harness.js';
import {
  makeSite,
  pythonClientEnv,
  requirePythonClients,
  run,
  spawnGateway,
  VENV_PYTHON,
  type GatewaySite,
  type SpawnedGateway,
} from './spawned-gateway.js';

/** What one Python client script reported against a spawned gateway, and the site it ran on. */
export interface PythonReport<R> {
  /** The script's JSON report (its stdout). */
  readonly report: R;
  readonly site: GatewaySite;
  readonly gateway: SpawnedGateway;
}

/**
 * Registers, in the calling `describe` block, a `beforeAll` that makes a site on `backend`,
 * spawns `sealflow gateway` over it and runs `script` once against it with the site's client
 * environment (a non-zero exit fails the block with the script's stderr), and an `afterAll`
 * that stops the gateway and removes the site. The fields are read by the block's tests.
 */
export function pythonReport<R>(
  backend: Backend,
  script: string,
  args: (site: GatewaySite, url: string) => string[],
): PythonReport<R> {
  let site: GatewaySite | undefined;
  let gw: SpawnedGateway | undefined;
  let report: R | undefined;
  beforeAll(async () => {
    requirePythonClients();
    site = await makeSite({ backend });
    gw = await spawnGateway(site.configFile);
    const result = await run(VENV_PYTHON, [script, ...args(site, gw.url)], pythonClientEnv(site), 110_000);
    if (result.code !== 0) throw new Error(`${script} failed (${String(result.code)}): ${result.stderr}`);
    report = JSON.parse(result.stdout) as R;
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
    site?.remove();
  });
  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is read before beforeAll ran`);
    return value;
  };
  return {
    get report(): R {
      return ready(report, 'the report');
    },
    get site(): GatewaySite {
      return ready(site, 'the site');
    },
    get gateway(): SpawnedGateway {
      return ready(gw, 'the gateway');
    },
  };
}
