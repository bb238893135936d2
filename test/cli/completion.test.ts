// `sealflow completion bash|zsh|fish`: generated from the command tree, so it covers
// every command and option; bash is driven for real with COMP_WORDS as readline sets it.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildProgram } from '../../packages/cli/src/program.js';
import type { CliIo } from '../../packages/cli/src/cli-context.js';
import { errorCode, sandbox, type CliSandbox } from './support/run-cli.js';

const exec = promisify(execFile);
let box: CliSandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.remove());

type Command = ReturnType<typeof buildProgram>;

/** Every command path of the real program with its subcommand names and long options. */
function tree(): { path: string[]; expected: string[] }[] {
  const program = buildProgram({
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: {},
    signal: new AbortController().signal,
  } as CliIo);
  const out: { path: string[]; expected: string[] }[] = [];
  const visit = (command: Command, path: string[]): void => {
    out.push({
      path,
      expected: [
        ...command.commands.map((c) => c.name()),
        ...command.options.flatMap((o) => (o.long === undefined ? [] : [o.long])),
      ],
    });
    for (const sub of command.commands) visit(sub, [...path, sub.name()]);
  };
  visit(program, []);
  return out;
}

describe('sealflow completion', () => {
  it('bash: completing after every command path offers all its subcommands and options', async () => {
    const script = await box.run(['completion', 'bash']);
    expect(script.code).toBe(0);
    writeFileSync(box.path('c.bash'), script.stdout);
    const nodes = tree();
    expect(nodes.length).toBeGreaterThan(20);
    const probe = nodes
      .map(
        (n, i) =>
          `COMP_WORDS=(sealflow ${n.path.join(' ')} ''); COMP_CWORD=${n.path.length + 1}; _sealflow; echo "${i}:\${COMPREPLY[*]}"`,
      )
      .join('\n');
    const { stdout } = await exec('bash', ['-c', `source ${box.path('c.bash')}\n${probe}`]);
    const lines = stdout.trim().split('\n');
    for (const [i, n] of nodes.entries()) {
      const offered = (lines[i] ?? '').replace(/^\d+:/, '').split(' ');
      for (const word of n.expected) expect(offered, `sealflow ${n.path.join(' ')} ${word}`).toContain(word);
    }
    const { stdout: partial } = await exec('bash', [
      '-c',
      `source ${box.path('c.bash')}\nCOMP_WORDS=(sealflow --quiet dec); COMP_CWORD=2; _sealflow; echo "\${COMPREPLY[*]}"\nCOMP_WORDS=(sealflow decrypt --ra); COMP_CWORD=2; _sealflow; echo "\${COMPREPLY[*]}"`,
    ]);
    expect(partial.split('\n').slice(0, 2)).toEqual(['decrypt', '--range']);
  });

  it('zsh loads the bash function through bashcompinit; fish gets one complete line per subcommand and option', async () => {
    const zsh = await box.run(['completion', 'zsh']);
    expect(zsh.stdout.toString()).toMatch(/^autoload -U \+X bashcompinit && bashcompinit\n/);
    expect(zsh.stdout.toString()).toContain('complete -o default -F _sealflow sealflow');
    const fish = (await box.run(['completion', 'fish'])).stdout.toString();
    for (const n of tree()) {
      for (const word of n.expected) {
        const pattern = word.startsWith('--') ? `-l ${word.slice(2)}` : `-a '${word}'`;
        expect(fish, `${n.path.join(' ')} ${word}`).toContain(pattern);
      }
    }
    expect(fish).toContain(
      "complete -c sealflow -n '__fish_seen_subcommand_from keys; and __fish_seen_subcommand_from create' -l alias",
    );
  });

  it('--help of every command lists every one of its options and subcommands', async () => {
    for (const n of tree()) {
      const help = await box.run([...n.path, '--help']);
      expect(help.code, n.path.join(' ')).toBe(0);
      for (const word of n.expected)
        expect(help.stdout.toString(), `sealflow ${n.path.join(' ')} --help: ${word}`).toContain(word);
    }
  }, 120_000);

  it('an unknown shell is a usage error (exit 1)', async () => {
    const run = await box.run(['completion', 'tcsh']);
    expect(run.code).toBe(1);
    expect(errorCode(run)).toBe('ERR_INVALID_ARGUMENT');
  });
});
