// A worker module for the shutdown tests: the real frame worker, except that every thread
// exits on any batch from frame DIE_FROM on, so the threads piscina starts as replacements
// die too (a worker that keeps dying, as one out of memory would). Plain JS: worker
// threads load it as is.
import runBatch from '../../../packages/parallel/dist/frame-worker.js';

const DIE_FROM = 33;

export default function dyingBatch(task) {
  if (task.firstSequence >= DIE_FROM) process.exit(70);
  return runBatch(task);
}
