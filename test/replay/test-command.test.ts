// `threadgate test` in process, as the bin runs it: exit 0 on the examples, 1 with a useful report on a broken copy, 2 on misuse.
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { threadgate } from '../cli/helpers.ts';

const cli = async (...args: string[]) => {
  const r = await threadgate(['test', ...args]);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
};

describe('threadgate test', () => {
  it('passes the example transcripts with exit code 0', async () => {
    const r = await cli('test/conversations');
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\n(\d+) passed, 0 failed, \1 transcripts, \d+ turns in/);
  });

  it('fails a broken copy with exit code 1, naming file, line, turn, path, expected vs actual and the trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-cli-test-'));
    await copyFile('test/conversations/seed000-ideal.yaml', join(dir, 'good.yaml'));
    const text = await readFile('test/conversations/token-expiry-mid-chat.yaml', 'utf8');
    await writeFile(join(dir, 'broken.yaml'), text.replace('trusted: false\n', 'trusted: true\n'));
    const r = await cli(dir, '--rules', 'rules');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`PASS ${join(dir, 'good.yaml')}`);
    expect(r.stdout).toMatch(new RegExp(`FAIL .*broken\\.yaml[\\s\\S]*broken\\.yaml:\\d+ turn 5 \\(message "yes"\\) expect\\.trusted\\n {4}expected: true\\n {4}actual: {3}false`));
    expect(r.stdout).toContain('trace of turn 5:');
    expect(r.stdout).toContain('1 passed, 1 failed, 2 transcripts');
  });

  it('reports a file that does not parse with its line, as JSON with --json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-cli-test-'));
    await writeFile(join(dir, 'bad.yaml'), 'name: x\nsetup: { widget: shop-visitor }\nturns:\n  - customer: { mesage: hi }\n');
    const r = await cli(dir, '--json');
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; results: { issues: { line: number; message: string }[] }[] };
    expect(out.ok).toBe(false);
    expect(out.results[0]!.issues[0]).toMatchObject({ line: 4, message: 'unknown field: mesage' });
  });

  it('exits 2 with a clear message for a bad path or option, and 0 for --help', async () => {
    const missing = await cli('no/such/folder');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no such file or folder: no/such/folder');
    const option = await cli('--verbose');
    expect(option.status).toBe(2);
    expect(option.stderr).toContain('unknown option --verbose');
    const help = await cli('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('threadgate test [dir|file ...]');
  });
});
