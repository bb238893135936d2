import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressTarget, type CliContext } from '../../src/cli-context.js';
import { ProgressBar, ProgressMeter } from '../../src/io/progress.js';

/** A stream that says it is a terminal, collecting what is drawn on it. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  Object.assign(stream, { isTTY: true, columns: 120 });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe('ProgressBar', () => {
  it('draws bytes, percentage, rate and ETA on a terminal, and clears itself when stopped', () => {
    const terminal = fakeTerminal();
    const bar = new ProgressBar({ stream: terminal.stream, enabled: true }, 'encrypt', 1024 * 1024);
    bar.add(512 * 1024);
    bar.stop();
    expect(bar.bytes).toBe(512 * 1024);
    expect(terminal.text()).toMatch(/encrypt \[[-=]+\] 0% \| 0 B\/1\.0 MiB \| .* \| ETA /);
    expect(terminal.text()).toContain('\x1B[?25h');
  });

  it('shows bytes and rate without a percentage when the total is unknown (stdin)', () => {
    const terminal = fakeTerminal();
    const bar = new ProgressBar({ stream: terminal.stream, enabled: true }, 'decrypt', undefined);
    bar.stop();
    expect(terminal.text()).toMatch(/decrypt 0 B \| /);
    expect(terminal.text()).not.toMatch(/%/);
  });

  it('draws nothing when disabled, but still counts', async () => {
    const terminal = fakeTerminal();
    const meter = new ProgressMeter({ stream: terminal.stream, enabled: false }, 'encrypt', 10);
    meter.end(Buffer.alloc(10));
    for await (const _ of meter) {
      // drain
    }
    expect(meter.bytes).toBe(10);
    expect(terminal.text()).toBe('');
  });

  it('several meters can feed one shared bar', async () => {
    const bar = new ProgressBar({ stream: fakeTerminal().stream, enabled: false }, '', 20);
    for (const size of [5, 15]) {
      const meter = new ProgressMeter(bar);
      meter.end(Buffer.alloc(size));
      for await (const _ of meter) {
        // drain
      }
    }
    expect(bar.bytes).toBe(20);
  });
});

describe('progressTarget', () => {
  const context = (isTTY: boolean, quiet: boolean): CliContext =>
    ({
      io: { stderr: { isTTY } as NodeJS.WriteStream },
      globals: quiet ? { quiet: true } : {},
    }) as unknown as CliContext;

  it('is enabled only when stderr is a terminal, without --quiet and without --json', () => {
    expect(progressTarget(context(true, false)).enabled).toBe(true);
    expect(progressTarget(context(false, false)).enabled).toBe(false);
    expect(progressTarget(context(true, true)).enabled).toBe(false);
    expect(progressTarget(context(true, false), true).enabled).toBe(false);
  });
});
