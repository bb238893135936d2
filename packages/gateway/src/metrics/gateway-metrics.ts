import diagnostics from 'node:diagnostics_channel';
import { autoBackend, Channels, type BucketKeyEvent } from '@sealflow/core';
import { Counter, Gauge, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics, in a registry of its own (never prom-client's global
 * one, so two gateways in one process do not mix their request counts):
 *
 * - `sealflow_gateway_requests_total{operation,status}`
 * - `sealflow_gateway_sse_kms_requests_total{operation}` and the gauge
 *   `sealflow_gateway_sse_kms_request_ratio` (S3 Storage Lens' "% of all requests that are SSE-KMS")
 * - `sealflow_gateway_kms_calls_total{operation}`: KMS calls made for S3 requests
 * - `sealflow_gateway_kms_calls_avoided_total`: calls saved by bucket keys (cache hits of
 *   every engine in this process)
 * - `sealflow_gateway_bytes_in_total` / `sealflow_gateway_bytes_out_total`: body bytes
 * - `sealflow_gateway_orphans_removed_total{kind}`: what the orphan sweeper removed
 *   (`body`, `part`, `upload`), and `sealflow_gateway_orphan_sweeps_total{outcome}`
 * - `sealflow_gateway_cipher_backend_info{backend}`: 1 for the AES-GCM backend the engines
 *   use (`native` once `@sealflow/native` loaded, else `node`)
 */
export class GatewayMetrics {
  readonly registry: Registry = new Registry();
  readonly #requests: Counter<'operation' | 'status'>;
  readonly #sseKms: Counter<'operation'>;
  readonly #kmsCalls: Counter<'operation'>;
  readonly #kmsAvoided: Counter;
  readonly #bytesIn: Counter;
  readonly #bytesOut: Counter;
  readonly #orphans: Counter<'kind'>;
  readonly #sweeps: Counter<'outcome'>;
  #total = 0;
  #kmsTotal = 0;
  readonly #onBucketKey = (message: unknown): void => {
    const event = message as BucketKeyEvent;
    if (event.action === 'hit') this.#kmsAvoided.inc();
  };

  constructor() {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'sealflow_gateway_requests_total',
      help: 'S3 requests by operation and HTTP status',
      labelNames: ['operation', 'status'],
      registers,
    });
    this.#sseKms = new Counter({
      name: 'sealflow_gateway_sse_kms_requests_total',
      help: 'Requests that wrote or read an SSE-KMS object',
      labelNames: ['operation'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'sealflow_gateway_sse_kms_request_ratio',
      help: 'Share of all requests that are SSE-KMS requests (0 to 1)',
      registers,
      collect() {
        this.set(self.#total === 0 ? 0 : self.#kmsTotal / self.#total);
      },
    });
    this.#kmsCalls = new Counter({
      name: 'sealflow_gateway_kms_calls_total',
      help: 'KMS calls made for S3 requests, by KMS operation',
      labelNames: ['operation'],
      registers,
    });
    this.#kmsAvoided = new Counter({
      name: 'sealflow_gateway_kms_calls_avoided_total',
      help: 'KMS calls avoided by bucket keys (cache hits)',
      registers,
    });
    this.#bytesIn = new Counter({
      name: 'sealflow_gateway_bytes_in_total',
      help: 'Request body bytes received',
      registers,
    });
    this.#bytesOut = new Counter({
      name: 'sealflow_gateway_bytes_out_total',
      help: 'Response body bytes sent',
      registers,
    });
    this.#orphans = new Counter({
      name: 'sealflow_gateway_orphans_removed_total',
      help: 'Blobs the orphan sweeper removed: bodies, part records, expired uploads',
      labelNames: ['kind'],
      registers,
    });
    this.#sweeps = new Counter({
      name: 'sealflow_gateway_orphan_sweeps_total',
      help: 'Orphan sweeps run, by outcome (ok, error)',
      labelNames: ['outcome'],
      registers,
    });
    new Gauge({
      name: 'sealflow_gateway_cipher_backend_info',
      help: "The engines' AES-GCM backend (the engine's auto choice): native (ring, @sealflow/native) or node",
      labelNames: ['backend'],
      registers,
      collect() {
        this.reset();
        this.set({ backend: autoBackend().name }, 1);
      },
    });
    diagnostics.subscribe(Channels.bucketKey, this.#onBucketKey);
  }

  /** Counts one orphan sweep and what it removed (`undefined`: the sweep failed). */
  orphanSweep(removed: { bodies: number; parts: number; expiredUploads: number } | undefined): void {
    this.#sweeps.inc({ outcome: removed === undefined ? 'error' : 'ok' });
    if (removed === undefined) return;
    this.#orphans.inc({ kind: 'body' }, removed.bodies);
    this.#orphans.inc({ kind: 'part' }, removed.parts);
    this.#orphans.inc({ kind: 'upload' }, removed.expiredUploads);
  }

  /** Counts one finished request. */
  request(operation: string, status: number, sseKms: boolean): void {
    this.#requests.inc({ operation, status: String(status) });
    this.#total += 1;
    if (sseKms) {
      this.#sseKms.inc({ operation });
      this.#kmsTotal += 1;
    }
  }

  /** Counts one KMS call (GenerateDataKey, Decrypt, Encrypt). */
  kmsCall(operation: string): void {
    this.#kmsCalls.inc({ operation });
  }

  bytesIn(n: number): void {
    this.#bytesIn.inc(n);
  }

  bytesOut(n: number): void {
    this.#bytesOut.inc(n);
  }

  /** The Prometheus text exposition and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Stops listening for bucket-key events. */
  close(): void {
    diagnostics.unsubscribe(Channels.bucketKey, this.#onBucketKey);
  }
}
