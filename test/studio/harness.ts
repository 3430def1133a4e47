// Shared by the studio's browser tests, screenshots and layout bench: a real threadgate on a temp SQLite file, Debian's Chromium via playwright-core, CSP violations collected.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { STUDIO_DIR } from '../../src/http/studio.ts';
import { buildTestApp, KEYS, type TestApp } from '../http/helpers.ts';

export { KEYS };
export const CHROMIUM = process.env.THREADGATE_CHROMIUM ?? '/usr/bin/chromium';
// The flags DEVELOPERS.md and the issue name: no sandbox (root in a container), no GPU, nothing that phones home.
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

/** Builds the studio when dist/studio is missing (a fresh clone whose install ran no scripts). */
export function ensureStudioBuilt(): void {
  if (existsSync(join(STUDIO_DIR, 'index.html'))) return;
  const r = spawnSync(process.execPath, ['bin/build-studio.js'], { stdio: 'inherit', env: { ...process.env, THREADGATE_STUDIO_BUILD_REQUIRED: '1' } });
  if (r.status !== 0) throw new Error('the studio could not be built (node bin/build-studio.js)');
}

export interface StudioServer {
  url: string;
  t: TestApp;
  close: () => Promise<void>;
}

/** The real app (build()) on a temp SQLite file seeded from rules/, listening on a free loopback port, with a real clock. */
/** The server's transcripts folder is a copy of test/conversations, so saving from the studio never writes into the repo. */
export async function startStudioServer(): Promise<StudioServer & { transcriptsDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tg-studio-'));
  const store = await openSqliteStore({ path: join(dir, 'threadgate.db') });
  const transcriptsDir = join(dir, 'transcripts');
  await cp('test/conversations', transcriptsDir, { recursive: true });
  const t = await buildTestApp({ store, clock: () => new Date(), rateLimitPerMinute: 100_000, transcriptsDir });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (t.app.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    transcriptsDir,
    t,
    close: async () => {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Console lines that report a Content-Security-Policy violation, and uncaught page errors. */
  violations: string[];
  errors: string[];
  close: () => Promise<void>;
}

/**
 * Launches Chromium with a fresh profile. Throws when it cannot start: under CI=true the tests must fail, not skip.
 */
export async function launchBrowser(viewport = { width: 1440, height: 900 }): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'tg-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport, timeout: 120_000 });
  const page = context.pages()[0] ?? (await context.newPage());
  const violations: string[] = [];
  const errors: string[] = [];
  const watch = (p: Page) => {
    p.on('console', (m) => {
      const text = m.text();
      if (/Content[- ]Security[- ]Policy|Refused to (load|execute|apply|connect|create)/i.test(text)) violations.push(text);
    });
    p.on('pageerror', (e) => errors.push(String(e)));
  };
  watch(page);
  context.on('page', watch);
  // securitypolicyviolation events catch violations the console may word differently.
  // As text: this file is type-checked without the DOM lib.
  await context.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => console.error('Content-Security-Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));",
  });
  return {
    context,
    page,
    violations,
    errors,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A generated thread of `n` steps: a menu of branches, asks, handoffs, loops back and handlers, so labels crowd. */
export function bigThread(id: string, n: number): string {
  const lines = ['kind: thread', `id: ${id}`, 'start: s0', 'on:', '  authenticated: s1', '  cleared: s2', 'steps:'];
  for (let i = 0; i < n; i++) {
    const next = (k: number) => `s${Math.min(n - 1, i + k)}`;
    lines.push(`  s${i}:`);
    if (i === n - 1) {
      lines.push('    say: Goodbye.', '    action: { type: end }');
      continue;
    }
    if (i % 5 === 0) {
      lines.push(`    ask: { slot: a${i}, type: text, prompt: Question ${i}? }`);
      lines.push('    next:');
      lines.push(`      - name: trusted branch ${i}`, `        when: { fact: auth.trusted, operator: equal, value: true }`, `        goto: ${next(1)}`);
      lines.push(`      - name: identified ${i}`, `        when: { fact: auth.status, operator: equal, value: identified }`, `        goto: ${next(2)}`);
      lines.push(`      - goto: ${next(3)}`);
    } else if (i % 5 === 2) {
      lines.push(`    say: Step ${i} says hello.`);
      lines.push('    next:');
      lines.push(`      - when: { fact: onboarding.type, operator: in, value: [form, optional_form] }`, `        goto: ${next(1)}`);
      lines.push(`      - name: otherwise ${i}`, `        goto: ${next(4)}`);
    } else if (i % 7 === 3) {
      lines.push(`    say: Handing over from ${i}.`, '    action: { type: handoff, queue: general }');
    } else {
      lines.push(`    say: Step ${i}.`, `    next: ${next(1)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Selects the first match of `find` with CodeMirror's search panel (Ctrl-F), then types `replace` over it, as an
 * admin would. The panel commits its query on keyup, so a key is pressed in the field after filling it.
 */
export async function replaceInEditor(page: Page, find: string, replace: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('Control+f');
  const field = page.locator('.cm-search input[name=search]');
  await field.fill(find);
  await field.press('End');
  await field.press('Enter');
  await field.press('Escape');
  await page.keyboard.type(replace);
}
