import { availableParallelism, cpus, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';

const SPIN = `
const { parentPort } = require('node:worker_threads');
const start = performance.now();
let x = 0;
for (let i = 0; i < 3e8; i++) x = (x * 31 + i) | 0;
parentPort.postMessage([performance.now() - start, x]);
`;

function spin(): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(SPIN, { eval: true });
    worker.once('message', (message: [number, number]) => {
      resolve(message[0]);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

/**
 * How many cores a CPU-bound job really gets right now: one spinning thread alone, then
 * one per CPU at once. On an idle machine this is the CPU count; on a shared one it tells
 * how much of the parallel result is the machine's doing.
 */
export async function effectiveCores(): Promise<number> {
  const alone = await spin();
  const n = availableParallelism();
  const together = await Promise.all(Array.from({ length: n }, () => spin()));
  const slowest = Math.max(...together);
  return Math.round(((n * alone) / slowest) * 100) / 100;
}

export function cpuModel(): string {
  return cpus()[0]?.model ?? 'unknown';
}

export function loadAverage(): number[] {
  return loadavg().map((v) => Math.round(v * 100) / 100);
}
