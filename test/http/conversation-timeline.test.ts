// Timeline pages over HTTP: the GET's latest page and its cursor, the timeline route's before/after paging, 400s, party rules by key.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TIMELINE_PAGE_MAX } from '../../src/store/store.port.ts';
import { auth, buildTestApp, shopToken, type TestApp } from './helpers.ts';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.close();
});

type Json = Record<string, any>;
async function get(url: string, role: 'runtime' | 'admin' = 'admin'): Promise<{ status: number; body: Json }> {
  const r = await t.app.inject({ method: 'GET', url, headers: auth(role) });
  return { status: r.statusCode, body: r.json() };
}
async function turn(id: string, body: Json): Promise<void> {
  const r = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: body });
  expect(r.statusCode).toBe(200);
}

/** A conversation with a trusted party 0, a logout, and a party 1 with a few messages. */
async function twoParties(): Promise<string> {
  const s = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor', token: await shopToken('julie@example.com', t.clock.now, { ttl: 60 }) } });
  const id = s.json().conversationId as string;
  await turn(id, { type: 'message', text: 'order status' });
  await turn(id, { type: 'message', text: 'R-1' });
  await turn(id, { type: 'clear_user' });
  for (const text of ['hello', 'still there?', 'anyone?']) await turn(id, { type: 'message', text });
  return id;
}

/** Every entry, read as one page the old way would have shown it. */
async function whole(id: string, party: string): Promise<Json[]> {
  const r = await get(`/v1/conversations/${id}/timeline?party=${party}&limit=${TIMELINE_PAGE_MAX}`);
  expect(r.body.timelinePage.hasMore).toBe(false);
  return r.body.timeline;
}

describe('GET /v1/conversations/:id', () => {
  it('returns the latest page, oldest first, with the cursor of the older one; small conversations fit in the default page', async () => {
    const id = await twoParties();
    const all = await whole(id, 'all');
    expect(all.length).toBeGreaterThan(6);
    const full = await get(`/v1/conversations/${id}?party=all`);
    expect(full.status).toBe(200);
    expect(full.body.timeline).toEqual(all);
    expect(full.body.timelinePage).toEqual({ limit: 100, hasMore: false, nextBefore: null, nextAfter: null });
    expect(full.body).toMatchObject({ id, status: expect.any(String), identity: { party: 1 } });
    const page = await get(`/v1/conversations/${id}?party=all&limit=3`);
    expect(page.body.timeline).toEqual(all.slice(-3));
    expect(Object.keys(page.body.timeline[0]).sort()).toEqual(['at', 'from', 'indicator', 'party', 'seq', 'text', 'trusted', 'turn']);
    expect(page.body.timelinePage).toEqual({ limit: 3, hasMore: true, nextBefore: all.at(-3)!.seq, nextAfter: null });
  });

  it('a long conversation answers its latest 100 entries by default, and the older ones page out whole', async () => {
    const s = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
    const id = s.json().conversationId as string;
    const conv = (await t.store.conversations.get(id))!;
    const party = conv.state.identity.party;
    const entries = Array.from({ length: 230 }, (_, i) => ({ party, from: 'bot' as const, text: `line ${i}`, trusted: null, at: new Date(t.clock.now).toISOString() }));
    const r = await t.store.conversations.commitTurn({ conversationId: id, expectedVersion: conv.version, state: conv.state, entries, idempotency: null, now: new Date(t.clock.now).toISOString() });
    expect(r.ok).toBe(true);
    const all = await whole(id, 'current');
    expect(all.length).toBeGreaterThan(230);
    const latest = await get(`/v1/conversations/${id}`, 'runtime');
    expect(latest.body.timeline).toEqual(all.slice(-100));
    expect(latest.body.timelinePage).toEqual({ limit: 100, hasMore: true, nextBefore: all.at(-100)!.seq, nextAfter: null });
    const seen = [...latest.body.timeline];
    let before = latest.body.timelinePage.nextBefore;
    while (before !== null) {
      const page = await get(`/v1/conversations/${id}/timeline?before=${before}`, 'runtime');
      expect(page.body.timeline.length).toBeLessThanOrEqual(100);
      seen.unshift(...page.body.timeline);
      before = page.body.timelinePage.nextBefore;
    }
    expect(seen).toEqual(all);
  });

  it('refuses a limit outside 1 to the maximum', async () => {
    const id = await twoParties();
    for (const limit of ['0', String(TIMELINE_PAGE_MAX + 1), 'x', '1.5']) {
      const r = await get(`/v1/conversations/${id}?limit=${limit}`);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ code: 'validation_failed' });
      expect(r.body.issues[0].field).toBe('querystring.limit');
    }
  });
});

