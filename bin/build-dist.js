#!/usr/bin/env node
// Compiles src/ (not src/studio) into dist/ with declarations, incrementally; npm's `prepare` and the test run's global setup run it.
// `--no-check` skips type checking (tsc --noCheck) for a faster emit when `tsc --noEmit` checks the same sources anyway.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // An install without dev dependencies (npm ci --omit=dev) cannot compile: a dist/ already built is used as it is.
  if (existsSync(at('dist/cli/main.js'))) process.exit(0);
  process.stderr.write('threadgate: typescript is not installed, so dist/ cannot be built (install dev dependencies, then npm run build)\n');
  process.exit(1);
}
const started = Date.now();
const args = [tsc, '--build', 'tsconfig.build.json', ...(process.argv.includes('--no-check') ? ['--noCheck'] : [])];
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);
// The CLI's help module is plain JavaScript with a hand-written declaration file: tsc does not emit it, so it is copied.
mkdirSync(at('dist/cli'), { recursive: true });
// Only when changed: test runs build while other processes load dist/, and a rewrite would let them read a half-written file.
for (const file of ['usage.js', 'usage.d.ts']) {
  const [from, to] = [at(`src/cli/${file}`), at(`dist/cli/${file}`)];
  if (!existsSync(to) || !readFileSync(from).equals(readFileSync(to))) copyFileSync(from, to);
}
// tsc --build never deletes: output whose source is gone (a file removed or renamed) would still ship and import.
const emitted = /\.(d\.ts|js)$/;
const prune = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(at('dist'), path);
    if (entry.isDirectory()) {
      if (rel !== 'studio') prune(path);
    } else if (emitted.test(entry.name)) {
      const source = rel.replace(emitted, '');
      if (!existsSync(at(`src/${source}.ts`)) && !existsSync(at(`src/${rel}`))) rmSync(path);
    }
  }
};
prune(at('dist'));
if (process.argv.includes('--verbose')) process.stdout.write(`threadgate: dist/ built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
