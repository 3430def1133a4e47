// Contract: the admin conversation list: newest first, filters, keyset pages that return every row once, limits.
import { describe, expect, it } from 'vitest';
import type { ConversationCursor, ConversationListQuery, ConversationSummary, NewTimelineEntry, Store } from '../../../src/store/store.port.ts';
import { at, create, stateWith, useStore, type OpenStore, type StateShape } from './fixtures.ts';

const msg = (from: NewTimelineEntry['from'], trusted: boolean | null, party = 0): NewTimelineEntry => ({ party, from, text: 'x', trusted, at: at(0) });

/** Every page of a query, following `next` until it is null; fails on a loop. */
async function allPages(store: Store, q: Omit<ConversationListQuery, 'after'>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: ConversationCursor | undefined;
  for (let pages = 1; pages < 100; pages++) {
    const page = await store.conversations.list({ ...q, ...(after ? { after } : {}) });
    expect(page.conversations.length).toBeLessThanOrEqual(q.limit);
    ids.push(...page.conversations.map((c) => c.id));
    if (!page.next) return { ids, pages };
    after = page.next;
  }
  throw new Error('the pages never ended');
}

async function seed(store: Store, id: string, minute: number, shape: StateShape = {}, entries: NewTimelineEntry[] = []): Promise<void> {
  await create(store, id, { ...shape, createdAt: at(minute) });
  if (entries.length) await store.conversations.commitTurn({ conversationId: id, expectedVersion: 1, state: stateWith(shape), entries, idempotency: null, now: at(minute + 1) });
}

