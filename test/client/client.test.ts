// The client against a real listening service over TCP: a whole trusted conversation, typed errors, resends with one Idempotency-Key.
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, type Client } from '../../src/client/index.ts';
import { buildTestApp, KEYS, shopToken, type TestApp } from '../http/helpers.ts';
import { startTcpProxy, type TcpProxy } from '../adversarial/tcp-proxy.ts';

let t: TestApp;
let port: number;
let proxy: TcpProxy | undefined;
const waits: number[] = [];
const noWait = async (ms: number) => {
  waits.push(ms);
};
const clientAt = (p: number, key: string = KEYS.runtime): Client =>
  createClient({ baseUrl: `http://127.0.0.1:${p}/`, apiKey: key, sleep: noWait, random: () => 0.5 });

beforeEach(async () => {
  t = await buildTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
  waits.length = 0;
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await t.close();
});

describe('a whole trusted conversation', () => {
  it('start, a visitor message, login with a signed token, a trusted message, read, timeline, close', async () => {
    const c = clientAt(port);
    const start = await c.startConversation({ body: { widgetId: 'shop-visitor' } });
    if (!start.ok) throw new Error(JSON.stringify(start.error));
    expect(start.status).toBe(201);
    expect(start.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    const id = start.value.conversationId;
    const first = start.value.outputs[0];
    expect(first?.type === 'message' ? first.loginUrl : null).toBe('https://shop.example.com/login?next=/help');

    const visitor = await c.postTurn({ id, body: { type: 'message', text: 'order status' } });
    expect(visitor.ok && visitor.value.trusted).toBe(false);

    const login = await c.postTurn({ id, body: { type: 'authenticate', token: await shopToken('julie@example.com', t.clock.now) } });
    if (!login.ok) throw new Error(JSON.stringify(login.error));
    expect(login.value.identity).toMatchObject({ status: 'authenticated', method: 'jwt', trusted: true });
    const said = login.value.outputs.flatMap((o) => (o.type === 'message' ? [o.text] : []));
    expect(said).toEqual(['Thanks Julie! Now I can look at your orders.', 'Which order number is it about?']);

    const trusted = await c.postTurn({ id, body: { type: 'message', text: 'R-1' } });
    expect(trusted.ok && trusted.value).toMatchObject({ trusted: true, indicator: 'green' });

    const read = await c.getConversation({ id });
    if (!read.ok) throw new Error(JSON.stringify(read.error));
    expect(read.value).toMatchObject({ id, widgetId: 'shop-visitor', identity: { status: 'authenticated' } });
    const customer = read.value.timeline.filter((e) => e.from === 'customer');
    expect(customer.map((e) => [e.text, e.trusted])).toEqual([
      ['order status', false],
      ['R-1', true],
    ]);

    const page = await c.getConversationTimeline({ id, query: { limit: 2 } });
    if (!page.ok) throw new Error(JSON.stringify(page.error));
    expect(page.value.timeline).toHaveLength(2);
    expect(page.value.timelinePage.hasMore).toBe(true);
    const older = await c.getConversationTimeline({ id, query: { limit: 2, before: page.value.timelinePage.nextBefore! } });
    expect(older.ok && older.value.timeline.at(-1)!.seq).toBeLessThan(page.value.timeline[0]!.seq);

    const close = await c.postTurn({ id, body: { type: 'close' } });
    expect(close.ok && close.value.status).toBe('closed');
    const closed = await c.getConversation({ id });
    expect(closed.ok && closed.value.timeline.find((e) => e.text === 'R-1')?.indicator).toBe('gray');
  });
});

describe('typed errors', () => {
  it('an unknown conversation, a bad key, an invalid event, a forbidden role', async () => {
    const c = clientAt(port);
    const missing = await c.getConversation({ id: 'nope' });
    expect(missing).toMatchObject({ ok: false, status: 404, error: { code: 'conversation_not_found', attempts: 1 } });
    const badKey = await clientAt(port, 'tg_runtime_nope_nope_nope_nope_nope_nope').listConversations();
    expect(badKey).toMatchObject({ ok: false, status: 401, error: { code: 'unauthorized' } });
    const start = await c.startConversation({ body: { widgetId: 'shop-visitor' } });
    const id = start.ok ? start.value.conversationId : '';
    // A wrong event is still sent as the caller gave it: the service's validation answers, not the client's.
    const invalid = await c.postTurn({ id, body: { type: 'teleport' } as never });
    expect(invalid).toMatchObject({ ok: false, status: 400, error: { code: 'validation_failed' } });
    expect(!invalid.ok && 'issues' in invalid.error && invalid.error.issues?.length).toBeGreaterThan(0);
    // A 400 is not resent: nothing would change on a second try.
    expect(invalid.ok || invalid.error.attempts).toBe(1);
    const forbidden = await c.listWidgets();
    expect(forbidden).toMatchObject({ ok: false, status: 403, error: { code: 'forbidden' } });
  });

  it('no service at the address: network_error after the bounded resends of a turn, but one attempt for a read', async () => {
    const dead = await startTcpProxy({ host: '127.0.0.1', port });
    const deadPort = dead.port;
    await dead.close();
    const c = clientAt(deadPort);
    const read = await c.getConversation({ id: 'x' });
    expect(read).toMatchObject({ ok: false, status: 0, error: { code: 'network_error', attempts: 1 } });
    expect(waits).toEqual([]);
    const turn = await c.postTurn({ id: 'x', body: { type: 'message', text: 'hi' }, idempotencyKey: 'k-1' });
    expect(turn).toMatchObject({ ok: false, status: 0, idempotencyKey: 'k-1', error: { code: 'network_error', attempts: 4 } });
    // Full jitter with random() = 0.5: half of 100, 200, 400 ms.
    expect(waits).toEqual([50, 100, 200]);
  });

  it('a timeout and an aborted signal are their own codes', async () => {
    const c = clientAt(port);
    const aborted = await c.listConversations({ signal: AbortSignal.abort() });
    expect(aborted).toMatchObject({ ok: false, status: 0, error: { code: 'aborted' } });
    const timedOut = await c.listConversations({ timeoutMs: 0 });
    expect(timedOut).toMatchObject({ ok: false, status: 0, error: { code: 'timeout' } });
  });
});

describe('resending a turn', () => {
  it('a lost answer: resent with the same key, the service applies the turn once and replays its answer', async () => {
    const direct = clientAt(port);
    const start = await direct.startConversation({ body: { widgetId: 'shop-visitor' } });
    const id = start.ok ? start.value.conversationId : '';
    proxy = await startTcpProxy({ host: '127.0.0.1', port }, { dropAnswers: 1 });
    const keys: string[] = [];
    const c = createClient({
      baseUrl: `http://127.0.0.1:${proxy.port}`,
      apiKey: KEYS.runtime,
      sleep: noWait,
      random: () => 0,
      fetch: (url, init) => {
        keys.push(new Headers(init?.headers).get('idempotency-key')!);
        return fetch(url, init);
      },
    });
    const turn = await c.postTurn({ id, body: { type: 'message', text: 'order status' } });
    if (!turn.ok) throw new Error(JSON.stringify(turn.error));
    expect(proxy.dropped).toBe(1);
    expect(turn).toMatchObject({ attempts: 2, replayed: true, value: { version: 2 } });
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(turn.idempotencyKey).toBe(keys[0]);
    const read = await direct.getConversation({ id });
    expect(read.ok && read.value.version).toBe(2);
    expect(read.ok && read.value.timeline.filter((e) => e.text === 'order status')).toHaveLength(1);
  });

  it('every answer lost: gives up after the bounded resends with a typed error, the turn applied once', async () => {
    const direct = clientAt(port);
    const start = await direct.startConversation({ body: { widgetId: 'shop-visitor' } });
    const id = start.ok ? start.value.conversationId : '';
    proxy = await startTcpProxy({ host: '127.0.0.1', port }, { dropAnswers: 100 });
    const c = createClient({ baseUrl: `http://127.0.0.1:${proxy.port}`, apiKey: KEYS.runtime, sleep: noWait, random: () => 0, retry: { retries: 2 } });
    const turn = await c.postTurn({ id, body: { type: 'message', text: 'order status' } });
    expect(turn).toMatchObject({ ok: false, status: 0, error: { code: 'network_error', attempts: 3 } });
    expect(proxy.dropped).toBe(3);
    // The key it gave up with still works: resent later, the service answers the first result.
    const later = await direct.postTurn({ id, body: { type: 'message', text: 'order status' }, idempotencyKey: turn.idempotencyKey! });
    expect(later).toMatchObject({ ok: true, replayed: true, value: { version: 2 } });
  });

  it('a start whose answer was lost is resent and creates one conversation', async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port }, { dropAnswers: 1 });
    const c = clientAt(proxy.port);
    const start = await c.startConversation({ body: { widgetId: 'shop-visitor' } });
    expect(start).toMatchObject({ ok: true, status: 201, attempts: 2, replayed: true });
    const list = await clientAt(port, KEYS.admin).listConversations();
    expect(list.ok && list.value.conversations).toHaveLength(1);
  });
});
