// `node bench/dist/browser/run.js [--mib 32] [--runs 3] [--write]`: the browser bench (see
// browser-bench.ts). Prints the report as JSON on stdout; with --write, also replaces the
// browser section of bench/README.md. Needs chromium (scripts/install-chromium.sh) and a
// built dist/ (npm run setup).
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { browserMarkdown, replaceBrowserSection, runBrowserBench } from './browser-bench.js';

const { values } = parseArgs({
  options: {
    mib: { type: 'string', default: '32' },
    runs: { type: 'string', default: '3' },
    write: { type: 'boolean', default: false },
  },
});
const sizeMiB = Number(values.mib);
const runs = Number(values.runs);
if (!(sizeMiB > 0) || !Number.isInteger(runs) || runs < 1)
  throw new Error('--mib must be > 0 and --runs an integer >= 1');
const report = await runBrowserBench({ sizeMiB, runs });
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
if (values.write) {
  const readme = fileURLToPath(new URL('../../README.md', import.meta.url));
  await writeFile(readme, replaceBrowserSection(await readFile(readme, 'utf8'), browserMarkdown(report)));
}
