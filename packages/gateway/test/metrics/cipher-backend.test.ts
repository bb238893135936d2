import { afterEach, describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';

const opened: GatewayMetrics[] = [];
afterEach(() => opened.splice(0).forEach((m) => m.close()));

describe('sealflow_gateway_cipher_backend_info', () => {
  it("names the engines' backend, node:crypto while @sealflow/native is not loaded, as one series", async () => {
    const metrics = new GatewayMetrics();
    opened.push(metrics);
    const { body } = await metrics.render();
    const series = body.split('\n').filter((line) => line.startsWith('sealflow_gateway_cipher_backend_info'));
    expect(series).toEqual(['sealflow_gateway_cipher_backend_info{backend="node"} 1']);
  });
});
