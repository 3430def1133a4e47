// Takes the screenshots docs/studio.md shows (docs/studio/*.png): every screen of Thread Studio on the example rules, in headless Chromium.
// Run: npm run studio:screenshots (builds the studio first when dist/studio is missing).
import { mkdir } from 'node:fs/promises';
import { bigThread, ensureStudioBuilt, KEYS, launchBrowser, replaceInEditor, startStudioServer } from '../test/studio/harness.ts';
import { shootConversationScreens } from './studio-conversation-shots.ts';

const OUT = process.argv[2] ?? 'docs/studio';

ensureStudioBuilt();
await mkdir(OUT, { recursive: true });
const server = await startStudioServer();
const b = await launchBrowser({ width: 1440, height: 880 });
const { page } = b;
page.setDefaultTimeout(120_000);
const shot = async (name: string) => {
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${OUT}/${name}.png` });
  process.stdout.write(`${OUT}/${name}.png\n`);
};
try {
  await page.goto(`${server.url}/studio`);
  await page.fill('#admin-key', 'tg_admin_not_a_real_key_000000000000000000');
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=key-error]');
  await shot('key-wrong');

  await page.fill('#admin-key', KEYS.admin);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=threads] tr[data-thread=returns]');
  await shot('home');

  await page.click('[data-thread=returns] a');
  await page.waitForSelector('.node[data-step=greet]');
  await page.waitForSelector('[data-testid=check-status]:not(:has-text("checking"))');
  await shot('thread-graph');

  await page.click('button:has-text("Fit")');
  await page.click('.node[data-step=order_number]');
  await page.waitForSelector('[data-testid=step-details]');
  await shot('thread-step-selected');
  await page.click('[data-testid=step-details] button[aria-label=Close]');

  // A typo in a fact name: the server's fact_unknown error at its line, in the gutter, the problems list and on the node.
  await replaceInEditor(page, 'fact: auth.status, operator: equal, value: identified', 'fact: auht.status, operator: equal, value: identified');
  await page.waitForSelector('[data-testid=problems] .problem[data-code=fact_unknown]');
  await page.waitForSelector('.node.has-error[data-step=greet]');
  await page.mouse.move(300, 400);
  await shot('thread-editor');

  // A second version, so the diff has something to show: the visitor greeting reworded, published over the API.
  const admin = { authorization: `Bearer ${KEYS.admin}` };
  const v1 = (await server.t.app.inject({ url: '/v1/threads/returns/versions/1', headers: admin })).json() as { source: string };
  const v2 = v1.source.replace('Hi! I can help with returns and order status.', 'Hello! I can help with returns, exchanges and order status.');
  await server.t.app.inject({ method: 'PUT', url: '/v1/threads/returns/draft', headers: { ...admin, 'content-type': 'application/yaml' }, payload: v2 });
  await server.t.app.inject({ method: 'POST', url: '/v1/threads/returns/publish', headers: admin });
  await page.goto(`${server.url}/studio/threads/returns/versions`);
  await page.selectOption('select[aria-label=Left]', '1');
  await page.selectOption('select[aria-label=Right]', '2');
  await page.waitForSelector('[data-testid=diff] .cm-changedLine');
  await shot('versions');

  await page.goto(`${server.url}/studio/widgets/shop-visitor`);
  await page.waitForSelector('[data-testid=jwt]');
  await shot('widget');

  // The simulator: a visitor on the form widget fills the form, asks, then signs in (the undesired scenario).
  await page.goto(`${server.url}/studio/threads/returns`);
  await page.waitForSelector('.node[data-step=greet]');
  await page.click('[data-testid=tab-simulate]');
  await page.selectOption('select[name=widget]', 'shop-form');
  await page.waitForSelector('[data-testid=sim-start]:not([disabled])');
  await shot('simulate-setup');
  const nextTurn = async (doIt: () => Promise<void>) => {
    const n = await page.$$eval('.sim-turn', (els) => els.length);
    await doIt();
    await page.waitForSelector(`.sim-turn[data-turn="${n}"]`);
  };
  await nextTurn(() => page.click('[data-testid=sim-start]'));
  await nextTurn(async () => {
    await page.fill('.sim-form input[name=name]', 'Julie Doe');
    await page.fill('.sim-form input[name=email]', 'julie@example.com');
    await page.click('.sim-form button[type=submit]');
  });
  await nextTurn(async () => {
    await page.fill('.sim-composer input', 'I want to return something');
    await page.click('.sim-composer button[type=submit]');
  });
  await nextTurn(async () => {
    await page.fill('.sim-controls input[name=login-email]', 'julie@example.com');
    await page.fill('.sim-controls input[name=login-name]', 'Julie Doe');
    await page.click('.sim-controls button:has-text("Log in")');
  });
  await nextTurn(async () => {
    await page.fill('.sim-composer input', 'Where is my order?');
    await page.click('.sim-composer button[type=submit]');
  });
  await page.click('.sim-turn[data-turn="2"]');
  await shot('simulate-chat');
  await page.click('.sim-turn[data-turn="1"]');
  await page.click('button:has-text("Fit")');
  await page.click('.edge-label[data-edge]:has-text("identified, not verified")');
  await page.waitForSelector('[data-testid=trace-panel]');
  await shot('simulate-why');
  await page.click('[data-testid=trace-panel] button[aria-label=Close]');
  await page.click('[data-testid=sim-export-open]');
  await page.waitForSelector('[data-testid=sim-export]');
  await shot('simulate-export');
  await page.click('.dialog button:has-text("Cancel")');

  // Branch coverage by the transcripts folder.
  await page.click('[data-testid=tab-coverage]');
  await page.waitForSelector('[data-testid=coverage-summary]');
  await page.click('[data-testid=coverage-uncovered] button >> nth=1');
  await page.click('[data-testid=step-details] button[aria-label=Close]');
  await shot('coverage');

  // The 100-step generated thread, fitted to the window.
  await server.t.app.inject({ method: 'PUT', url: '/v1/threads/big/draft', headers: { authorization: `Bearer ${KEYS.admin}`, 'content-type': 'application/yaml' }, payload: bigThread('big', 100) });
  await page.goto(`${server.url}/studio/threads/big`);
  await page.waitForSelector('.graph-stats');
  await shot('thread-100-steps');

  // Conversations, one conversation's timeline and the report, on a server of their own with three weeks of history.
  await shootConversationScreens(page, shot);
} finally {
  if (b.violations.length || b.errors.length) process.stderr.write(`CSP violations / page errors:\n${[...b.violations, ...b.errors].join('\n')}\n`);
  await b.close();
  await server.close();
}
