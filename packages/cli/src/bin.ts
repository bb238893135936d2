#!/usr/bin/env node
// The `sealflow` command. Everything lives in main(); this file only binds it to the process.
import { main } from './main.js';

const controller = new AbortController();
let interrupts = 0;
const interrupt = (): void => {
  interrupts++;
  // A second Ctrl-C means "now": skip the orderly cleanup.
  if (interrupts > 1) process.exit(130);
  controller.abort(new Error('interrupted'));
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = code;
// Commands release what they open; should a socket or worker linger anyway, a finished
// command still exits (the timer itself keeps nothing alive).
setTimeout(() => process.exit(code), 1000).unref();
