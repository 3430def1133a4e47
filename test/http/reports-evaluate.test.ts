// The onboarding report route (windows from the app clock) and the stateless evaluate route (a simulation that stores nothing).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, buildTestApp, T0, type TestApp } from './helpers.ts';

const THREAD = readFileSync('rules/threads/returns.yaml', 'utf8');
const WIDGET = readFileSync('rules/widgets/shop-visitor.yaml', 'utf8');
const DAY = 86_400;
const iso = (ms: number) => new Date(ms).toISOString();
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.close();
});

const start = async (widgetId: string) => {
  const res = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId } });
  expect(res.statusCode).toBe(201);
};
const report = (query = '') => t.app.inject({ method: 'GET', url: `/v1/reports/onboarding${query}`, headers: auth('admin') });

describe('GET /v1/reports/onboarding', () => {
  it('answers 401 without a key and 403 for runtime and identity keys', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/reports/onboarding' })).statusCode).toBe(401);
    for (const role of ['runtime', 'identity'] as const) {
      expect((await t.app.inject({ method: 'GET', url: '/v1/reports/onboarding', headers: auth(role) })).statusCode).toBe(403);
    }
  });

  it('defaults to the 30 days ending at the app clock', async () => {
    await start('shop-visitor');
    t.clock.advance(1);
    const now = await report();
    expect(now.statusCode).toBe(200);
    expect(now.json()).toMatchObject({ from: iso(T0 + 1000 - 30 * DAY * 1000), to: iso(T0 + 1000), conversations: 1, byScenario: { visitor: 1 }, byOnboardingType: { none: 1 } });
    // A month later the conversation has left the default window: the window follows the app clock, not the wall clock.
    t.clock.advance(31 * DAY);
    expect((await report()).json().conversations).toBe(0);
  });

  it('takes from, to and widgetId', async () => {
    await start('shop-visitor');
    await start('shop-optional');
    const all = await report(`?from=${iso(T0 - 1000)}&to=${iso(T0 + 1000)}`);
    expect(all.json()).toMatchObject({ conversations: 2, byOnboardingType: { none: 1, optional_form: 1 } });
    const one = await report(`?from=${iso(T0 - 1000)}&to=${iso(T0 + 1000)}&widgetId=shop-optional`);
    expect(one.json()).toMatchObject({ conversations: 1, byOnboardingType: { none: 0, optional_form: 1 } });
    const before = await report(`?from=2026-01-01T00:00:00%2B02:00&to=${iso(T0 - 1000)}`);
    expect(before.json().conversations).toBe(0);
  });

  it.each([
    ['from after to', `?from=${iso(T0)}&to=${iso(T0 - 1000)}`, 'querystring.from'],
    ['from equal to to', `?from=${iso(T0)}&to=${iso(T0)}`, 'querystring.from'],
    ['from after the app clock with to defaulted', `?from=${iso(T0 + DAY * 1000)}`, 'querystring.from'],
    ['a date that is not ISO 8601', '?from=yesterday', 'querystring.from'],
    ['a malformed widgetId', '?widgetId=-x', 'querystring.widgetId'],
    ['an unknown parameter', '?widget=shop-visitor', 'querystring'],
  ])('answers 400 validation_failed for %s', async (_label, query, field) => {
    const res = await report(query);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
    expect(res.json().issues.map((i: { field: string }) => i.field)).toContain(field);
  });
});