describe('GET /v1/conversations/:id/timeline', () => {
  it('pages backward with nextBefore over every entry exactly once, in order', async () => {
    const id = await twoParties();
    const all = await whole(id, 'all');
    for (const limit of [1, 2, 5]) {
      const seen: Json[] = [];
      let url = `/v1/conversations/${id}/timeline?party=all&limit=${limit}`;
      for (let guard = 0; guard < 50; guard++) {
        const r = await get(url);
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({ conversationId: id, party: 'all' });
        seen.unshift(...r.body.timeline);
        if (r.body.timelinePage.nextBefore === null) break;
        expect(r.body.timelinePage.hasMore).toBe(true);
        url = `/v1/conversations/${id}/timeline?party=all&limit=${limit}&before=${r.body.timelinePage.nextBefore}`;
      }
      expect(seen).toEqual(all);
    }
  });

  it('pages forward with after and nextAfter, and bounds both ends with before and after', async () => {
    const id = await twoParties();
    const all = await whole(id, 'all');
    const seen: Json[] = [];
    let url = `/v1/conversations/${id}/timeline?party=all&limit=2&after=0`;
    for (let guard = 0; guard < 50; guard++) {
      const r = await get(url);
      seen.push(...r.body.timeline);
      expect(r.body.timelinePage.nextBefore).toBeNull();
      if (r.body.timelinePage.nextAfter === null) break;
      url = `/v1/conversations/${id}/timeline?party=all&limit=2&after=${r.body.timelinePage.nextAfter}`;
    }
    expect(seen).toEqual(all);
    const between = await get(`/v1/conversations/${id}/timeline?party=all&after=${all[0]!.seq}&before=${all[3]!.seq}`);
    expect(between.body.timeline).toEqual(all.slice(1, 3));
    const newest = await get(`/v1/conversations/${id}/timeline?party=all&after=${all.at(-1)!.seq}`);
    expect(newest.body).toMatchObject({ timeline: [], timelinePage: { hasMore: false, nextAfter: null } });
  });

  it('refuses bad cursors and limits with 400 validation_failed naming the field', async () => {
    const id = await twoParties();
    const cases: [string, string][] = [
      ['before=abc', 'querystring.before'],
      ['after=-1', 'querystring.after'],
      ['before=1.5', 'querystring.before'],
      ['limit=0', 'querystring.limit'],
      [`limit=${TIMELINE_PAGE_MAX + 1}`, 'querystring.limit'],
      ['after=5&before=5', 'querystring.after'],
      ['after=9&before=3', 'querystring.after'],
      ['cursor=1', 'querystring'],
    ];
    for (const [query, field] of cases) {
      const r = await get(`/v1/conversations/${id}/timeline?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.code).toBe('validation_failed');
      expect(r.body.issues[0].field, query).toContain(field);
    }
    expect((await get('/v1/conversations/ghost/timeline')).body.code).toBe('conversation_not_found');
  });

  it('keeps the GET party rules: a runtime key reads only the current party, party=all and earlier parties are for admins', async () => {
    const id = await twoParties();
    const current = await get(`/v1/conversations/${id}/timeline?limit=2`, 'runtime');
    expect(current.status).toBe(200);
    expect(current.body.party).toBe(1);
    expect(current.body.timeline.map((e: Json) => e.party)).toEqual([1, 1]);
    const currentAll: Json[] = [];
    let before = '';
    for (let guard = 0; guard < 20; guard++) {
      const r = await get(`/v1/conversations/${id}/timeline?limit=2${before}`, 'runtime');
      currentAll.unshift(...r.body.timeline);
      if (r.body.timelinePage.nextBefore === null) break;
      before = `&before=${r.body.timelinePage.nextBefore}`;
    }
    expect(currentAll).toEqual((await whole(id, 'all')).filter((e) => e.party === 1));
    expect(currentAll.map((e) => e.text)).not.toContain('order status');

    const all = await get(`/v1/conversations/${id}/timeline?party=all`, 'runtime');
    expect(all.status).toBe(403);
    expect(all.body.code).toBe('forbidden');
    const earlier = await get(`/v1/conversations/${id}/timeline?party=0`, 'runtime');
    expect(earlier.status).toBe(403);
    expect(earlier.body.code).toBe('conversation_party_cleared');
    const notYet = await get(`/v1/conversations/${id}/timeline?party=2`);
    expect(notYet.status).toBe(400);
    expect(notYet.body.issues[0].field).toBe('querystring.party');

    const admin0 = await get(`/v1/conversations/${id}/timeline?party=0`);
    expect(admin0.status).toBe(200);
    expect(admin0.body.party).toBe(0);
    expect(admin0.body.timeline.map((e: Json) => e.party).every((p: number) => p === 0)).toBe(true);
    expect(admin0.body.timeline.map((e: Json) => e.text)).toContain('order status');
    const identity = await t.app.inject({ method: 'GET', url: `/v1/conversations/${id}/timeline`, headers: auth('identity') });
    expect(identity.statusCode).toBe(403);
  });
});
