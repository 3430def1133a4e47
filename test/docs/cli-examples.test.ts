// The console examples of docs/cli.md run as written (npx threadgate → this checkout's bin) and print what the docs show, so they cannot go stale.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Example {
  command: string;
  expected: string[];
}

/** Each ```console block: `$ ` lines are commands, the lines up to the next command are what it prints. */
export function consoleBlocks(markdown: string): Example[][] {
  const blocks: Example[][] = [];
  for (const m of markdown.matchAll(/^```console\n([\s\S]*?)^```$/gm)) {
    const examples: Example[] = [];
    for (const line of m[1]!.replace(/\n$/, '').split('\n')) {
      if (line.startsWith('$ ')) examples.push({ command: line.slice(2), expected: [] });
      else examples.at(-1)?.expected.push(line);
    }
    blocks.push(examples);
  }
  return blocks;
}

/** `…` in the docs stands for "the rest of the line as printed"; durations differ from run to run. */
const pattern = (line: string) => new RegExp(`^${line.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
const steady = (s: string) => s.replace(/ in \d+(\.\d+)? s\b/g, ' in N s');
// Long test runs print progress on stderr, which a terminal shows and the docs leave out.
const PROGRESS = /^\[\d+\/\d+\] \d+ failed$/;
// A test value for the example that reads the widget's secret from the environment.
const SECRET = 'docs-example:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA';

const root = resolve('.');
let cwd: string;
beforeAll(async () => {
  // A scratch folder that sees the checkout's rules, transcripts and docs, so examples that write files write there.
  cwd = await mkdtemp(join(tmpdir(), 'tg-cli-docs-'));
  for (const d of ['rules', 'test']) await symlink(join(root, d), join(cwd, d));
  // A copy, not a link: `threadgate schema` writes into docs/schema, which other tests read at the same time.
  await cp(join(root, 'docs'), join(cwd, 'docs'), { recursive: true });
});
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

/** Runs a block's commands in one shell, in order, so `echo $?` sees the command before it. */
function runBlock(examples: Example[]): string[] {
  const marker = '@@tg-docs-example@@';
  const script = examples
    // The command on its own line in a group, so a trailing `# comment` in the docs ends there.
    .map((e) => `(exit $__rc); {\n${e.command.replaceAll('npx threadgate', `node ${join(root, 'bin/threadgate.js')}`).replaceAll('…', SECRET)}\n} 2>&1; __rc=$?; printf '\\n${marker}\\n'`)
    .join('\n');
  const r = spawnSync('bash', ['-c', `__rc=0\n${script}`], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', SHOP_JWT_SECRET: '' }, timeout: 120_000 });
  return r.stdout.split(`\n${marker}\n`).slice(0, examples.length).map((out) =>
    out
      .split('\n')
      .filter((l) => !PROGRESS.test(l))
      .join('\n')
      .replace(/\n+$/, ''),
  );
}

describe('docs/cli.md examples', async () => {
  const blocks = consoleBlocks(await readFile('docs/cli.md', 'utf8'));
  it('has examples to run', () => expect(blocks.flat().length).toBeGreaterThanOrEqual(10));
  it.each(blocks.map((b, i) => [b.map((e) => e.command.slice(0, 60)).join(' ; '), i] as const))('%s', (_name, i) => {
    const examples = blocks[i]!;
    const outputs = runBlock(examples);
    examples.forEach((e, n) => {
      const actual = (outputs[n] ?? '').split('\n').map(steady);
      const expected = e.expected.map(steady);
      expect(actual.length, `$ ${e.command}\n${outputs[n]}`).toBe(expected.length);
      expected.forEach((line, k) => expect(actual[k], `$ ${e.command}, line ${k + 1}`).toMatch(pattern(line)));
    });
  }, 180_000);
});
