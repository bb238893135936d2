// The worker-thread entry: piscina loads the built `dist/frame-worker.js` (plain JS) in
// each thread and calls the default export once per batch. It holds no state between
// tasks: the key arrives with each task and is zeroed as soon as it is imported.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { openBatch, sealBatch } from './batch-crypto.js';
import type { BatchReply, BatchTask } from './batch-task.js';

/** Runs one batch; the reply's buffers move back to the calling thread (no copies). */
export default function runBatch(task: BatchTask): unknown {
  const reply: BatchReply = task.operation === 'seal' ? sealBatch(task) : openBatch(task);
  const transfer: ArrayBuffer[] = [...reply.output, reply.input];
  return move({ [transferableSymbol]: transfer, [valueSymbol]: reply });
}
