// The real bin in a child process, a few times: help and --version, exit codes, commands end to end, and a missing dist/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HELP } from '../../src/cli/usage.js';
import { rulesCopy, spawnThreadgate } from './helpers.ts';

describe('bin/threadgate.js', () => {
  it('prints the help on stdout with exit 0 for --help, help and no command', () => {
    for (const args of [['--help'], ['help'], []]) {
      const r = spawnThreadgate(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(HELP);
      expect(r.stderr).toBe('');
    }
  });

  it('--version prints the package.json version', () => {
    const r = spawnThreadgate(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
  });

  it('an unknown command exits 2 with the help on stderr', () => {
    const r = spawnThreadgate(['nope']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`threadgate: unknown command "nope"\n\n${HELP}`);
  });

  const copy = rulesCopy();
  afterAll(() => copy.remove());

  it('a command run from dist/ passes its exit code on: validate exits 1 on a broken copy, 0 on rules/', () => {
    copy.edit('threads/returns.yaml', (t) => t.replace('    next: order_details', '    next: order_detail'));
    const broken = spawnThreadgate(['validate', copy.dir]);
    expect(broken.stdout).toMatch(/threads\/returns\.yaml:\d+:\d+ error goto_step_unknown: step "order_detail" does not exist/);
    expect(broken.code).toBe(1);
  });

  it('chat reads piped stdin line by line and exits 0 at /quit', () => {
    const r = spawnThreadgate(['chat', 'shop-visitor'], { input: 'order status\n/help\n/quit\nnever read\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('you> order status\n  (your message: not trusted)\n');
    expect(r.stdout).toContain('you> /help\nCommands:\n  /login <email> [name]');
    expect(r.stdout).not.toContain('never read');
  });

  it('without dist/ (a clone installed with scripts off) says what to run, exit 1, no stack', () => {
    const dir = mkdtempSync(join(tmpdir(), 'threadgate-nodist-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync('bin/threadgate.js', join(dir, 'bin/threadgate.js'));
      const r = spawnSync(process.execPath, [join(dir, 'bin/threadgate.js'), '--version'], { encoding: 'utf8' });
      expect(r.stderr).toBe('threadgate: dist/ is not built; run `npm run build` (npm ci runs it through prepare)\n');
      expect(r.status).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