describe('POST /v1/evaluate', () => {
  const evaluate = (body: object) => t.app.inject({ method: 'POST', url: '/v1/evaluate', headers: auth('admin'), payload: body });
  const texts = (outputs: { type: string; text?: string }[]) => outputs.filter((o) => o.type === 'message').map((o) => o.text);
  const verified = (email: string, iat: number, ttl = 600) => ({
    ok: true,
    identity: { email, phone: null, name: 'Julie Doe', subject: null, issuer: 'https://shop.example.com', issuedAt: iat, expiresAt: iat + ttl, kid: null, alg: 'HS256', jti: null },
  });

  it('answers 401 without a key and 403 for runtime and identity keys', async () => {
    const body = { thread: THREAD, widget: WIDGET, event: { type: 'start' } };
    expect((await t.app.inject({ method: 'POST', url: '/v1/evaluate', payload: body })).statusCode).toBe(401);
    for (const role of ['runtime', 'identity'] as const) {
      expect((await t.app.inject({ method: 'POST', url: '/v1/evaluate', headers: auth(role), payload: body })).statusCode).toBe(403);
    }
  });

  it('starts from initialState when no state is given, and stores nothing', async () => {
    const res = await evaluate({ thread: THREAD, widget: WIDGET, event: { type: 'start' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['capabilities', 'outputs', 'state', 'trace', 'trusted']);
    expect(body.state).toMatchObject({ threadId: 'returns', widgetId: 'shop-visitor', turn: 1, step: 'ask_topic', status: 'active', startedAt: iso(T0) });
    expect(texts(body.outputs)).toContain('Hi! I can help with returns and order status.');
    expect(body.trace.event).toBe('start');
    const stored = await t.store.reports.onboarding({ from: iso(0), to: iso(T0 + 1000) });
    expect(stored.conversations).toBe(0);
  });

  it('continues from a returned state, and takes tokens as already-verified results', async () => {
    const first = (await evaluate({ thread: THREAD, widget: WIDGET, event: { type: 'start' } })).json();
    const auth1 = await evaluate({ thread: THREAD, widget: WIDGET, state: first.state, event: { type: 'authenticate', token: verified('julie@example.com', T0 / 1000) } });
    expect(auth1.statusCode).toBe(200);
    expect(auth1.json().state.identity).toMatchObject({ status: 'authenticated', method: 'jwt', email: 'julie@example.com' });
    const msg = await evaluate({ thread: THREAD, widget: WIDGET, state: auth1.json().state, event: { type: 'message', text: 'Order status' } });
    expect(msg.json().trusted).toBe(true);
    expect(msg.json().state.step).toBe('order_number');
  });

  it('uses `now` when given: a verified token that expired by then is refused', async () => {
    const first = (await evaluate({ thread: THREAD, widget: WIDGET, event: { type: 'start' } })).json();
    const res = await evaluate({ thread: THREAD, widget: WIDGET, state: first.state, event: { type: 'authenticate', token: verified('julie@example.com', T0 / 1000, 60) }, now: iso(T0 + 120_000) });
    expect(res.statusCode).toBe(200);
    expect(res.json().outputs).toContainEqual(expect.objectContaining({ type: 'notice', code: 'token_rejected', detail: { reason: 'expired' } }));
    expect(res.json().state.identity.status).toBe('anonymous');
  });

  it('takes parsed documents as well as source text', async () => {
    const res = await evaluate({ thread: parse(THREAD), widget: parse(WIDGET), event: { type: 'start' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().state.step).toBe('ask_topic');
  });

  it('answers 422 rules_invalid with lines for broken source text and with fields for broken documents', async () => {
    const broken = THREAD.replace('goto: greet_trusted', 'goto: nowhere');
    const text = await evaluate({ thread: broken, widget: WIDGET, event: { type: 'start' } });
    expect(text.statusCode).toBe(422);
    expect(text.json().code).toBe('rules_invalid');
    expect(text.json().issues).toContainEqual(expect.objectContaining({ code: 'goto_step_unknown', file: 'thread', line: lineOf(broken, 'goto: nowhere') }));

    const doc = await evaluate({ thread: THREAD, widget: { ...parse(WIDGET), onboarding: 'sometimes' }, event: { type: 'start' } });
    expect(doc.statusCode).toBe(422);
    expect(doc.json().issues[0]).toMatchObject({ code: 'schema_invalid', file: 'widget', field: 'onboarding' });
  });

  it('answers 422 when the files do not fit together: a widget in the thread field, a widget of another thread', async () => {
    const swapped = await evaluate({ thread: WIDGET, widget: WIDGET, event: { type: 'start' } });
    expect(swapped.statusCode).toBe(422);
    expect(swapped.json().issues[0].code).toBe('kind_unknown');
    const other = await evaluate({ thread: THREAD, widget: WIDGET.replace('thread: returns', 'thread: faq'), event: { type: 'start' } });
    expect(other.statusCode).toBe(422);
    expect(other.json().issues[0]).toMatchObject({ code: 'widget_thread_unknown', field: 'thread' });
  });

  it('answers 400 for a state of another widget, a malformed state, a raw JWT string as token, or an unknown event', async () => {
    const first = (await evaluate({ thread: THREAD, widget: WIDGET, event: { type: 'start' } })).json();
    const cases: [object, string][] = [
      [{ thread: THREAD, widget: WIDGET, state: { ...first.state, widgetId: 'shop-form' }, event: { type: 'skip_form' } }, 'body.state'],
      [{ thread: THREAD, widget: WIDGET, state: { ...first.state, identity: undefined }, event: { type: 'skip_form' } }, 'body.state.identity'],
      [{ thread: THREAD, widget: WIDGET, state: first.state, event: { type: 'authenticate', token: 'eyJhbGciOi.x.y' } }, 'body.event.token'],
      [{ thread: THREAD, widget: WIDGET, event: { type: 'dance' } }, 'body.event.type'],
      [{ thread: THREAD, widget: WIDGET }, 'body.event'],
    ];
    for (const [body, field] of cases) {
      const res = await evaluate(body);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().code).toBe('validation_failed');
      expect(res.json().issues.map((i: { field: string }) => i.field).join(' '), field).toContain(field);
    }
  });
});
