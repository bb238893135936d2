// The README's promises that can rot: the quick start is exactly the two commands the
// brief allows (both scripts exist), and every package in packages/ is listed and linked.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

describe('README', () => {
  it('has a quick start of exactly two commands, npm run demo and npm test, and both scripts exist', () => {
    const section = readme.slice(
      readme.indexOf('## Quick start'),
      readme.indexOf('\n## ', readme.indexOf('## Quick start') + 1),
    );
    const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const commands = block
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter((line) => line !== '');
    expect(commands).toEqual(['npm run demo', 'npm test']);
    expect(scripts['demo']).toContain('demo');
    expect(scripts['test']).toContain('vitest run');
  });

  it('lists every package of packages/ with a link to a README that exists', () => {
    for (const dir of readdirSync(new URL('packages/', root))) {
      const manifest = JSON.parse(readFileSync(new URL(`packages/${dir}/package.json`, root), 'utf8')) as {
        name: string;
      };
      expect(readme, `${manifest.name} is not in the README`).toContain(
        `[\`${manifest.name}\`](packages/${dir}/README.md)`,
      );
      expect(existsSync(new URL(`packages/${dir}/README.md`, root))).toBe(true);
    }
  });
});

describe('docs a clone has', () => {
  const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8', timeout: 30_000 }).split('\n');

  it('no README or doc points outside the repository (../shared)', () => {
    for (const file of tracked.filter((f) => f.endsWith('.md'))) {
      if (file === 'CONTRIBUTING.md') continue; // contributors' notes name the team's shared folder
      expect(readFileSync(new URL(file, root), 'utf8'), file).not.toMatch(/\.\.\/shared\//);
    }
  });

  it('every spec sheet a source comment cites is in docs/specs/', () => {
    const cited = new Set<string>();
    for (const file of tracked.filter((f) => f.startsWith('packages/') && f.endsWith('.ts'))) {
      for (const m of readFileSync(new URL(file, root), 'utf8').matchAll(/spec: ([a-z0-9-]+\.md)/g))
        cited.add(m[1] ?? '');
    }
    expect(cited.size).toBeGreaterThan(0);
    for (const sheet of cited) expect(existsSync(new URL(`docs/specs/${sheet}`, root)), sheet).toBe(true);
  });
});
