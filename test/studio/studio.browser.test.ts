// Thread Studio end to end in Debian's Chromium: wrong key, the example graph, a fact typo's diagnostic, save/publish, diff/rollback, 100 steps without overlaps.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { bigThread, CHROMIUM, ensureStudioBuilt, KEYS, launchBrowser, replaceInEditor, startStudioServer, type Browser, type StudioServer } from './harness.ts';

// Under CI the browser must start: a missing Chromium fails every test here. Elsewhere, no Chromium skips them.
const run = process.env.CI === 'true' || existsSync(CHROMIUM);
// This machine is slow and shared; ELK alone takes seconds on the example thread here.
const SLOW = 300_000;

describe.runIf(run)('Thread Studio in Chromium', () => {
  let server: StudioServer;
  let b: Browser;
  const admin = { authorization: `Bearer ${KEYS.admin}` };
  const returnsSource = readFileSync('rules/threads/returns.yaml', 'utf8');

  beforeAll(async () => {
    ensureStudioBuilt();
    server = await startStudioServer();
    b = await launchBrowser();
    b.page.setDefaultTimeout(180_000);
  }, SLOW);

  afterAll(async () => {
    await b?.close();
    await server?.close();
  });

  it('serves the app under its CSP, with deep links falling back to the page', async () => {
    const page = await server.t.app.inject({ url: '/studio/threads/returns' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const asset = /src="(\/studio\/assets\/[^"]+\.js)"/.exec(page.body)![1]!;
    const js = await server.t.app.inject({ url: asset, headers: { 'accept-encoding': 'gzip' } });
    expect(js.headers['cache-control']).toMatch(/immutable/);
    expect(js.headers['content-encoding']).toBe('gzip');
    expect((await server.t.app.inject({ url: '/studio/assets/missing-chunk.js' })).statusCode).toBe(404);
  });

  it('refuses a wrong key and a key without the admin role, with a clear screen', async () => {
    const { page } = b;
    await page.goto(`${server.url}/studio`);
    await page.fill('#admin-key', 'tg_admin_this_key_does_not_exist_0123456789');
    await page.click('button[type=submit]');
    await expect(page.textContent('[data-testid=key-error]')).resolves.toMatch(/not valid/);
    await page.fill('#admin-key', KEYS.runtime);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=key-error]:has-text("lacks the admin role")');
    // The key never lands in the URL or in localStorage.
    expect(page.url()).not.toContain(KEYS.runtime);
    expect(await page.evaluate('JSON.stringify(localStorage)')).toBe('{}');
  }, SLOW);

  it('opens the example thread and draws every step, with handlers and lint markers', async () => {
    const { page } = b;
    await page.fill('#admin-key', KEYS.admin);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=threads] tr[data-thread=returns]');
    expect(await page.textContent('[data-testid=widgets] tr[data-widget=shop-portal]')).toMatch(/code.*returns/);
    await page.click('[data-thread=returns] a');
    await page.waitForSelector('.node[data-step=greet]');
    const drawn = await page.$$eval('.node[data-step]', (els) => els.map((e) => e.getAttribute('data-step')));
    const doc = parse(returnsSource) as { steps: Record<string, unknown>; on: Record<string, unknown> };
    for (const step of Object.keys(doc.steps)) expect(drawn).toContain(step);
    for (const event of Object.keys(doc.on)) expect(drawn).toContain(`on.${event}`);
    expect(await page.getAttribute('.node[data-step=need_login]', 'data-kind')).toBe('request_login');
    expect(await page.getAttribute('.node[data-step=agent]', 'data-kind')).toBe('handoff');
    expect(await page.getAttribute('.node[data-step=order_number]', 'data-kind')).toBe('ask');
    // Branch labels come from the branch names; the onFail edge is its own kind.
    const labels = await page.$$eval('.edge-label text', (els) => els.map((e) => e.textContent));
    expect(labels).toContain('authenticated customer');
    expect(await page.$$('.edge-on_fail')).not.toHaveLength(0);
    // The first view of a big graph starts at the start step; Fit brings every node into the window to click it.
    await page.click('button:has-text("Fit")');
    await page.click('.node[data-step=order_number]');
    await expect(page.textContent('[data-testid=step-yaml]')).resolves.toContain('onFail: agent');
  }, SLOW);

  const replace = (find: string, by: string) => replaceInEditor(b.page, find, by);

  it('shows a fact typo at its line as you type, then saves and publishes the fix', async () => {
    const { page } = b;
    await page.waitForSelector('[data-testid=check-status]:has-text("valid")');
    await replace('fact: auth.status, operator: equal, value: identified', 'fact: auht.status, operator: equal, value: identified');
    const line = returnsSource.split('\n').findIndex((l) => l.includes('fact: auth.status, operator: equal, value: identified')) + 1;
    const problem = page.locator('[data-testid=problems] .problem[data-code=fact_unknown]');
    await problem.waitFor();
    expect(await problem.getAttribute('data-line')).toBe(String(line));
    await page.waitForSelector('.cm-lintRange-error');
    await page.waitForSelector('.node.has-error[data-step=greet]');

    // Fix the typo, change the visitor greeting, save, publish.
    await replace('auht.status', 'auth.status');
    await replace('Hi! I can help with returns and order status.', 'Hello! I can help with returns and order status.');
    await page.waitForSelector('[data-testid=check-status]:has-text("valid")');
    expect(await page.$('[data-testid=problems] .problem[data-code=fact_unknown]')).toBeNull();
    await page.click('button:has-text("Save draft")');
    await page.waitForSelector('[data-testid=save-state]:has-text("saved")');
    await page.click('button:has-text("Publish…")');
    await expect(page.textContent('.dialog')).resolves.toMatch(/new conversations/);
    await page.click('.dialog button:has-text("Publish as v2")');
    await page.waitForSelector('.notice-ok:has-text("Published v2")');

    const versions = (await server.t.app.inject({ url: '/v1/threads/returns/versions', headers: admin })).json() as { versions: { version: number; active: boolean }[] };
    expect(versions.versions.find((v) => v.active)?.version).toBe(2);
    const v2 = (await server.t.app.inject({ url: '/v1/threads/returns/versions/2', headers: admin })).json() as { source: string };
    expect(v2.source).toContain('Hello! I can help with returns and order status.');
  }, SLOW);

  it('diffs two versions side by side and rolls back after saying who it affects', async () => {
    const { page } = b;
    await page.click('a:has-text("Versions & diff")');
    await page.waitForSelector('[data-testid=versions] tr[data-version="2"]');
    await page.selectOption('select[aria-label=Left]', '1');
    await page.selectOption('select[aria-label=Right]', '2');
    await page.waitForSelector('[data-testid=diff] .cm-changedLine');
    const changed = await page.$$eval('[data-testid=diff] .cm-changedLine', (els) => els.map((e) => e.textContent ?? ''));
    expect(changed.some((t) => t.includes('Hello! I can help'))).toBe(true);
    expect(changed.some((t) => t.includes('Hi! I can help'))).toBe(true);

    await page.click('[data-testid=versions] tr[data-version="1"] button');
    const dialog = await page.textContent('.dialog');
    expect(dialog).toMatch(/New conversations will start on v1/);
    expect(dialog).toMatch(/in progress are not affected/);
    await page.click('.dialog button:has-text("Make v1 active")');
    await page.waitForSelector('.notice-ok:has-text("v1 is active again")');
    const versions = (await server.t.app.inject({ url: '/v1/threads/returns/versions', headers: admin })).json() as { versions: { version: number; active: boolean }[] };
    expect(versions.versions.find((v) => v.active)?.version).toBe(1);
  }, SLOW);

  it('draws a generated 100-step thread with no label overlapping another label or a node', async () => {
    const { page } = b;
    const put = await server.t.app.inject({ method: 'PUT', url: '/v1/threads/big/draft', headers: { ...admin, 'content-type': 'application/yaml' }, payload: bigThread('big', 100) });
    expect(put.statusCode).toBe(200);
    await page.goto(`${server.url}/studio/threads/big`);
    await page.waitForSelector('.graph-stats');
    await page.click('button:has-text("Fit")');
    const geometry = (await page.evaluate(`(() => {
      const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.left, y: r.top, w: r.width, h: r.height, id: e.closest('[data-step],[data-edge]').getAttribute('data-step') || e.closest('[data-edge]').getAttribute('data-edge') }; };
      return { labels: [...document.querySelectorAll('.edge-label rect')].map(box), nodes: [...document.querySelectorAll('.node > .node-box')].map(box) };
    })()`)) as { labels: Rect[]; nodes: Rect[] };
    expect(geometry.nodes).toHaveLength(102); // 100 steps and 2 handlers
    expect(geometry.labels.length).toBeGreaterThan(60);
    const overlaps: string[] = [];
    for (let i = 0; i < geometry.labels.length; i++) {
      const a = geometry.labels[i]!;
      for (let j = i + 1; j < geometry.labels.length; j++) if (intersect(a, geometry.labels[j]!)) overlaps.push(`label ${a.id} / label ${geometry.labels[j]!.id}`);
      for (const n of geometry.nodes) if (intersect(a, n)) overlaps.push(`label ${a.id} / node ${n.id}`);
    }
    expect(overlaps).toEqual([]);
  }, SLOW);

  it('logged no CSP violation and no page error', () => {
    expect(b.violations).toEqual([]);
    expect(b.errors).toEqual([]);
  });
});

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  id: string;
}

/** Boxes that share more than a hairline (sub-pixel rounding at small zoom is not an overlap). */
function intersect(a: Rect, b: Rect): boolean {
  const e = 0.5;
  return a.x + e < b.x + b.w && b.x + e < a.x + a.w && a.y + e < b.y + b.h && b.y + e < a.y + a.h;
}
