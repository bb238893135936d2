#!/usr/bin/env node
// Runs a command (CI: the README's test command) and passes its output through. If the
// command prints nothing for --quiet-minutes, or is still running at --deadline (epoch
// seconds), it prints what every process under it is doing, ends them, and exits 124: a
// CI run that would have been cut off silently shows instead where it stood.
//
// What it prints: the test files and tests vitest was running (test/setup/running-*.ts), the
// process tree (state, kernel wait channel, run time), and for every
// Node.js process the JavaScript stack and open handle kinds of a diagnostic report (the
// command runs with `--report-on-signal`, so SIGUSR2 writes one; nothing else of a report,
// such as its environment variables, is printed).
//
//   node scripts/ci-watchdog.mjs --quiet-minutes 15 --deadline 1767225600 -- npm test
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const split = process.argv.indexOf('--');
if (split < 0 || split === process.argv.length - 1) {
  console.error('usage: ci-watchdog.mjs [--quiet-minutes N] [--deadline EPOCH_SECONDS] -- command [args...]');
  process.exit(2);
}
const { values } = parseArgs({
  args: process.argv.slice(2, split),
  options: { 'quiet-minutes': { type: 'string', default: '15' }, deadline: { type: 'string' } },
});
const quietMs = Number(values['quiet-minutes']) * 60_000;
const deadlineMs = values.deadline === undefined ? Number.POSITIVE_INFINITY : Number(values.deadline) * 1000;
if (!(quietMs > 0) || Number.isNaN(deadlineMs)) {
  console.error('ci-watchdog: --quiet-minutes must be positive and --deadline epoch seconds');
  process.exit(2);
}

const reports = mkdtempSync(join(tmpdir(), 'ci-watchdog-'));
const nodeOptions = [process.env.NODE_OPTIONS, '--report-on-signal', `--report-directory=${reports}`]
  .filter(Boolean)
  .join(' ');
// test/setup/running-reporter.ts (the files) and running-tests.ts (each worker's test)
// keep here what vitest runs right now.
const running = join(reports, 'running');
const [command, ...args] = process.argv.slice(split + 1);
const started = Date.now();
const child = spawn(command, args, {
  stdio: ['inherit', 'pipe', 'pipe'],
  env: { ...process.env, NODE_OPTIONS: nodeOptions, SEALFLOW_RUNNING_TESTS: running },
});
let lastOutput = Date.now();
child.stdout.on('data', (chunk) => {
  lastOutput = Date.now();
  process.stdout.write(chunk);
});
child.stderr.on('data', (chunk) => {
  lastOutput = Date.now();
  process.stderr.write(chunk);
});
child.on('close', (code, signal) => {
  clearInterval(timer);
  rmSync(reports, { recursive: true, force: true });
  process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
});

const timer = setInterval(() => {
  const now = Date.now();
  if (now - lastOutput >= quietMs) stop(`no output for ${Math.round((now - lastOutput) / 1000)} s`);
  else if (now >= deadlineMs) stop('the CI deadline came');
}, 5_000);

/** Every process under `root`, root included: [pid, comm] pairs, from ps. */
function tree(root) {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((row) => row.length >= 3);
  const under = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of rows)
      if (under.has(Number(ppid)) && !under.has(Number(pid))) {
        under.add(Number(pid));
        grew = true;
      }
  }
  return rows.filter(([pid]) => under.has(Number(pid))).map(([pid, , comm]) => [Number(pid), comm]);
}

function stop(why) {
  clearInterval(timer);
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(`\nci-watchdog: ${why}, ${seconds} s into \`${[command, ...args].join(' ')}\`; what runs now:`);
  let processes = [[child.pid, command]];
  try {
    processes = tree(child.pid);
  } catch (error) {
    console.log(`ci-watchdog: could not list the processes (${error.message}); ending the command alone`);
  }
  try {
    const ps = ['-o', 'pid,ppid,stat,wchan:24,etimes,rss,args', '--forest', '-p', processes.map(([p]) => p).join(',')];
    console.log(execFileSync('ps', ps, { encoding: 'utf8' }).replace(/^(.{0,240}).*$/gm, '$1'));
  } catch (error) {
    console.log(`ci-watchdog: ps failed: ${error.message}`);
  }
  printRunning(new Set(processes.map(([pid]) => pid)));
  for (const [pid, comm] of processes) if (comm === 'node') signal(pid, 'SIGUSR2');
  setTimeout(() => {
    const reported = printReports();
    for (const [pid, comm] of processes)
      if (comm === 'node' && !reported.has(pid))
        console.log(
          `\nci-watchdog: node ${pid} wrote no report within 10 s: its JavaScript thread never yielded (STAT R above: a busy loop; S: a synchronous call, see WCHAN)`,
        );
    for (const [pid] of processes) signal(pid, 'SIGKILL');
    rmSync(reports, { recursive: true, force: true });
    process.exit(124);
  }, 10_000);
}

/** What vitest was running: its files, and each live worker's test. */
function printRunning(live) {
  let names = [];
  try {
    names = readdirSync(running).sort();
  } catch {
    // vitest never started, or never wrote
  }
  console.log(`ci-watchdog: what vitest was running, at ${new Date().toISOString()}:`);
  if (names.length === 0) console.log('  (nothing recorded: vitest had not started a test file)');
  for (const name of names) {
    const worker = /^worker-(\d+)\.txt$/.exec(name);
    // A worker that ended without removing its file (killed) is not running anything.
    if (worker !== null && !live.has(Number(worker[1]))) continue;
    const text = readFileSync(join(running, name), 'utf8').trimEnd();
    console.log(`  ${worker === null ? 'vitest' : `worker ${worker[1]}`}: ${text.replaceAll('\n', '\n    ')}`);
  }
}

function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

/** Prints each report written; returns the process IDs that wrote one. */
function printReports() {
  const reported = new Set();
  for (const file of readdirSync(reports).filter((f) => f.endsWith('.json'))) {
    try {
      const report = JSON.parse(readFileSync(join(reports, file), 'utf8'));
      reported.add(report.header?.processId);
      const handles = {};
      for (const handle of report.libuv ?? [])
        if (handle.is_active) handles[handle.type] = (handles[handle.type] ?? 0) + 1;
      console.log(
        `\nci-watchdog: node ${report.header?.processId} (${(report.header?.commandLine ?? []).join(' ').slice(0, 200)})`,
      );
      console.log(`  active libuv handles: ${JSON.stringify(handles)}`);
      console.log(`  JavaScript stack: ${report.javascriptStack?.message ?? ''}`);
      for (const frame of (report.javascriptStack?.stack ?? []).slice(0, 25)) console.log(`    ${frame}`);
    } catch (error) {
      console.log(`ci-watchdog: could not read ${file}: ${error.message}`);
    }
  }
  return reported;
}
