// @sealflow/bench (private): the runner is `dist/run.js`; the cross-check is importable for tests.
export { crossCheck, CrossCheckError } from './cross-check.js';
export type { CrossCheckFailure } from './cross-check.js';
export type { Contestant } from './contestants.js';
export type { BenchReport, ResultRow, TargetResult, CrossCheckRecord, MachineInfo } from './results.js';
