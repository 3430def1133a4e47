// Contract: conversations, turns (version guard, idempotency, atomicity) and timelines.
import { describe, expect, it } from 'vitest';
import type { ConversationState } from '../../../src/core/state.ts';
import { TIMELINE_PAGE_MAX, type IdempotencyRecord, type NewTimelineEntry, type Store, type TimelinePageQuery, type TurnCommit } from '../../../src/store/store.port.ts';
import { at, create, newConversation, stateWith, useStore, type OpenStore } from './fixtures.ts';

const say = (text: string, from: NewTimelineEntry['from'] = 'bot', extra: Partial<NewTimelineEntry> = {}): NewTimelineEntry => ({
  party: 0,
  from,
  text,
  trusted: from === 'customer' ? false : null,
  at: at(1),
  ...extra,
});

const idem = (key: string, body: unknown, scope = 'turn:c1'): { scope: string; record: IdempotencyRecord } => ({
  scope,
  record: { key, requestHash: `hash-${key}`, status: 200, body, createdAt: at(1) },
});

const turn = (over: Partial<TurnCommit> = {}): TurnCommit => ({
  conversationId: 'c1',
  expectedVersion: 1,
  state: stateWith({ status: 'active', scenario: 'ideal', auth: 'authenticated', step: 'next' }),
  entries: [say('hello', 'customer', { trusted: true }), say('hi there')],
  idempotency: null,
  now: at(5),
  ...over,
});

/** Everything a failed write must have left as it was. */
async function snapshot(store: Store, id = 'c1') {
  return { conversation: await store.conversations.get(id), timeline: await store.conversations.timeline(id) };
}

