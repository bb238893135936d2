import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { XksEkmMember, XksKeyBackend } from '../backend/key-backend.js';
import { callBackend } from './backend-call.js';
import { buildGcmAad } from './gcm-aad.js';
import type { ResolvedProxyOptions } from './proxy-options.js';
import { XksRequestError } from './xks-error.js';

/** The GetHealthStatus response body (spec: xks-api.md §4.1). */
export interface HealthReport {
  readonly xksProxyFleetSize: number;
  readonly xksProxyVendor: string;
  readonly xksProxyModel: string;
  readonly ekmVendor: string;
  readonly ekmFleetDetails: readonly XksEkmMember[];
}

const HEALTH_AAD = new TextEncoder().encode('sealflow-xks-health-check');

/**
 * GetHealthStatus. A 200 promises that crypto calls would work now (spec §4.1), so a
 * backend with no usable member, or a failed round trip with the configured test key,
 * answers with an error instead. Results (good or bad) are reused for `cacheMs`.
 */
export class HealthCheck {
  readonly #options: ResolvedProxyOptions;
  #cached: { readonly at: number; readonly result: Promise<HealthReport> } | undefined;

  constructor(options: ResolvedProxyOptions) {
    this.#options = options;
  }

  /** @throws {XksRequestError} when the key manager is not usable. */
  report(): Promise<HealthReport> {
    const now = Date.now();
    if (this.#cached === undefined || now - this.#cached.at >= this.#options.health.cacheMs) {
      const result = this.#check();
      result.catch(() => undefined);
      this.#cached = { at: now, result };
    }
    return this.#cached.result;
  }

  async #check(): Promise<HealthReport> {
    const { backend, backendTimeoutMs, health } = this.#options;
    const members = await callBackend('health: members', backendTimeoutMs, () => backend.members());
    if (members.length === 0 || members.every((m) => m.healthStatus === 'UNAVAILABLE')) {
      throw new XksRequestError('InternalException', 'no key manager is available');
    }
    if (health.testKeyId !== undefined) {
      await roundTrip(backend, health.testKeyId, backendTimeoutMs).catch((error: unknown) => {
        // Key errors do not apply to health (spec §9): a failed self-test is the proxy's failure.
        if (error instanceof XksRequestError && error.errorName === 'DependencyTimeoutException') throw error;
        const detail = error instanceof XksRequestError ? error.detail : 'self-test failed';
        throw new XksRequestError('InternalException', 'the key manager failed its self-test', detail);
      });
    }
    return {
      xksProxyFleetSize: health.fleetSize,
      xksProxyVendor: health.vendor,
      xksProxyModel: health.model,
      ekmVendor: backend.vendor,
      // spec: 1 to 10 entries.
      ekmFleetDetails: members.slice(0, 10).map((m) => ({ id: m.id, model: m.model, healthStatus: m.healthStatus })),
    };
  }
}

/** Encrypts and decrypts random bytes with the test key; any difference is a failure. */
async function roundTrip(backend: XksKeyBackend, keyId: string, timeoutMs: number): Promise<void> {
  const probe = new Uint8Array(randomBytes(32));
  const aad = buildGcmAad(HEALTH_AAD, undefined);
  const sealed = await callBackend('health: encrypt', timeoutMs, () => backend.encrypt(keyId, probe, aad));
  const opened = await callBackend('health: decrypt', timeoutMs, () => backend.decrypt(keyId, sealed, aad));
  if (opened.length !== probe.length || !timingSafeEqual(opened, probe)) {
    throw new XksRequestError('InternalException', 'the key manager failed its self-test');
  }
}
