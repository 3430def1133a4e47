// End to end: the example returns thread over HTTP, its order lookup served by a real local order API.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LookupSettings } from '../../src/runtime/lookups.ts';
import { json, startLocalServer, type LocalServer } from '../helpers/local-server.ts';
import { auth, buildTestApp, shopToken, T0, type TestApp } from './helpers.ts';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const ORDER = { id: 'R-10234', status: 'shipped', carrier: 'DHL', eta: '2026-11-25', items: [{ name: 'Rain jacket', qty: 1 }] };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** The example rules with the order API pointed at the local server; everything else as shipped. */
async function appWithOrderApi(api: LocalServer, lookups: LookupSettings): Promise<TestApp> {
  const dir = await mkdtemp(join(tmpdir(), 'tg-rules-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  await cp('rules', dir, { recursive: true });
  const file = join(dir, 'threads', 'returns.yaml');
  const source = await readFile(file, 'utf8');
  expect(source).toContain('https://orders.example.com');
  await writeFile(file, source.replaceAll('https://orders.example.com', api.url));
  const t = await buildTestApp({ rulesDir: dir, lookups });
  cleanup.push(() => t.close());
  return t;
}

async function orderApi(handler: Parameters<typeof startLocalServer>[0]) {
  const api = await startLocalServer(handler);
  cleanup.push(() => api.close());
  return api;
}

const post = async (t: TestApp, url: string, payload: Json) => {
  const r = await t.app.inject({ method: 'POST', url, headers: auth('runtime'), payload });
  expect(r.statusCode, r.body).toBeLessThan(300);
  return r.json() as Json;
};
const texts = (b: Json): string[] => b.outputs.filter((o: Json) => o.type === 'message').map((o: Json) => o.text);
const LOCAL: LookupSettings = { allowHosts: ['127.0.0.1'], allowPrivate: true };

async function signedInAtOrderNumber(t: TestApp, ttl = 300) {
  const s = await post(t, '/v1/conversations', { widgetId: 'shop-visitor', token: await shopToken('julie@example.com', T0, { ttl }) });
  const id = s.conversationId as string;
  const m = await post(t, `/v1/conversations/${id}/turns?explain=1`, { type: 'message', text: 'Where is my parcel?' });
  expect(m.trace.intent).toMatchObject({ source: 'matcher', name: 'order_status' });
  expect(texts(m)).toEqual(['Which order number is it about?']);
  return id;
}

describe('the example order lookup over HTTP', () => {
  it('a signed-in customer: intent routing, the lookup with their verified email, then a generated answer with the order', async () => {
    const api = await orderApi((_q, res) => json(res, 200, ORDER));
    const t = await appWithOrderApi(api, LOCAL);
    const id = await signedInAtOrderNumber(t);
    const r = await post(t, `/v1/conversations/${id}/turns`, { type: 'message', text: 'R-10234' });
    expect(api.requests.map((q) => q.url)).toEqual(['/v1/orders/R-10234?email=julie%40example.com']);
    expect(r.outputs.map((o: Json) => o.type)).toEqual(['lookup', 'message', 'generate', 'action', 'message', 'ask']);
    expect(texts(r)).toEqual(["I've found order R-10234 on the account of julie@example.com.", 'Can I help with anything else?']);
    expect(r.outputs[0]).toMatchObject({ name: 'orders', request: { method: 'GET', url: `${api.url}/v1/orders/R-10234?email=julie%40example.com` } });
    expect(r.outputs[2]).toMatchObject({ trust: 'authenticated', facts: { 'lookup.orders.data': ORDER, 'slots.order': 'R-10234' }, withheld: [] });
    expect(r.trusted).toBe(true);
    expect(r.step).toBe('anything_else');
  });

  it('a customer whose token ran out before the order number: the order API is never called', async () => {
    const api = await orderApi((_q, res) => json(res, 200, ORDER));
    const t = await appWithOrderApi(api, LOCAL);
    const id = await signedInAtOrderNumber(t, 120);
    t.clock.advance(121);
    const r = await post(t, `/v1/conversations/${id}/turns`, { type: 'message', text: 'R-10234' });
    expect(r.trusted).toBe(false);
    expect(texts(r)[0]).toMatch(/sign in again/);
    expect(r.outputs.some((o: Json) => o.type === 'lookup' || o.type === 'generate')).toBe(false);
    expect(api.connections).toBe(0);
  });

  it('an order API that keeps failing: retried, then an agent takes over with the reason', async () => {
    const api = await orderApi((_q, res) => json(res, 503, { error: 'maintenance' }));
    const t = await appWithOrderApi(api, LOCAL);
    const id = await signedInAtOrderNumber(t);
    const r = await post(t, `/v1/conversations/${id}/turns`, { type: 'message', text: 'R-10234' });
    expect(api.requests).toHaveLength(3); // retries: 2
    expect(r.outputs.find((o: Json) => o.type === 'action')).toMatchObject({ action: { type: 'handoff', queue: 'returns' } });
    expect(r.outputs.find((o: Json) => o.type === 'action').action.note).toContain('http_status');
    expect(r.status).toBe('handed_off');
  });

  it('an unknown order number (404) is not retried: an agent takes over', async () => {
    const api = await orderApi((_q, res) => json(res, 404, { error: 'not found' }));
    const t = await appWithOrderApi(api, LOCAL);
    const id = await signedInAtOrderNumber(t);
    const r = await post(t, `/v1/conversations/${id}/turns`, { type: 'message', text: 'R-99999' });
    expect(api.requests).toHaveLength(1);
    expect(texts(r)).toEqual(["I couldn't look up order R-99999 just now, so I'll connect you with an agent who can."]);
  });

  it('without allowPrivate the same local API is refused, even on the allow list', async () => {
    const api = await orderApi((_q, res) => json(res, 200, ORDER));
    const t = await appWithOrderApi(api, { allowHosts: ['127.0.0.1'], allowPrivate: false });
    const id = await signedInAtOrderNumber(t);
    const r = await post(t, `/v1/conversations/${id}/turns`, { type: 'message', text: 'R-10234' });
    expect(api.connections).toBe(0);
    expect(r.outputs.find((o: Json) => o.type === 'action').action.note).toContain('host_not_allowed');
  });
});
