// The README's claim: the only `unsafe` in the crate is the napi buffer access, in the two
// binding files, and each use sits right under a `SAFETY (napi buffer access)` comment.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const src = new URL('../src/', import.meta.url);
const BINDINGS = ['binding.rs', 'job_binding.rs'];

/** Every line with the `unsafe` keyword (comments aside), with the comment lines just above it. */
function unsafeUses(file: string): { line: number; comment: string }[] {
  const lines = readFileSync(new URL(file, src), 'utf8').split('\n');
  const uses: { line: number; comment: string }[] = [];
  lines.forEach((text, i) => {
    const code = text.replace(/\/\/.*$/, '');
    if (!/\bunsafe\b/.test(code)) return;
    let j = i - 1;
    const above: string[] = [];
    while (j >= 0 && /^\s*\/\//.test(lines[j] ?? '')) above.unshift(lines[j--] ?? '');
    uses.push({ line: i + 1, comment: above.join('\n') });
  });
  return uses;
}

describe('unsafe in @sealflow/native', () => {
  it('appears only in the binding files, each use under a SAFETY (napi buffer access) comment', () => {
    const files = readdirSync(src).filter((f) => f.endsWith('.rs'));
    expect(files).toEqual(expect.arrayContaining([...BINDINGS, 'frames.rs', 'job.rs', 'lib.rs']));
    let counted = 0;
    for (const file of files) {
      const uses = unsafeUses(file);
      if (!BINDINGS.includes(file)) expect(uses, file).toEqual([]);
      for (const use of uses) {
        expect(use.comment, `${file}:${use.line}`).toMatch(/SAFETY \(napi buffer access\)/);
        counted++;
      }
    }
    expect(counted).toBeGreaterThan(0);
  });
});
