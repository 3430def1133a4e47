// Vite build of Thread Studio: src/studio -> dist/studio, served by threadgate at /studio under its strict CSP.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
// The server's own catalogues, baked in at build time so completion offers exactly what the compiler accepts.
import { FACT_CATALOGUE } from '../core/facts.ts';
import { HANDLER_EVENTS, OPERATORS, SLOT_TYPES } from '../core/thread.schema.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/studio/',
  // Preact's automatic JSX runtime; the TypeScript side says the same in src/studio/tsconfig.json.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { react: 'preact/compat', 'react-dom': 'preact/compat' } },
  define: {
    __TG_CATALOGUE__: JSON.stringify({ facts: FACT_CATALOGUE, operators: OPERATORS, slotTypes: SLOT_TYPES, handlerEvents: HANDLER_EVENTS }),
  },
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/studio', import.meta.url)),
    emptyOutDir: true,
    // No inline anything: the CSP allows scripts, styles and images from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
  },
});
