import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** A server the gateway suite started as a child process. */
export interface ChildServer {
  readonly name: string;
  /** `http(s)://127.0.0.1:PORT` */
  readonly url: string;
  readonly pid: number;
  /** Resident memory of the process now, bytes (Linux `/proc`). */
  rss(): Promise<number>;
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
  stop(): Promise<void>;
}

/**
 * Spawns `command args` and resolves once a line of its output matches `urlLine` (group 1
 * is the URL). Rejects when the process exits first or after `timeoutMs`.
 * @throws {Error} (rejects) when the server does not come up.
 */
export function startChild(
  name: string,
  command: string,
  args: readonly string[],
  urlLine: RegExp,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 30_000,
): Promise<ChildServer> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`${name}: no ready line after ${timeoutMs / 1000} s:\n${output.slice(-2000)}`)),
      timeoutMs,
    );
    const onData = (data: Buffer): void => {
      output += data.toString('utf8');
      const match = urlLine.exec(output);
      if (match?.[1] === undefined) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining, so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      resolve(handle(name, child, match[1]));
    };
    const onExit = (code: number | null): void =>
      fail(new Error(`${name} exited (${code}) before it was ready:\n${output.slice(-2000)}`));
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

function handle(name: string, child: ChildProcess, url: string): ChildServer {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    name,
    url,
    pid: child.pid as number,
    rss: () => residentBytes(child.pid as number),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `VmRSS` of `pid`, bytes. */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) * 1024;
}
