// The screenshots of Thread Studio's conversation, timeline and report screens (docs/studio/conversations*.png, conversation*.png, reports.png), on three weeks of conversations made through the API.
// Called by bench/studio-screenshots.ts; `node --import tsx bench/studio-conversation-shots.ts [dir]` takes these alone.
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { startHistoryServer } from '../test/studio/conversation-history.ts';
import { ensureStudioBuilt, KEYS, launchBrowser } from '../test/studio/harness.ts';

export async function shootConversationScreens(page: Page, shot: (name: string) => Promise<void>): Promise<void> {
  const history = await startHistoryServer();
  try {
    // Another origin (port) than the other screenshots: the key is asked again.
    await page.goto(`${history.url}/studio/conversations`);
    await page.fill('#admin-key', KEYS.admin);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=conversations] tr[data-conversation]');
    await shot('conversations');

    await page.goto(`${history.url}/studio/conversations?scenario=most_undesired`);
    await page.waitForSelector('[data-testid=conversations] tr[data-scenario=most_undesired]');
    await shot('conversations-filtered');

    await page.setViewportSize({ width: 1440, height: 1100 });
    await page.goto(`${history.url}/studio/conversations/${history.loggedOut}`);
    await page.waitForSelector('[data-testid=divider]');
    await shot('conversation');

    await page.goto(`${history.url}/studio/conversations/${history.closed}`);
    await page.waitForSelector('[data-testid=trusted].trusted-gray');
    await shot('conversation-closed');
    await page.setViewportSize({ width: 1440, height: 880 });

    // The report is taller than the window, and the page itself does not scroll (its panel does): a taller window shows it whole.
    const size = page.viewportSize();
    await page.setViewportSize({ width: size?.width ?? 1440, height: 1240 });
    await page.goto(`${history.url}/studio/reports`);
    await page.waitForSelector('[data-testid=chart-by-day] svg.tg-plot');
    await shot('reports');
    if (size) await page.setViewportSize(size);
  } finally {
    await history.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2] ?? 'docs/studio';
  ensureStudioBuilt();
  await mkdir(out, { recursive: true });
  const b = await launchBrowser({ width: 1440, height: 880 });
  b.page.setDefaultTimeout(120_000);
  try {
    await shootConversationScreens(b.page, async (name) => {
      await b.page.screenshot({ path: `${out}/${name}.png` });
      process.stdout.write(`${out}/${name}.png\n`);
    });
  } finally {
    if (b.violations.length || b.errors.length) process.stderr.write(`CSP violations / page errors:\n${[...b.violations, ...b.errors].join('\n')}\n`);
    await b.close();
  }
}
