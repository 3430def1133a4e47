// The Trusted Message indicator on GET /v1/conversations/:id: green on trusted customer messages while open, gray once closed, none otherwise.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trustedIndicator } from '../../src/runtime/trusted-indicator.ts';
import { auth, buildTestApp, shopToken, startConversation, type TestApp } from './helpers.ts';

type Json = Record<string, any>;

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.close();
});

const start = (body: Json) => startConversation(t, body);
async function turn(id: string, body: Json): Promise<void> {
  expect((await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: body })).statusCode).toBe(200);
}
async function timeline(id: string, query = '?party=all'): Promise<Json[]> {
  const r = await t.app.inject({ method: 'GET', url: `/v1/conversations/${id}${query}`, headers: auth('admin') });
  expect(r.statusCode).toBe(200);
  return r.json().timeline;
}
const customer = (entries: Json[]) => entries.filter((e) => e.from === 'customer').map((e) => [e.text, e.trusted, e.indicator]);

describe('the indicator of each timeline entry', () => {
  it('is green on trusted customer messages of an open conversation, null on untrusted ones and on bot and system lines', async () => {
    // The token lives 60 s: the first message is trusted, the one after it expired is not (never retroactive).
    const id = await start({ widgetId: 'shop-visitor', token: await shopToken('julie@example.com', t.clock.now, { ttl: 60 }) });
    await turn(id, { type: 'message', text: 'order status' });
    t.clock.advance(120);
    await turn(id, { type: 'message', text: 'R-1' });
    const entries = await timeline(id);
    expect(customer(entries)).toEqual([
      ['order status', true, 'green'],
      ['R-1', false, null],
    ]);
    expect(entries.filter((e) => e.from !== 'customer').length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.from !== 'customer').every((e) => e.indicator === null)).toBe(true);
  });

  it('turns gray on every trusted message once the conversation is closed; untrusted ones stay without', async () => {
    const id = await start({ widgetId: 'shop-visitor', token: await shopToken('julie@example.com', t.clock.now, { ttl: 60 }) });
    await turn(id, { type: 'message', text: 'order status' });
    t.clock.advance(120);
    await turn(id, { type: 'message', text: 'R-1' });
    await turn(id, { type: 'close' });
    const entries = await timeline(id);
    expect(customer(entries)).toEqual([
      ['order status', true, 'gray'],
      ['R-1', false, null],
    ]);
    expect(entries.at(-1)).toMatchObject({ from: 'system', text: 'Conversation closed', indicator: null });
  });

  it('is null on every message of a visitor, and shown to the runtime key too', async () => {
    const id = await start({ widgetId: 'shop-visitor' });
    await turn(id, { type: 'message', text: 'hello' });
    const r = await t.app.inject({ method: 'GET', url: `/v1/conversations/${id}`, headers: auth('runtime') });
    expect(customer(r.json().timeline)).toEqual([['hello', false, null]]);
  });

  it('follows the conversation status, not the status of the turn that wrote the message', () => {
    for (const status of ['pending', 'active', 'handed_off', 'ended'] as const) expect(trustedIndicator({ from: 'customer', trusted: true }, status)).toBe('green');
    expect(trustedIndicator({ from: 'customer', trusted: true }, 'closed')).toBe('gray');
    expect(trustedIndicator({ from: 'customer', trusted: false }, 'active')).toBeNull();
    expect(trustedIndicator({ from: 'bot', trusted: null }, 'closed')).toBeNull();
    expect(trustedIndicator({ from: 'system', trusted: null }, 'active')).toBeNull();
  });
});
