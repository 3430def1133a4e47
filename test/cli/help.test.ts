// Every command answers --help with its usage on stdout and exit 0; unknown options exit 2 (in process, through main).
import { describe, expect, it } from 'vitest';
import { threadgate } from './helpers.ts';

describe('--help on every command', () => {
  for (const [command, usage] of [
    ['serve', 'threadgate serve [rules-dir]'],
    ['schema', 'threadgate schema [dir]'],
    ['token', 'threadgate token --widget <id>'],
    ['validate', 'threadgate validate [dir|file] [--json] [--strict]'],
    ['graph', 'threadgate graph <thread-id | widget-id | file>'],
    ['chat', 'threadgate chat <widget>'],
  ] as const) {
    it(command, async () => {
      const r = await threadgate([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(usage)).toBe(true);
    });
  }

  it('the top-level help lists the new commands', async () => {
    const r = await threadgate(['--help']);
    for (const c of ['validate [dir]', 'graph <thread>', 'chat <widget>']) expect(r.stdout).toContain(c);
  });

  it('unknown options exit 2', async () => {
    for (const c of ['validate', 'graph', 'chat']) expect((await threadgate([c, '--bogus'])).code).toBe(2);
  });
});
