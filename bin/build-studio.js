#!/usr/bin/env node
// Builds Thread Studio (src/studio) into dist/studio with Vite; npm's `prepare` runs it on `npm ci`, the server at first start if missing.
import { fileURLToPath } from 'node:url';

const configFile = fileURLToPath(new URL('../src/studio/vite.config.ts', import.meta.url));
let vite;
try {
  vite = await import('vite');
} catch {
  // An install without dev dependencies (npm ci --omit=dev) has no build tools: say so, and do not fail the install.
  process.stderr.write('threadgate: vite is not installed, so Thread Studio is not built (install dev dependencies, then npm run build:studio)\n');
  process.exit(process.env.THREADGATE_STUDIO_BUILD_REQUIRED === '1' ? 1 : 0);
}
const started = Date.now();
await vite.build({ configFile, logLevel: 'warn' });
process.stdout.write(`threadgate: Thread Studio built into dist/studio in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
