// A worker module for the crash tests: the real frame worker, except that the thread
// exits (as a crash would end it) on the batch that starts at frame CRASH_AT. Plain JS:
// worker threads load it as is.
import runBatch from '../../../packages/parallel/dist/frame-worker.js';

const CRASH_AT = 33;

export default function crashingBatch(task) {
  if (task.firstSequence === CRASH_AT) process.exit(70);
  return runBatch(task);
}
