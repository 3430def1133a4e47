// Test runner settings: every test file under test/, run in Node.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // The bin runs compiled JavaScript (dist/): build it once per run, before any test spawns it.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 20_000,
    // A beforeAll that runs a command in process pays the first import of its modules, as the first test would.
    hookTimeout: 20_000,
  },
});
