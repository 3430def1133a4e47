// The studio's simulator and coverage in Debian's Chromium: trust as identity changes (form, login, conflict, expiry), why a branch was taken, start anywhere, exported transcripts that `threadgate test` replays green, and branch coverage equal to the CLI's.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTranscriptFile } from '../../src/replay/run-transcript.ts';
import { threadgate } from '../cli/helpers.ts';
import { CHROMIUM, ensureStudioBuilt, KEYS, launchBrowser, startStudioServer, type Browser } from './harness.ts';

const run = process.env.CI === 'true' || existsSync(CHROMIUM);
const SLOW = 300_000;

describe.runIf(run)('Thread Studio simulator in Chromium', () => {
  let server: Awaited<ReturnType<typeof startStudioServer>>;
  let b: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureStudioBuilt();
    server = await startStudioServer();
    // A customer the store knows, for the directory and the conflict.
    const put = await server.t.app.inject({
      method: 'PUT',
      url: '/v1/profiles/prof-sam',
      headers: { authorization: `Bearer ${KEYS.admin}` },
      payload: { name: 'Sam Lee', emails: ['sam@example.com'] },
    });
    expect(put.statusCode).toBeLessThan(300);
    b = await launchBrowser();
    page = b.page;
    page.setDefaultTimeout(120_000);
    await page.goto(`${server.url}/studio`);
    await page.fill('#admin-key', KEYS.admin);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=threads]');
  }, SLOW);

  afterAll(async () => {
    expect(b?.violations ?? []).toEqual([]);
    expect(b?.errors ?? []).toEqual([]);
    await b?.close();
    await server?.close();
  });

  /** Opens the thread's simulator on a fresh page load, with the setup form showing. */
  async function openSimulator(widget: string) {
    await page.goto(`${server.url}/studio/threads/returns`);
    await page.waitForSelector('.node');
    await page.click('[data-testid=tab-simulate]');
    await page.waitForSelector('[data-testid=sim-setup]');
    await page.selectOption('select[name=widget]', widget);
    // The widget file arrives before the start button is enabled.
    await page.waitForSelector('[data-testid=sim-start]:not([disabled])');
  }
  const turns = () => page.$$eval('.sim-turn', (els) => els.length);
  /** Does something that is one turn and waits for it to show. */
  async function turn(doIt: () => Promise<void>) {
    const n = await turns();
    await doIt();
    await page.waitForSelector(`.sim-turn[data-turn="${n}"]`);
  }
  const say = (text: string) =>
    turn(async () => {
      await page.fill('.sim-composer input', text);
      await page.click('.sim-composer button[type=submit]');
    });
  const customerFlags = () => page.$$eval('[data-from=customer]', (els) => els.map((e) => e.getAttribute('data-trusted')));
  const scenario = () => page.getAttribute('[data-testid=sim-scenario]', 'data-scenario');
  async function exported(): Promise<string> {
    await page.click('[data-testid=sim-export-open]');
    const yaml = await page.inputValue('[data-testid=sim-export]');
    await page.click('.dialog button:has-text("Cancel")');
    return yaml;
  }
  async function replay(yaml: string) {
    const file = join(await mkdtemp(join(tmpdir(), 'tg-sim-')), 'simulated.yaml');
    await writeFile(file, yaml);
    return runTranscriptFile(file, { rulesDir: 'rules' });
  }

  it('a visitor on the form widget fills the form, then logs in as the same email: undesired, trusted from the login on', async () => {
    await openSimulator('shop-form');
    await turn(() => page.click('[data-testid=sim-start]'));
    expect(await scenario()).toBe('visitor');
    await turn(async () => {
      await page.fill('.sim-form input[name=name]', 'Julie Doe');
      await page.fill('.sim-form input[name=email]', 'julie@example.com');
      await page.click('.sim-form button[type=submit]');
    });
    expect(await scenario()).toBe('standard');
    await say('I want to return something');
    await turn(async () => {
      await page.fill('.sim-controls input[name=login-email]', 'julie@example.com');
      await page.fill('.sim-controls input[name=login-name]', 'Julie Doe');
      await page.click('.sim-controls button:has-text("Log in")');
    });
    await say('order status');
    await say('are you there?');
    expect(await scenario()).toBe('undesired');
    expect(await customerFlags()).toEqual(['false', 'true', 'true']);
    expect(await page.textContent('[data-testid=sim-identity]')).toMatch(/authenticated \(jwt\)/);

    // The export replays green, unchanged, through the runtime with real signed tokens.
    const yaml = await exported();
    expect(yaml).toMatch(/scenario: undesired/);
    const r = await replay(yaml);
    expect(r.issues).toEqual([]);
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
  }, SLOW);

  it('saves the export into the server\'s transcripts folder, refusing to overwrite unless asked', async () => {
    // The undesired simulation of the first test is still open.
    await page.click('[data-testid=sim-export-open]');
    const yaml = await page.inputValue('[data-testid=sim-export]');
    await page.fill('input[name=transcript-name]', 'studio-undesired');
    await page.click('[data-testid=sim-save]');
    await page.waitForSelector('.dialog .notice-ok');
    expect(await readFile(join(server.transcriptsDir, 'studio-undesired.yaml'), 'utf8')).toBe(yaml);
    await page.click('[data-testid=sim-save]');
    await page.waitForSelector('.dialog .notice-error:has-text("exists already")');
    await page.click('.dialog button:has-text("Replace studio-undesired.yaml")');
    await page.waitForSelector('.dialog .notice-ok:has-text("Replaced")');
    await page.click('.dialog button:has-text("Cancel")');
  }, SLOW);

  it('the trace of a chosen branch shows each condition with the value seen', async () => {
    // The last simulation is still open: its form turn went through greet.
    await page.click('.sim-turn[data-turn="1"]');
    await page.click('button:has-text("Fit")');
    await page.click('.edge-label[data-edge]:has-text("identified, not verified")');
    const panel = page.locator('[data-testid=trace-panel]');
    await panel.waitFor();
    const taken = panel.locator('.trace-branch.chosen');
    await expect(taken.getAttribute('data-branch')).resolves.toBe('identified, not verified');
    await expect(taken.locator('[data-testid=cond-actual]').first().textContent()).resolves.toBe('"identified"');
    await expect(taken.locator('[data-testid=cond-expected]').first().textContent()).resolves.toBe('"identified"');
    // The branch above it did not hold, and says what it saw.
    const first = panel.locator('.trace-branch').first();
    await expect(first.textContent()).resolves.toMatch(/did not hold/);
    await expect(first.locator('[data-testid=cond-actual]').first().textContent()).resolves.toBe('false');
    // The path of the selected turn is drawn on the graph.
    expect(await page.$$eval('.node.trace-passed', (els) => els.map((e) => e.getAttribute('data-step')))).toEqual(expect.arrayContaining(['greet', 'greet_identified', 'ask_topic']));
    expect(await page.$$('.edge.trace-taken')).not.toHaveLength(0);
  }, SLOW);

  it('signing in as someone other than the form identity is a conflict (most undesired)', async () => {
    await openSimulator('shop-form');
    await page.selectOption('select[name=add-profile]', 'prof-sam');
    await page.waitForSelector('[data-profile=prof-sam]');
    await turn(() => page.click('[data-testid=sim-start]'));
    await turn(async () => {
      await page.fill('.sim-form input[name=name]', 'Julie Doe');
      await page.fill('.sim-form input[name=email]', 'julie@example.com');
      await page.click('.sim-form button[type=submit]');
    });
    await turn(async () => {
      await page.selectOption('.sim-controls select[aria-label="log in as profile"]', 'prof-sam');
      await page.click('.sim-controls button:has-text("Log in")');
    });
    expect(await scenario()).toBe('most_undesired');
    expect(await page.textContent('[data-testid=sim-scenario]')).toBe('most undesired');
    await expect(page.textContent('.sim-turn[data-turn="2"]')).resolves.toMatch(/profile: conflict|scenario: standard → most undesired/);
    const r = await replay(await exported());
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
  }, SLOW);

  it('a token expiry drops trust', async () => {
    await openSimulator('shop-visitor');
    await page.selectOption('select[name=start-as]', 'signed_in');
    await page.fill('input[name=login-email]', 'julie@example.com');
    await page.fill('input[name=login-name]', 'Julie Doe');
    await turn(() => page.click('[data-testid=sim-start]'));
    expect(await scenario()).toBe('most_ideal');
    await say('hello');
    await turn(() => page.click('.sim-controls button:has-text("Let it expire")'));
    await say('still there?');
    expect(await customerFlags()).toEqual(['true', 'false']);
    const r = await replay(await exported());
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
  }, SLOW);

  it('starts anywhere: at order_number with a slot preset and a stubbed lookup', async () => {
    await openSimulator('shop-visitor');
    await page.selectOption('select[name=start-at]', 'order_number');
    await page.fill('textarea[name=slots]', 'topic = order_status');
    await page.selectOption('select[name=start-as]', 'signed_in');
    await page.fill('input[name=login-email]', 'julie@example.com');
    await page.selectOption('.sim-lookup select', 'ok');
    await page.fill('.sim-lookup textarea', JSON.stringify({ id: 'R-10234', status: 'shipped', carrier: 'DHL', eta: '2026-11-25', items: [{ name: 'Rain jacket', qty: 1 }] }));
    await turn(() => page.click('[data-testid=sim-start]'));
    await expect(page.textContent('.sim-turn[data-turn="0"]')).resolves.toMatch(/Which order number is it about\?/);
    await say('R-10234');
    await expect(page.textContent('.sim-turn[data-turn="1"]')).resolves.toMatch(/I've found order R-10234 on the account of julie@example.com/);
    const yaml = await exported();
    expect(yaml).toMatch(/at: order_number/);
    const r = await replay(yaml);
    expect(r.failures).toEqual([]);
    expect(r.ok).toBe(true);
  }, SLOW);

  /** What `threadgate test --coverage --json` says of the returns thread for these transcripts. */
  async function cliCoverage(paths: string[]) {
    const r = await threadgate(['test', ...paths, '--coverage', '--json']);
    const out = JSON.parse(r.stdout) as { coverage: { threadId: string; total: number; covered: number; branches: { id: string; hits: number }[] }[] };
    return out.coverage.find((c) => c.threadId === 'returns')!;
  }

  it('colours the graph by branch coverage, with the numbers `threadgate test --coverage` prints', async () => {
    await page.goto(`${server.url}/studio/threads/returns`);
    await page.waitForSelector('.node');
    await page.click('[data-testid=tab-coverage]');
    const summary = page.locator('[data-testid=coverage-summary]');
    await summary.waitFor();
    const cli = await cliCoverage([server.transcriptsDir]);
    expect(cli.total).toBeGreaterThan(0);
    await expect(summary.getAttribute('data-covered')).resolves.toBe(String(cli.covered));
    await expect(summary.getAttribute('data-total')).resolves.toBe(String(cli.total));
    // Every branch the CLI finds untaken is red on the graph and listed; every taken one is green.
    const missed = cli.branches.filter((b) => b.hits === 0).map((b) => b.id).sort();
    expect(await page.$$eval('.edge.cov-miss', (els) => els.map((e) => e.closest('[data-edge-id]')!.getAttribute('data-edge-id')).sort())).toEqual(missed);
    expect(await page.$$eval('[data-testid=coverage-uncovered] [data-branch-id]', (els) => els.map((e) => e.getAttribute('data-branch-id')).sort())).toEqual(missed);
    expect(await page.$$('.edge.cov-hit')).toHaveLength(cli.branches.length - missed.length);
    // Picking an uncovered branch selects its step on the graph.
    const first = cli.branches.find((b) => b.hits === 0)!;
    await page.click(`[data-testid=coverage-uncovered] [data-branch-id="${first.id}"]`);
    await page.waitForSelector(`.node.selected[data-step="${first.id.split('>')[0]}"]`);

    // Uploaded transcripts replace the server's folder: one file covers less, exactly as the CLI counts it.
    const one = 'test/conversations/seed000-most-ideal.yaml';
    const single = await cliCoverage([one]);
    expect(single.covered).toBeLessThan(cli.covered);
    await page.setInputFiles('.coverage-upload input[type=file]', one);
    await page.waitForSelector(`[data-testid=coverage-summary][data-covered="${single.covered}"]`);
    await expect(page.textContent('[data-testid=coverage-transcripts]')).resolves.toMatch(/pass\s*seed000-most-ideal\.yaml/);
  }, SLOW);
});
