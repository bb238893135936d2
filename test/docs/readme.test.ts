// The README's promises that can rot: the quick start is exactly the two commands the
// brief allows (both scripts exist), and every package in packages/ is listed and linked.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
