// Starts one long-running helper process (an emulator) for the test run, waits until it
// answers HTTP on loopback, and stops it for good at teardown.
//
// No orphans: the process runs in its own process group under a tiny `sh` watchdog whose
// stdin is a pipe from this process. Teardown signals the whole group; and if the vitest
// process dies without a teardown (SIGKILL, crash), the pipe closes, `read` returns, and
// the watchdog kills its group itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';

export interface ServiceSpec {
  /** Name used in messages, e.g. `moto`. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Matches the line (stdout or stderr) that announces the port; group 1 is the port. */
  readonly portLine: RegExp;
  /** How long to wait for the port line and the first HTTP answer. */
  readonly startTimeoutMs?: number;
}

export interface RunningService {
  readonly name: string;
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

// The server runs in the background with stdin from /dev/null. A second background job
// blocks on the shell's stdin (our pipe, kept as fd 3 because an asynchronous list's stdin
// is /dev/null) and signals the whole process group when the pipe closes. The shell waits
// for the server, so a server that dies on its own ends the shell and we see the exit; on
// SIGTERM the shell reaps both children before it exits, so nothing is left as a zombie
// for the caller to wait on.
const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null &',
  'server=$!',
  '{ read -r _ <&3; kill -TERM 0; } &',
  'reader=$!',
  'trap \'kill -TERM "$server" "$reader" 2>/dev/null; wait; exit 143\' TERM',
  'wait "$server"',
  'status=$?',
  'kill -TERM "$reader" 2>/dev/null',
  'wait',
  'exit "$status"',
].join('\n');

/**
 * Spawns `spec`, resolves once it listens and answers an HTTP request.
 * @throws {Error} when the process exits early or does not answer in time.
 */
export async function startService(spec: ServiceSpec): Promise<RunningService> {
  const child = spawn('sh', ['-c', WATCHDOG, 'sh', spec.command, ...spec.args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...spec.env },
  });
  // The watchdog pipe must not keep this process alive on its own.
  child.unref();
  const stop = once(() => stopGroup(child));
  try {
    const port = await waitForPort(child, spec);
    const endpoint = `http://127.0.0.1:${port}`;
    await waitForHttp(endpoint, deadline(spec));
    return { name: spec.name, endpoint, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function deadline(spec: ServiceSpec): number {
  return Date.now() + (spec.startTimeoutMs ?? 20_000);
}

function waitForPort(child: ChildProcess, spec: ServiceSpec): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`${spec.name}: no port announced within the start timeout`)),
      spec.startTimeoutMs ?? 20_000,
    );
    const onData = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8192);
      const match = spec.portLine.exec(output);
      if (match?.[1] !== undefined) {
        cleanup();
        resolve(Number(match[1]));
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      fail(
        new Error(
          `${spec.name} exited before listening (code ${String(code)}, signal ${String(signal)}): ${output.trim().slice(-500)}`,
        ),
      );
    };
    function fail(error: Error): void {
      cleanup();
      reject(error);
    }
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

async function waitForHttp(endpoint: string, until: number): Promise<void> {
  for (;;) {
    if (await answers(endpoint)) return;
    if (Date.now() > until) throw new Error(`${endpoint} did not answer HTTP within the start timeout`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Whether anything answers HTTP at `endpoint` (any status counts). */
function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(endpoint, { method: 'GET', timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  signalGroup(pid, 'SIGTERM');
  await exited;
  // The shell exits first; give the server a moment to finish on SIGTERM, then insist.
  for (let i = 0; i < 40 && groupAlive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  signalGroup(pid, 'SIGKILL');
  child.stdin?.destroy();
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}
