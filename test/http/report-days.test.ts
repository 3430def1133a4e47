// GET /v1/reports/onboarding per UTC day: byDay with zero days, date-only bounds, and the cap on the number of days as a 400.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, buildTestApp, shopToken, startConversation, type TestApp } from './helpers.ts';

type Json = Record<string, any>;
const DAY = 86_400;

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.close();
});

const start = (body: Json) => startConversation(t, body);
const message = (id: string, text: string) => t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'message', text } });
const report = (query = '') => t.app.inject({ method: 'GET', url: `/v1/reports/onboarding${query}`, headers: auth('admin') });

describe('GET /v1/reports/onboarding byDay', () => {
  it('has one entry per UTC day of [from, to), zero days included, adding up to the totals', async () => {
    // The clock starts at 2026-11-23T10:00Z.
    const trusted = await start({ widgetId: 'shop-visitor', token: await shopToken('julie@example.com', t.clock.now) });
    await message(trusted, 'order status');
    const visitor = await start({ widgetId: 'shop-visitor' });
    await message(visitor, 'hello');
    await message(visitor, 'anyone?');
    t.clock.advance(2 * DAY);
    await start({ widgetId: 'shop-optional' });
    const r = await report('?from=2026-11-22&to=2026-11-26');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ from: '2026-11-22T00:00:00.000Z', to: '2026-11-26T00:00:00.000Z', conversations: 3, customerMessages: 3, trustedMessages: 1 });
    expect(body.byDay).toEqual([
      { day: '2026-11-22', conversations: 0, customerMessages: 0, trustedMessages: 0, trustedShare: 0 },
      { day: '2026-11-23', conversations: 2, customerMessages: 3, trustedMessages: 1, trustedShare: 1 / 3 },
      { day: '2026-11-24', conversations: 0, customerMessages: 0, trustedMessages: 0, trustedShare: 0 },
      { day: '2026-11-25', conversations: 1, customerMessages: 0, trustedMessages: 0, trustedShare: 0 },
    ]);
  });

  it('defaults to the 30 days before the app clock: 31 UTC days touched', async () => {
    const body = (await report()).json();
    expect(body.byDay).toHaveLength(31);
    expect([body.byDay[0].day, body.byDay.at(-1).day]).toEqual(['2026-10-24', '2026-11-23']);
  });

  it('takes a year (366 days), and answers 400 validation_failed past it', async () => {
    expect((await report('?from=2024-01-01&to=2025-01-01')).json().byDay).toHaveLength(366);
    const over = await report('?from=2024-01-01&to=2025-01-02');
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({ code: 'validation_failed', issues: [{ field: 'querystring.from', message: expect.stringMatching(/367 UTC days; a report covers at most 366/) }] });
    // With `to` defaulted to the app clock, an old `from` is refused the same way, never a 500.
    expect((await report('?from=2020-01-01')).statusCode).toBe(400);
  });

  it.each([
    ['an impossible date', '?from=2026-02-30', 'querystring.from'],
    ['a year the stores cannot hold', '?from=0000-12-31&to=0001-01-02', 'querystring.from'],
    ['a timestamp past year 9999', '?to=9999-12-31T23:59:59-12:00', 'querystring.to'],
    ['a date with a time but no offset', '?from=2026-11-01T00:00:00', 'querystring.from'],
  ])('answers 400 validation_failed for %s', async (_label, query, field) => {
    const r = await report(query);
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('validation_failed');
    expect(r.json().issues.map((i: { field: string }) => i.field)).toContain(field);
  });

  it('defaults from to year 1 when to is in its first days, instead of failing', async () => {
    const r = await report('?to=0001-01-05');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ from: '0001-01-01T00:00:00.000Z', to: '0001-01-05T00:00:00.000Z' });
    expect(r.json().byDay).toHaveLength(4);
  });
});
