// @sealflow/cli public surface: the command is the product; these let other programs
// run it in-process and read its exit codes. Every export is named here.
export { main } from './main.js';
export type { CliIo } from './cli-context.js';
export { ExitCodes, exitCodeFor } from './exit-codes.js';
export type { ExitCode } from './exit-codes.js';