export function conversationsContract(open: OpenStore): void {
  const store = useStore(open);

  describe('createConversation', () => {
    it('creates at version 1 with updatedAt = createdAt, and reads it back whole', async () => {
      const input = newConversation('c1', { status: 'active', scenario: 'standard', auth: 'identified', onboarding: 'form', widgetId: 'wf', createdAt: at(3) });
      const r = await store().conversations.create(input);
      expect(r).toEqual({ ok: true, conversation: { ...input, profileId: null, version: 1, updatedAt: at(3) } });
      expect(await store().conversations.get('c1')).toEqual({ ...input, profileId: null, version: 1, updatedAt: at(3), rulesGeneration: expect.any(Number) });
    });

    it('writes the start turn (entries at turn 1) and its idempotency record with the conversation', async () => {
      const r = await store().conversations.create(newConversation('c1'), { entries: [say('welcome')], idempotency: idem('k1', { id: 'c1' }, 'start') });
      expect(r.ok).toBe(true);
      expect((await store().conversations.timeline('c1')).map((e) => [e.turn, e.text])).toEqual([[1, 'welcome']]);
      expect(await store().conversations.getIdempotency('start', 'k1')).toEqual(idem('k1', { id: 'c1' }, 'start').record);
    });

    it('answers a used start idempotency key with the stored record and writes nothing', async () => {
      await store().conversations.create(newConversation('c1'), { entries: [], idempotency: idem('k1', { id: 'c1' }, 'start') });
      const again = await store().conversations.create(newConversation('c2'), { entries: [say('welcome')], idempotency: idem('k1', { id: 'c2' }, 'start') });
      expect(again).toEqual({ ok: false, reason: 'idempotent_replay', record: idem('k1', { id: 'c1' }, 'start').record });
      expect(await snapshot(store(), 'c2')).toEqual({ conversation: null, timeline: [] });
    });

    it('refuses a duplicate id, writing nothing of the second call', async () => {
      await create(store(), 'c1', { scenario: 'visitor' });
      const dup = store().conversations.create(newConversation('c1', { scenario: 'ideal' }), { entries: [say('x')], idempotency: idem('k1', {}, 'start') });
      await expect(dup).rejects.toMatchObject({ code: 'conversation_exists' });
      expect((await store().conversations.get('c1'))?.scenario).toBe('visitor');
      expect(await store().conversations.timeline('c1')).toEqual([]);
      expect(await store().conversations.getIdempotency('start', 'k1')).toBeNull();
    });

    it('writes nothing at all when one part of the start is refused', async () => {
      const broken = { ...say('second'), from: 'robot' } as unknown as NewTimelineEntry;
      await expect(store().conversations.create(newConversation('c1'), { entries: [say('first'), broken], idempotency: idem('k1', {}, 'start') })).rejects.toThrow();
      expect(await snapshot(store())).toEqual({ conversation: null, timeline: [] });
      expect(await store().conversations.getIdempotency('start', 'k1')).toBeNull();
    });

    it('refuses a creation time that is not a timestamp', async () => {
      await expect(store().conversations.create({ ...newConversation('c1'), createdAt: 'yesterday' })).rejects.toMatchObject({ code: 'value_invalid' });
      expect(await store().conversations.get('c1')).toBeNull();
    });

    it('answers null for an unknown conversation', async () => {
      expect(await store().conversations.get('nope')).toBeNull();
    });

    it('reads a state stored before lookups existed as one with no lookups', async () => {
      const { lookups, ...old } = stateWith();
      expect(lookups).toEqual({});
      const r = await store().conversations.create({ ...newConversation('c1'), state: old as ConversationState });
      expect(r.ok && r.conversation.state).toEqual({ ...old, lookups: {} });
      expect((await store().conversations.get('c1'))?.state).toEqual({ ...old, lookups: {} });
    });

    it('refuses, as state_invalid, a state it could not read back, and writes nothing', async () => {
      const state = { ...stateWith(), status: 'sleeping' } as unknown as ConversationState;
      await expect(store().conversations.create({ ...newConversation('c1'), state }, { entries: [say('hi')], idempotency: idem('k1', {}, 'start') })).rejects.toMatchObject({
        code: 'state_invalid',
      });
      expect(await snapshot(store())).toEqual({ conversation: null, timeline: [] });
      expect(await store().conversations.getIdempotency('start', 'k1')).toBeNull();
    });
  });

  describe('commitTurn', () => {
    it('stores the state, takes status, scenario and auth status from it, and bumps the version', async () => {
      await create(store(), 'c1');
      const t = turn({ idempotency: idem('k1', { answer: 1 }) });
      expect(await store().conversations.commitTurn(t)).toEqual({ ok: true, version: 2 });
      const c = await store().conversations.get('c1');
      expect(c).toMatchObject({ version: 2, state: t.state, status: 'active', scenario: 'ideal', authStatus: 'authenticated', createdAt: at(0), updatedAt: at(5) });
      const entries = await store().conversations.timeline('c1');
      expect(entries.map((e) => ({ turn: e.turn, from: e.from, text: e.text, trusted: e.trusted, conversationId: e.conversationId }))).toEqual([
        { turn: 2, from: 'customer', text: 'hello', trusted: true, conversationId: 'c1' },
        { turn: 2, from: 'bot', text: 'hi there', trusted: null, conversationId: 'c1' },
      ]);
      expect(await store().conversations.getIdempotency('turn:c1', 'k1')).toEqual(t.idempotency!.record);
    });

    it("keeps a turn's many entries in the order given, with every sender, trust and text", async () => {
      await create(store(), 'c1');
      const froms = ['customer', 'bot', 'system'] as const;
      const trusts = [true, false, null] as const;
      const entries = Array.from({ length: 40 }, (_, i) => say(`m${i} "quoted", {braces} é ✓`, froms[i % 3], { trusted: trusts[i % 3], party: i % 2 }));
      expect(await store().conversations.commitTurn(turn({ entries }))).toEqual({ ok: true, version: 2 });
      const stored = await store().conversations.timeline('c1');
      expect(stored.map((e) => [e.text, e.from, e.trusted, e.party, e.at])).toEqual(entries.map((e) => [e.text, e.from, e.trusted, e.party, e.at]));
    });

    it('refuses a stale version with the current one, and writes nothing', async () => {
      await create(store(), 'c1');
      await store().conversations.commitTurn(turn());
      const before = await snapshot(store());
      const stale = await store().conversations.commitTurn(turn({ state: stateWith({ status: 'closed' }), idempotency: idem('k2', {}) }));
      expect(stale).toEqual({ ok: false, reason: 'version_conflict', currentVersion: 2 });
      expect(await snapshot(store())).toEqual(before);
      expect(await store().conversations.getIdempotency('turn:c1', 'k2')).toBeNull();
    });

    it('answers a used idempotency key with the stored record and writes nothing, even on the right version', async () => {
      await create(store(), 'c1');
      await store().conversations.commitTurn(turn({ idempotency: idem('k1', { answer: 'first' }) }));
      const before = await snapshot(store());
      const replay = await store().conversations.commitTurn(turn({ expectedVersion: 2, state: stateWith({ status: 'closed' }), idempotency: idem('k1', { answer: 'second' }) }));
      expect(replay).toEqual({ ok: false, reason: 'idempotent_replay', record: idem('k1', { answer: 'first' }).record });
      expect(await snapshot(store())).toEqual(before);
    });

    it('keeps idempotency keys apart by scope', async () => {
      await create(store(), 'c1');
      await store().conversations.commitTurn(turn({ idempotency: idem('k1', 1, 'turn:other') }));
      expect(await store().conversations.commitTurn(turn({ expectedVersion: 2, idempotency: idem('k1', 2) }))).toEqual({ ok: true, version: 3 });
      expect(await store().conversations.getIdempotency('turn:other', 'k1')).toMatchObject({ body: 1 });
      expect(await store().conversations.getIdempotency('turn:c1', 'k1')).toMatchObject({ body: 2 });
    });

    it('answers not_found for an unknown conversation and writes nothing', async () => {
      expect(await store().conversations.commitTurn(turn({ conversationId: 'ghost', idempotency: idem('k1', {}) }))).toEqual({ ok: false, reason: 'not_found' });
      expect(await store().conversations.getIdempotency('turn:c1', 'k1')).toBeNull();
      expect(await store().conversations.timeline('ghost')).toEqual([]);
    });

    it('writes nothing at all when one part of the turn is refused', async () => {
      await create(store(), 'c1');
      const before = await snapshot(store());
      const broken = { ...say('second'), from: 'robot' } as unknown as NewTimelineEntry;
      await expect(store().conversations.commitTurn(turn({ entries: [say('first'), broken], idempotency: idem('k1', {}) }))).rejects.toThrow();
      expect(await snapshot(store())).toEqual(before);
      expect(await store().conversations.getIdempotency('turn:c1', 'k1')).toBeNull();
    });

    it('lets exactly one of several turns read at the same version win', async () => {
      await create(store(), 'c1');
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => store().conversations.commitTurn(turn({ entries: [say(`turn ${i}`)] }))));
      expect(results.filter((r) => r.ok)).toEqual([{ ok: true, version: 2 }]);
      expect(results.filter((r) => !r.ok)).toEqual(Array(4).fill({ ok: false, reason: 'version_conflict', currentVersion: 2 }));
      expect(await store().conversations.timeline('c1')).toHaveLength(1);
    });
  });

  describe('timeline', () => {
    it('lists entries in the order they were written, across turns, with seq increasing', async () => {
      await store().conversations.create(newConversation('c1'), { entries: [say('a')], idempotency: null });
      await store().conversations.commitTurn(turn({ entries: [say('b', 'customer'), say('c', 'system')] }));
      await store().conversations.commitTurn(turn({ expectedVersion: 2, entries: [say('d')] }));
      const entries = await store().conversations.timeline('c1');
      expect(entries.map((e) => [e.turn, e.text])).toEqual([[1, 'a'], [2, 'b'], [2, 'c'], [3, 'd']]);
      const seqs = entries.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(4);
    });

    it('keeps every field of an entry, with trusted true, false or null', async () => {
      await create(store(), 'c1');
      const entries = [say('t', 'customer', { trusted: true, party: 3, at: at(7) }), say('u', 'customer', { trusted: false }), say('b')];
      await store().conversations.commitTurn(turn({ entries }));
      expect((await store().conversations.timeline('c1')).map(({ party, from, text, trusted, at: when }) => ({ party, from, text, trusted, at: when }))).toEqual(entries);
    });

    it('filters by party', async () => {
      await create(store(), 'c1');
      await store().conversations.commitTurn(turn({ entries: [say('p0', 'customer'), say('p1', 'customer', { party: 1 }), say('p1 bot', 'bot', { party: 1 })] }));
      expect((await store().conversations.timeline('c1', { party: 1 })).map((e) => e.text)).toEqual(['p1', 'p1 bot']);
      expect((await store().conversations.timeline('c1', { party: 0 })).map((e) => e.text)).toEqual(['p0']);
      expect(await store().conversations.timeline('c1', { party: 2 })).toEqual([]);
    });

    it("never mixes two conversations' entries", async () => {
      await create(store(), 'c1');
      await create(store(), 'c2');
      await store().conversations.commitTurn(turn({ entries: [say('one')] }));
      await store().conversations.commitTurn(turn({ conversationId: 'c2', entries: [say('two')] }));
      expect((await store().conversations.timeline('c2')).map((e) => [e.conversationId, e.text])).toEqual([['c2', 'two']]);
    });
  });

  describe('timelinePage', () => {
    /** c1 with 12 entries over 4 turns, parties 0 (even texts) and 1 (odd texts), and c2 with one entry. */
    async function twelve(): Promise<void> {
      await store().conversations.create(newConversation('c1'), { entries: [say('e0'), say('e1', 'bot', { party: 1 }), say('e2')], idempotency: null });
      for (let t = 0; t < 3; t++) {
        const base = 3 + t * 3;
        await store().conversations.commitTurn(
          turn({ expectedVersion: t + 1, entries: [base, base + 1, base + 2].map((i) => say(`e${i}`, 'customer', { party: i % 2 })) }),
        );
      }
      await create(store(), 'c2');
      await store().conversations.commitTurn(turn({ conversationId: 'c2', entries: [say('other')] }));
    }
    const texts = (entries: { text: string }[]) => entries.map((e) => e.text);
    const all = Array.from({ length: 12 }, (_, i) => `e${i}`);

    it('without a cursor reads the latest page, oldest first, and says older entries remain', async () => {
      await twelve();
      const page = await store().conversations.timelinePage('c1', { limit: 5 });
      expect(texts(page.entries)).toEqual(['e7', 'e8', 'e9', 'e10', 'e11']);
      expect(page.hasMore).toBe(true);
      const whole = await store().conversations.timelinePage('c1', { limit: 12 });
      expect(whole).toEqual({ entries: await store().conversations.timeline('c1'), hasMore: false });
    });

    it('pages backward with before: every entry exactly once, in order', async () => {
      await twelve();
      for (const limit of [1, 5, 11, 12, 13]) {
        const seen: string[] = [];
        let q: TimelinePageQuery = { limit };
        for (let guard = 0; guard < 20; guard++) {
          const page = await store().conversations.timelinePage('c1', q);
          expect(page.entries.length).toBeLessThanOrEqual(limit);
          seen.unshift(...texts(page.entries));
          if (!page.hasMore) break;
          q = { limit, before: page.entries[0]!.seq };
        }
        expect(seen).toEqual(all);
      }
    });

    it('pages forward with after: every entry exactly once, in order', async () => {
      await twelve();
      for (const limit of [1, 4, 12, 20]) {
        const seen: string[] = [];
        let q: TimelinePageQuery = { limit, after: 0 };
        for (let guard = 0; guard < 20; guard++) {
          const page = await store().conversations.timelinePage('c1', q);
          seen.push(...texts(page.entries));
          if (!page.hasMore) break;
          q = { limit, after: page.entries.at(-1)!.seq };
        }
        expect(seen).toEqual(all);
      }
    });

    it('before and after together bound both ends', async () => {
      await twelve();
      const seqs = (await store().conversations.timeline('c1')).map((e) => e.seq);
      const between = await store().conversations.timelinePage('c1', { limit: 3, after: seqs[2]!, before: seqs[9]! });
      expect(between).toEqual({ entries: expect.any(Array), hasMore: true });
      expect(texts(between.entries)).toEqual(['e3', 'e4', 'e5']);
      const rest = await store().conversations.timelinePage('c1', { limit: 3, after: seqs[5]!, before: seqs[9]! });
      expect(texts(rest.entries)).toEqual(['e6', 'e7', 'e8']);
      expect(rest.hasMore).toBe(false);
      const older = await store().conversations.timelinePage('c1', { limit: 2, before: seqs[3]! });
      expect(older).toEqual({ entries: expect.any(Array), hasMore: true });
      expect(texts(older.entries)).toEqual(['e1', 'e2']);
      expect(await store().conversations.timelinePage('c1', { limit: 5, after: seqs[11]! })).toEqual({ entries: [], hasMore: false });
      expect(await store().conversations.timelinePage('c1', { limit: 5, before: seqs[0]! })).toEqual({ entries: [], hasMore: false });
    });

    it('keeps the party filter while paging', async () => {
      await twelve();
      const odd = all.filter((_, i) => i % 2 === 1);
      const first = await store().conversations.timelinePage('c1', { limit: 4, party: 1 });
      expect(texts(first.entries)).toEqual(odd.slice(2));
      expect(first.hasMore).toBe(true);
      const second = await store().conversations.timelinePage('c1', { limit: 4, party: 1, before: first.entries[0]!.seq });
      expect(second).toEqual({ entries: expect.any(Array), hasMore: false });
      expect(texts(second.entries)).toEqual(odd.slice(0, 2));
      const forward = await store().conversations.timelinePage('c1', { limit: 10, party: 0, after: 0 });
      expect(texts(forward.entries)).toEqual(all.filter((_, i) => i % 2 === 0));
      expect(forward.hasMore).toBe(false);
      expect(forward.entries.every((e) => e.party === 0)).toBe(true);
      expect(await store().conversations.timelinePage('c1', { limit: 10, party: 2 })).toEqual({ entries: [], hasMore: false });
    });

    it("never mixes conversations, and a conversation without entries is an empty page", async () => {
      await twelve();
      expect(texts((await store().conversations.timelinePage('c2', { limit: 10 })).entries)).toEqual(['other']);
      expect(await store().conversations.timelinePage('ghost', { limit: 10 })).toEqual({ entries: [], hasMore: false });
    });

    it('accepts limits 1 to TIMELINE_PAGE_MAX and refuses others and bad bounds as value_invalid', async () => {
      await twelve();
      expect((await store().conversations.timelinePage('c1', { limit: 1 })).entries).toHaveLength(1);
      expect((await store().conversations.timelinePage('c1', { limit: TIMELINE_PAGE_MAX })).entries).toHaveLength(12);
      for (const q of [{ limit: 0 }, { limit: TIMELINE_PAGE_MAX + 1 }, { limit: 1.5 }, { limit: Number.NaN }, { limit: 5, before: -1 }, { limit: 5, after: 2.5 }, { limit: 5, party: -1 }]) {
        await expect(store().conversations.timelinePage('c1', q)).rejects.toMatchObject({ code: 'value_invalid' });
      }
    });
  });
}
