// Other processes on one MemoryKms store file: each child is `node -e <script>` running
// the BUILT package (scripts/setup.mjs builds dist/), so locks, temp files and pids are
// those of real, separate processes that the tests can kill -9.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../../packages/keystore-memory/dist/', import.meta.url));

/** How every process here opens the store (a key file: no scrypt cost per process). */
export interface StoreSpec {
  readonly path: string;
  readonly keyFile: string;
  /** The lock's stale time: how long a killed holder's lock blocks the others. */
  readonly staleMs: number;
}

/** A child process running a script; its stdout lines as they arrive. */
export class StoreProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = '';
  #partial = '';

  constructor(script: string, args: readonly string[]) {
    this.child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const text = this.#partial + chunk;
      const parts = text.split('\n');
      this.#partial = parts.pop() ?? '';
      this.lines.push(...parts);
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve({ code, signal })));
  }

  /** Keys whose createKey resolved in the child (it says so only after the call returned). */
  get created(): string[] {
    return this.lines.filter((line) => line.startsWith('created ')).map((line) => line.slice('created '.length));
  }

  get failures(): string[] {
    return this.lines.filter((line) => line.startsWith('failed '));
  }

  /** Resolves once the child printed `line`. */
  async waitFor(line: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.lines.includes(line)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`child exited before "${line}": ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`child did not print "${line}" in ${timeoutMs} ms: ${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  kill9(): void {
    this.child.kill('SIGKILL');
  }
}

const OPEN = `
const [path, keyFile, staleMs] = process.argv.slice(-3);
const { MemoryKms } = await import(${JSON.stringify(`${DIST}index.js`)});
const open = () => MemoryKms.open({ path, keyFile, lock: { staleMs: Number(staleMs), timeoutMs: 30000 } });
`;

/**
 * A writer: opens the store and creates `count` keys one after another (forever when
 * count is 0), printing `created <KeyId>` after each createKey returned, `failed ...`
 * after each that rejected, and `done` at the end.
 */
export function startWriter(spec: StoreSpec, count: number, tag: string): StoreProcess {
  const script = `${OPEN}
const [count, tag] = [Number(process.argv.at(-5)), process.argv.at(-4)];
const kms = await open();
process.stdout.write('opened\\n');
for (let i = 0; count === 0 || i < count; i += 1) {
  try {
    const { KeyMetadata } = await kms.createKey({ Description: tag + '-' + i });
    process.stdout.write('created ' + KeyMetadata.KeyId + '\\n');
  } catch (error) {
    process.stdout.write('failed ' + error.name + ': ' + error.message + (error.cause ? ' (' + error.cause.message + ')' : '') + '\\n');
  }
}
await kms.close();
process.stdout.write('done\\n');
`;
  return new StoreProcess(script, [String(count), tag, spec.path, spec.keyFile, String(spec.staleMs)]);
}

/**
 * A slow writer: it takes the store lock, writes its temp file, prints `in rename`, waits
 * `delayMs` there (a slow disk), renames, and prints `saved` (or `failed ...`).
 */
export function startSlowRenameWriter(spec: StoreSpec, delayMs: number): StoreProcess {
  const script = `${OPEN}
const { StoreFile } = await import(${JSON.stringify(`${DIST}store-file.js`)});
const { file } = await StoreFile.open({
  path, secret: { keyFile }, region: 'us-east-1', partition: 'aws',
  lock: { staleMs: Number(staleMs), timeoutMs: 30000 },
  hooks: { beforeRename: () => { process.stdout.write('in rename\\n'); return new Promise((resolve) => setTimeout(resolve, ${delayMs})); } },
});
try {
  await file.hold(() => file.save(new TextEncoder().encode('{"keys":[],"aliases":[]}')));
  process.stdout.write('saved\\n');
} catch (error) {
  process.stdout.write('failed ' + error.message + '\\n');
}
file.close();
`;
  return new StoreProcess(script, [spec.path, spec.keyFile, String(spec.staleMs)]);
}

/**
 * A writer killed mid-write: it takes the store lock, writes its temp file, prints
 * `in rename` and waits there forever (until the test kills it), leaving both a lock and
 * a temp file of a dead process behind.
 */
export function startStalledWriter(spec: StoreSpec): StoreProcess {
  const script = `${OPEN}
const { StoreFile } = await import(${JSON.stringify(`${DIST}store-file.js`)});
const { file } = await StoreFile.open({
  path, secret: { keyFile }, region: 'us-east-1', partition: 'aws',
  lock: { staleMs: Number(staleMs), timeoutMs: 30000 },
  hooks: { beforeRename: () => { process.stdout.write('in rename\\n'); return new Promise(() => undefined); } },
});
setInterval(() => undefined, 1000); // a pending promise alone would let the process end
await file.hold(() => file.save(new TextEncoder().encode('{"keys":[],"aliases":[]}')));
`;
  return new StoreProcess(script, [spec.path, spec.keyFile, String(spec.staleMs)]);
}
