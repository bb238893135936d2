import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where the calling thread spent its time, as `percent% function (file)` lines, largest first. */
export interface ProfileSummary {
  readonly top: readonly string[];
  readonly file: string;
}

/**
 * Runs `fn` `iterations` times under the V8 CPU profiler (the calling thread, as
 * `--cpu-prof` would) and summarizes self time per function. The full profile is written
 * to `path` for DevTools.
 */
export async function profile(fn: () => Promise<unknown>, iterations: number, path: string): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    for (let i = 0; i < iterations; i++) await fn();
    const { profile: result } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    await writeFile(path, JSON.stringify(result));
    return { top: summarize(result), file: path };
  } finally {
    session.disconnect();
  }
}

function summarize(profile: CpuProfile): string[] {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  // The profiler's own message handling (under node:inspector) is not the workload's.
  const underInspector = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      if (nodes.get(at)?.callFrame.url.includes('inspector') === true) return true;
    }
    return false;
  };
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    if (underInspector(id)) return;
    total += dt;
    const frame = nodes.get(id)?.callFrame;
    if (frame === undefined) return;
    const file = frame.url === '' ? '' : ` (${frame.url.split('/').slice(-2).join('/')})`;
    const name = `${frame.functionName === '' ? '(anonymous)' : frame.functionName}${file}`;
    self.set(name, (self.get(name) ?? 0) + dt);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([name, t]) => `${((100 * t) / Math.max(1, total)).toFixed(1)}% ${name}`);
}
