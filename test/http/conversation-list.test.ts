// GET /v1/conversations end to end on SQLite: admin only, newest first, filters, date-only bounds, cursor pages, and 400s for bad input.
import fc from 'fast-check';
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
const turn = (id: string, body: Json) => t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: body });
const list = (query = '', role: 'admin' | 'runtime' | 'identity' = 'admin') => t.app.inject({ method: 'GET', url: `/v1/conversations${query}`, headers: auth(role) });
const ids = async (query = ''): Promise<string[]> => {
  const r = await list(query);
  expect(r.statusCode).toBe(200);
  return r.json().conversations.map((c: Json) => c.id);
};

describe('GET /v1/conversations', () => {
  it('answers 401 without a key and 403 for runtime and identity keys', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/conversations' })).statusCode).toBe(401);
    for (const role of ['runtime', 'identity'] as const) {
      const r = await list('', role);
      expect(r.statusCode).toBe(403);
      expect(r.json().code).toBe('forbidden');
    }
  });

  it('lists newest first with the status columns and the message counts', async () => {
    const visitor = await start({ widgetId: 'shop-visitor' });
    await turn(visitor, { type: 'message', text: 'hello' });
    t.clock.advance(60);
    const trusted = await start({ widgetId: 'shop-form', token: await shopToken('julie@example.com', t.clock.now) });
    await turn(trusted, { type: 'message', text: 'order status' });
    await turn(trusted, { type: 'message', text: 'R-1' });
    await turn(trusted, { type: 'close' });
    const r = await list();
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.nextCursor).toBeNull();
    expect(body.conversations.map((c: Json) => c.id)).toEqual([trusted, visitor]);
    expect(Object.keys(body.conversations[0]).sort()).toEqual(
      ['authStatus', 'createdAt', 'customerMessages', 'id', 'onboardingType', 'profileId', 'scenario', 'status', 'threadId', 'threadVersion', 'trusted', 'trustedMessages', 'updatedAt', 'widgetId'].sort(),
    );
    expect(body.conversations[0]).toMatchObject({ widgetId: 'shop-form', threadId: 'returns', threadVersion: 1, status: 'closed', scenario: 'most_ideal', authStatus: 'authenticated', onboardingType: 'form', customerMessages: 2, trustedMessages: 2, trusted: true });
    expect(body.conversations[1]).toMatchObject({ widgetId: 'shop-visitor', scenario: 'visitor', authStatus: 'anonymous', onboardingType: 'none', customerMessages: 1, trustedMessages: 0, trusted: false, profileId: null });
  });

  it('filters by widget, scenario, status, auth status and creation time (dates read as UTC midnight)', async () => {
    const visitor = await start({ widgetId: 'shop-visitor' });
    const optional = await start({ widgetId: 'shop-optional' });
    t.clock.advance(DAY);
    const signedIn = await start({ widgetId: 'shop-visitor', token: await shopToken('julie@example.com', t.clock.now) });
    await turn(optional, { type: 'close' });
    expect(await ids('?widgetId=shop-visitor')).toEqual([signedIn, visitor]);
    expect(await ids('?scenario=most_ideal')).toEqual([signedIn]);
    expect(await ids('?scenario=visitor')).toEqual([optional, visitor]);
    expect(await ids('?status=closed')).toEqual([optional]);
    expect(await ids('?authStatus=anonymous&widgetId=shop-visitor')).toEqual([visitor]);
    // The clock starts at 2026-11-23T10:00Z; the third conversation is a day later.
    expect(await ids('?from=2026-11-24')).toEqual([signedIn]);
    expect(await ids('?to=2026-11-24')).toEqual([optional, visitor]);
    expect(await ids('?from=2026-11-23T10:00:00Z&to=2026-11-24T10:00:00%2B00:00')).toEqual([optional, visitor]);
    expect(await ids('?from=2026-11-25')).toEqual([]);
  });

  it('pages with a small limit: every conversation once, in order, and nextCursor null on the last page', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(await start({ widgetId: 'shop-visitor' }));
      // Two conversations per instant: ties are ordered by id, and pages still never repeat or skip one.
      if (i % 2 === 1) t.clock.advance(1);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.statusCode).toBe(200);
      const body = r.json();
      expect(body.conversations.length).toBeLessThanOrEqual(2);
      seen.push(...body.conversations.map((c: Json) => c.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toEqual(await ids('?limit=100'));
    expect([...seen].sort()).toEqual([...made].sort());
  });

  it('keeps a cursor usable with filters: it is only a position in the sort order', async () => {
    for (let i = 0; i < 3; i++) {
      await start({ widgetId: 'shop-visitor' });
      await start({ widgetId: 'shop-optional' });
      t.clock.advance(1);
    }
    const first = (await list('?widgetId=shop-optional&limit=2')).json();
    const second = (await list(`?widgetId=shop-optional&limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.nextCursor).toBeNull();
    expect([...first.conversations, ...second.conversations].map((c: Json) => c.widgetId)).toEqual(['shop-optional', 'shop-optional', 'shop-optional']);
  });

  const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  it.each([
    ['a cursor that is not base64url', '?cursor=not*a*cursor', 'querystring.cursor'],
    ['a cursor that is not JSON', `?cursor=${Buffer.from('hello').toString('base64url')}`, 'querystring.cursor'],
    ['a cursor of the wrong shape', `?cursor=${cursorOf({ createdAt: '2026-11-23T10:00:00.000Z', id: 'x' })}`, 'querystring.cursor'],
    ['a cursor with a time that is not canonical', `?cursor=${cursorOf(['2026-11-23T10:00:00Z', 'x'])}`, 'querystring.cursor'],
    ['a cursor with an empty id', `?cursor=${cursorOf(['2026-11-23T10:00:00.000Z', ''])}`, 'querystring.cursor'],
    ['an empty cursor', '?cursor=', 'querystring.cursor'],
    ['an unknown scenario', '?scenario=best', 'querystring.scenario'],
    ['an unknown status', '?status=open', 'querystring.status'],
    ['an unknown auth status', '?authStatus=trusted', 'querystring.authStatus'],
    ['a malformed widgetId', '?widgetId=-x', 'querystring.widgetId'],
    ['limit 0', '?limit=0', 'querystring.limit'],
    ['limit 101', '?limit=101', 'querystring.limit'],
    ['a limit that is not a number', '?limit=ten', 'querystring.limit'],
    ['a fractional limit', '?limit=1.5', 'querystring.limit'],
    ['a date that is not ISO 8601', '?from=yesterday', 'querystring.from'],
    ['an impossible date', '?to=2026-02-30', 'querystring.to'],
    ['a year the stores cannot hold', '?from=0000-01-01', 'querystring.from'],
    ['a timestamp past year 9999', '?to=9999-12-31T23:59:59-12:00', 'querystring.to'],
    ['from after to', '?from=2026-11-24&to=2026-11-23', 'querystring.from'],
    ['from equal to to', '?from=2026-11-24&to=2026-11-24T00:00:00Z', 'querystring.from'],
    ['an unknown parameter', '?widget=shop-visitor', 'querystring'],
  ])('answers 400 validation_failed for %s', async (_label, query, field) => {
    const r = await list(query);
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('validation_failed');
    expect(r.json().issues.map((i: { field: string }) => i.field)).toContain(field);
    expect(r.json().message).toContain(field);
  });

  it('says what a bad cursor is and what to pass instead', async () => {
    const r = await list('?cursor=zzzz');
    expect(r.json().message).toMatch(/querystring\.cursor: not a cursor this API gave out; pass the nextCursor of the previous page/);
  });
});

describe('no input is a 500', () => {
  const KEYS = ['widgetId', 'scenario', 'status', 'authStatus', 'from', 'to', 'limit', 'cursor'];
  const value = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.integer({ min: -5, max: 500 }).map(String),
    fc.base64String({ maxLength: 60 }).map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
  );
  const query = fc.array(fc.tuple(fc.constantFrom(...KEYS), value), { maxLength: 4 }).map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));

  it.each(['/v1/conversations', '/v1/reports/onboarding'])('%s answers 200 or 400 validation_failed for any query', async (path) => {
    await start({ widgetId: 'shop-visitor' });
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const r = await t.app.inject({ method: 'GET', url: `${path}?${q}`, headers: auth('admin') });
        expect([200, 400]).toContain(r.statusCode);
        if (r.statusCode === 400) expect(r.json().code).toBe('validation_failed');
      }),
      { numRuns: 150 },
    );
  });
});
