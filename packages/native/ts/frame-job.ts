import type { NativeBinding, NativeFrameJobHandle, NativeKeyHandle } from './binding.js';

/**
 * Input bytes a task claims at a time: big enough that the claims cost nothing next to
 * the AES-GCM (one atomic add each), small enough that the tasks of a job end within about
 * a claim of each other.
 */
export const FRAME_JOB_CLAIM_BYTES: number = 1024 * 1024;
/**
 * Input bytes a task does before it goes back to the libuv queue, so one huge message does
 * not hold a pool thread (which also serves fs and dns) for long: about 17 ms of AES-GCM
 * on the bench machine. Smaller cost throughput: each return is a trip through the
 * JavaScript thread, measured at up to a millisecond on the 2-core bench machine, while
 * that thread's core sits idle (a 16 MiB budget ran two tasks 19% slower than 64 MiB).
 */
const TASK_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * Runs `job` as `tasks` libuv pool tasks sharing its frames (each claims the next run of
 * frames until none is left), and settles only once every task has returned, so the
 * caller may zero or reuse the job's buffers at once.
 * @throws {Error} `FRAME_SEQUENCE: ...` or `AUTHENTICATION_FAILED: ...` (the lowest failing
 * frame; its output is zeroed, the caller zeroes the rest).
 */
export async function settleFrameJob(binding: NativeBinding, job: NativeFrameJobHandle, tasks: number): Promise<void> {
  const task = async (): Promise<void> => {
    while (await binding.runFrameJob(job, TASK_BUDGET_BYTES));
  };
  // allSettled: a task that failed to queue must not let the caller touch the buffers
  // while the others still run.
  const settled = await Promise.allSettled(Array.from({ length: Math.max(1, Math.floor(tasks)) }, task));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  job.outcome();
}

/**
 * Seals or opens `input`'s whole frames into `output` as one job on `tasks` libuv pool
 * tasks (see `settleFrameJob`).
 * @throws {Error} what `settleFrameJob` throws, or `NATIVE_ARGUMENT: ...` for a bad shape.
 */
export async function runFrameJob(
  binding: NativeBinding,
  open: boolean,
  key: NativeKeyHandle,
  messageId: Uint8Array,
  frameLength: number,
  firstSequence: number,
  input: Uint8Array,
  output: Uint8Array,
  tasks: number,
): Promise<void> {
  const job = new binding.NativeFrameJob(
    open,
    key,
    messageId,
    frameLength,
    firstSequence,
    input,
    output,
    FRAME_JOB_CLAIM_BYTES,
  );
  await settleFrameJob(binding, job, tasks);
}
