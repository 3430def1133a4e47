#!/usr/bin/env node
// The threadgate command: runs the compiled CLI in dist/ (built by `npm run build`, which `npm ci` runs through `prepare`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
// A clone installed with scripts off has no dist/: say what to run instead of a module-not-found stack.
if (!existsSync(main)) {
  process.stderr.write('threadgate: dist/ is not built; run `npm run build` (npm ci runs it through prepare)\n');
  process.exit(1);
}
const { main: run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
