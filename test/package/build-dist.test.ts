// bin/build-dist.js: dist/ holds the output of today's sources only, so a removed source never ships.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

describe('build-dist', () => {
  it('removes compiled files whose source is gone and keeps the rest', () => {
    const stale = [join(ROOT, 'dist/stale-probe.js'), join(ROOT, 'dist/core/stale-probe.d.ts')];
    for (const f of stale) writeFileSync(f, 'export const stale = true;\n');
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/build-dist.js'), '--no-check'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    for (const f of stale) expect(existsSync(f), f).toBe(false);
    for (const kept of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'dist/cli/usage.js', 'dist/cli/usage.d.ts']) expect(existsSync(join(ROOT, kept)), kept).toBe(true);
  });
});