export function conversationListContract(open: OpenStore): void {
  const store = useStore(open);

  describe('list', () => {
    it('lists newest first with the status columns and message counts of every party (agent lines are not customer messages)', async () => {
      const s = store();
      await seed(s, 'old', 0, { scenario: 'visitor', auth: 'anonymous', onboarding: 'none', status: 'active' });
      await seed(s, 'new', 10, { widgetId: 'wf', scenario: 'ideal', auth: 'authenticated', onboarding: 'form', status: 'closed' }, [
        msg('customer', true),
        msg('customer', false),
        msg('bot', null),
        msg('system', null),
        msg('agent', null),
        msg('customer', true, 1),
      ]);
      const page = await s.conversations.list({ limit: 10 });
      expect(page.next).toBeNull();
      expect(page.conversations).toEqual<ConversationSummary[]>([
        {
          id: 'new',
          widgetId: 'wf',
          threadId: 't1',
          threadVersion: 1,
          status: 'closed',
          scenario: 'ideal',
          authStatus: 'authenticated',
          onboardingType: 'form',
          profileId: null,
          createdAt: at(10),
          updatedAt: at(11),
          customerMessages: 3,
          trustedMessages: 2,
          trusted: true,
        },
        {
          id: 'old',
          widgetId: 'w1',
          threadId: 't1',
          threadVersion: 1,
          status: 'active',
          scenario: 'visitor',
          authStatus: 'anonymous',
          onboardingType: 'none',
          profileId: null,
          createdAt: at(0),
          updatedAt: at(0),
          customerMessages: 0,
          trustedMessages: 0,
          trusted: false,
        },
      ]);
    });

    it('answers an empty store with an empty last page', async () => {
      expect(await store().conversations.list({ limit: 5 })).toEqual({ conversations: [], next: null });
    });

    it('filters by widget, scenario, status and auth status, alone and together', async () => {
      const s = store();
      await seed(s, 'a', 1, { widgetId: 'w1', scenario: 'ideal', status: 'active', auth: 'authenticated' });
      await seed(s, 'b', 2, { widgetId: 'w2', scenario: 'ideal', status: 'closed', auth: 'authenticated' });
      await seed(s, 'c', 3, { widgetId: 'w1', scenario: 'standard', status: 'closed', auth: 'identified' });
      await seed(s, 'd', 4, { widgetId: 'w2', scenario: 'visitor', status: 'active', auth: 'anonymous' });
      const ids = async (q: Omit<ConversationListQuery, 'limit'>) => (await s.conversations.list({ limit: 100, ...q })).conversations.map((c) => c.id);
      expect(await ids({ widgetId: 'w1' })).toEqual(['c', 'a']);
      expect(await ids({ scenario: 'ideal' })).toEqual(['b', 'a']);
      expect(await ids({ status: 'closed' })).toEqual(['c', 'b']);
      expect(await ids({ authStatus: 'anonymous' })).toEqual(['d']);
      expect(await ids({ widgetId: 'w2', scenario: 'ideal', status: 'closed', authStatus: 'authenticated' })).toEqual(['b']);
      expect(await ids({ widgetId: 'w1', scenario: 'visitor' })).toEqual([]);
      expect(await ids({ widgetId: 'nobody' })).toEqual([]);
    });

    it('filters by what the latest turn says, not what the conversation started as', async () => {
      const s = store();
      await create(s, 'c1', { scenario: 'visitor', auth: 'anonymous' });
      await s.conversations.commitTurn({ conversationId: 'c1', expectedVersion: 1, state: stateWith({ scenario: 'ideal', auth: 'authenticated' }), entries: [], idempotency: null, now: at(5) });
      expect((await s.conversations.list({ limit: 5, scenario: 'ideal', authStatus: 'authenticated' })).conversations.map((c) => c.id)).toEqual(['c1']);
      expect((await s.conversations.list({ limit: 5, scenario: 'visitor' })).conversations).toEqual([]);
    });

    it('takes createdAt in [from, to), in any ISO 8601 spelling', async () => {
      const s = store();
      for (const [id, minute] of [['before', -1], ['at-from', 0], ['middle', 30], ['last-ms', 59.99999], ['at-to', 60]] as const) await seed(s, id, minute);
      const ids = async (q: Omit<ConversationListQuery, 'limit'>) => (await s.conversations.list({ limit: 100, ...q })).conversations.map((c) => c.id);
      expect(await ids({ from: at(0), to: at(60) })).toEqual(['last-ms', 'middle', 'at-from']);
      expect(await ids({ from: '2026-11-23T10:00:00Z', to: '2026-11-23T12:00:00+01:00' })).toEqual(['last-ms', 'middle', 'at-from']);
      expect(await ids({ from: at(30) })).toEqual(['at-to', 'last-ms', 'middle']);
      expect(await ids({ to: at(0) })).toEqual(['before']);
    });

    it('pages through every row exactly once, in order, with and without filters', async () => {
      const s = store();
      const made: { id: string; minute: number; scenario: StateShape['scenario'] }[] = [];
      for (let i = 0; i < 23; i++) {
        const row = { id: `c${String(i).padStart(2, '0')}`, minute: (i * 7) % 11, scenario: i % 3 === 0 ? ('ideal' as const) : ('visitor' as const) };
        made.push(row);
        await seed(s, row.id, row.minute, { scenario: row.scenario });
      }
      const newestFirst = (rows: typeof made) => [...rows].sort((a, b) => b.minute - a.minute || (a.id < b.id ? 1 : -1)).map((r) => r.id);
      for (const limit of [1, 4, 23, 100]) {
        const { ids, pages } = await allPages(s, { limit });
        expect(ids).toEqual(newestFirst(made));
        expect(pages).toBe(Math.max(1, Math.ceil(23 / limit)));
      }
      expect((await allPages(s, { limit: 2, scenario: 'ideal' })).ids).toEqual(newestFirst(made.filter((r) => r.scenario === 'ideal')));
      expect((await allPages(s, { limit: 3, from: at(2), to: at(8) })).ids).toEqual(newestFirst(made.filter((r) => r.minute >= 2 && r.minute < 8)));
    });

    it('keeps pages stable when many conversations share one createdAt: ties go by id, descending, bytewise', async () => {
      const s = store();
      const ids = ['b', 'B', 'a-1', 'a_1', 'a', 'A2', 'z', '0'];
      for (const id of ids) await seed(s, id, 5);
      const expected = [...ids].sort().reverse();
      expect((await allPages(s, { limit: 3 })).ids).toEqual(expected);
      // A row created meanwhile, newer than the cursor, does not shift the pages after it.
      const first = await s.conversations.list({ limit: 3 });
      await seed(s, 'zz', 5);
      await seed(s, 'newer', 6);
      const second = await s.conversations.list({ limit: 3, after: first.next! });
      expect(second.conversations.map((c) => c.id)).toEqual(expected.slice(3, 6));
    });

    it('answers a full last page with next null, not with an empty page after it', async () => {
      const s = store();
      for (const id of ['a', 'b', 'c', 'd']) await seed(s, id, 1);
      const first = await s.conversations.list({ limit: 2 });
      expect(first.next).toEqual({ createdAt: at(1), id: 'c' });
      const second = await s.conversations.list({ limit: 2, after: first.next! });
      expect(second).toEqual({ conversations: [expect.objectContaining({ id: 'b' }), expect.objectContaining({ id: 'a' })], next: null });
    });

    it.each([0, -1, 1.5, 101, Number.NaN])('refuses the limit %s as value_invalid', async (limit) => {
      await expect(store().conversations.list({ limit })).rejects.toMatchObject({ code: 'value_invalid', message: expect.stringMatching(/limit/) });
    });

    it('refuses bounds and cursors that are not timestamps, or outside the years 0001-9999', async () => {
      const list = (q: Omit<ConversationListQuery, 'limit'>) => store().conversations.list({ limit: 5, ...q });
      await expect(list({ from: 'yesterday' })).rejects.toMatchObject({ code: 'value_invalid' });
      await expect(list({ to: '+010000-01-01T00:00:00.000Z' })).rejects.toMatchObject({ code: 'value_invalid' });
      await expect(list({ after: { createdAt: 'soon', id: 'x' } })).rejects.toMatchObject({ code: 'value_invalid' });
    });
  });
}
