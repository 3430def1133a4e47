// The README's quick start: `npm start` rebuilds dist/ (prestart), then serves the API and Thread Studio on the embedded default.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tg-npm-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('rebuilds dist/ first, then serves /healthz and /studio on SQLite in the data dir', async () => {
    // A compiled file without a source: only the prestart build removes it.
    const stale = join(ROOT, 'dist/npm-start-probe.js');
    writeFileSync(stale, 'export {};\n');
    const child = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      detached: true,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', THREADGATE_DATA_DIR: dataDir, THREADGATE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`npm start did not listen in 60 s: ${out}`)), 60_000);
        child.stdout.on('data', () => {
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        child.on('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out}`)));
      });
      expect(existsSync(stale)).toBe(false);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const studio = await fetch(`${url}/studio/`);
      expect(studio.status).toBe(200);
      expect(await studio.text()).toContain('<title>Thread Studio');
      expect(existsSync(join(dataDir, 'api-keys.json'))).toBe(true);
      expect(existsSync(join(dataDir, 'threadgate.db'))).toBe(true);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    }
  }, 90_000);
});
