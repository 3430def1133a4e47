// The ```sh examples of docs/api.md run as one session against a real `threadgate serve` and print what the docs show.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export interface ShExample {
  command: string;
  /** The `# ` lines right after the command (no blank line between): what it prints. Empty when not shown. */
  expected: string[];
}

/**
 * Each ```sh block, as commands and their shown output. A `# ` line after a blank line (or at the top) is a
 * comment about the next command; `# ` lines right after a command are its output, and an output line that
 * starts with `#  ` (two spaces) continues the line before it, wrapped for reading.
 */
export function shBlocks(markdown: string): ShExample[][] {
  const blocks: ShExample[][] = [];
  for (const m of markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)) {
    const examples: ShExample[] = [];
    let state: 'between' | 'command' | 'output' = 'between';
    for (const line of m[1]!.replace(/\n$/, '').split('\n')) {
      const last = examples.at(-1);
      if (line.trim() === '') state = 'between';
      else if (line.startsWith('#')) {
        if (state === 'between' || !last) continue;
        if (line.startsWith('#  ') && state === 'output') last.expected[last.expected.length - 1] += line.slice(3).trimStart();
        else last.expected.push(line.replace(/^# ?/, ''));
        state = 'output';
      } else if (state === 'command' && last?.command.endsWith('\\')) last.command += `\n${line}`;
      else {
        examples.push({ command: line, expected: [] });
        state = 'command';
      }
    }
    blocks.push(examples);
  }
  return blocks;
}

/** `…` stands for "whatever the service printed there" (ids, the rest of a long answer). */
const pattern = (line: string) => new RegExp(`^${line.split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');

const freePort = () =>
  new Promise<number>((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

const root = resolve('.');
let cwd: string;
let port: number;
let server: ChildProcess | undefined;
let serverOutput = '';
// A shell as a new user has it: none of the test run's THREADGATE_* settings or secrets.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('THREADGATE_') && k !== 'SHOP_JWT_SECRET' && k !== 'PORT'));
const local = (s: string) => s.replaceAll('localhost:8080', `localhost:${port}`).replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`);

beforeAll(async () => {
  // A fresh folder that sees the checkout's rules and bin, as a clone does: data/ is created there.
  cwd = await mkdtemp(join(tmpdir(), 'tg-api-docs-'));
  for (const d of ['rules', 'bin', 'src', 'node_modules', 'package.json']) await symlink(join(root, d), join(cwd, d));
  port = await freePort();
  server = spawn(process.execPath, ['bin/threadgate.js', 'serve'], { cwd, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((done, fail) => {
    const onData = (d: Buffer) => {
      serverOutput += d.toString();
      if (/listening on http/.test(serverOutput)) done();
    };
    server!.stdout!.on('data', onData);
    server!.stderr!.on('data', onData);
    server!.once('exit', (code) => fail(new Error(`threadgate serve exited with ${code}: ${serverOutput}`)));
  });
}, 60_000);
afterAll(async () => {
  server?.kill('SIGTERM');
  await rm(cwd, { recursive: true, force: true });
});

/** Runs every command in one shell, in order, so the variables one block sets are there for the next. */
function runSession(examples: ShExample[]): { out: string; rc: number }[] {
  const marker = '@@tg-api-docs@@';
  const script = examples.map((e) => `{\n${local(e.command)}\n} 2>&1; printf '\\n${marker}%s\\n' "$?"`).join('\n');
  const r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', env, timeout: 120_000 });
  const parts = r.stdout.split(new RegExp(`\\n${marker}(\\d+)\\n`));
  const results: { out: string; rc: number }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) results.push({ out: parts[i]!.replace(/\n+$/, ''), rc: Number(parts[i + 1]) });
  return results;
}

describe('docs/api.md examples', async () => {
  const [startup, ...session] = shBlocks(await readFile('docs/api.md', 'utf8'));

  it('starts as the quick start shows', () => {
    expect(startup?.[0]?.command).toBe('npm ci && npm start');
    const printed = serverOutput.split('\n').map((l) => l.trim()).filter(Boolean);
    const expected = startup![0]!.expected.map(local);
    expect(expected.length).toBeGreaterThanOrEqual(4);
    // Each line the docs show is printed, in that order.
    let at = 0;
    for (const line of expected) {
      const found = printed.findIndex((p, i) => i >= at && pattern(line).test(p));
      expect(found, `"${line}" in:\n${serverOutput}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });

  it('runs every later example, printing what the docs show', () => {
    const examples = session.flat();
    expect(examples.filter((e) => e.expected.length > 0).length).toBeGreaterThanOrEqual(4);
    const results = runSession(examples);
    expect(results.length).toBe(examples.length);
    examples.forEach((e, n) => {
      const { out, rc } = results[n]!;
      expect(rc, `$ ${e.command}\n${out}`).toBe(0);
      if (e.expected.length === 0) return;
      const actual = out.split('\n');
      expect(actual.length, `$ ${e.command}\n${out}`).toBe(e.expected.length);
      e.expected.map(local).forEach((line, k) => expect(actual[k], `$ ${e.command}, line ${k + 1}`).toMatch(pattern(line)));
    });
  }, 120_000);
});
