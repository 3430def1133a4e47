// Contract: the profile column of conversations (set from the state, kept through a logout), a profile's pages and counts, agent lines.
import { describe, expect, it } from 'vitest';
import type { ConversationListQuery, NewTimelineEntry, Store } from '../../../src/store/store.port.ts';
import { at, create, stateWith, useStore, type OpenStore, type StateShape } from './fixtures.ts';

const line = (from: NewTimelineEntry['from'], trusted: boolean | null = from === 'customer' ? false : null): NewTimelineEntry => ({ party: 0, from, text: `${from} says`, trusted, at: at(1) });

async function turn(store: Store, id: string, version: number, shape: StateShape, entries: NewTimelineEntry[] = []): Promise<void> {
  const r = await store.conversations.commitTurn({ conversationId: id, expectedVersion: version, state: stateWith(shape), entries, idempotency: null, now: at(version + 1) });
  if (!r.ok) throw new Error(`commitTurn(${id}) answered ${r.reason}`);
}

export function profileConversationsContract(open: OpenStore): void {
  const store = useStore(open);

  describe('the profile column', () => {
    it("is the state's profile id on create and after each turn", async () => {
      const s = store();
      expect((await create(s, 'c1', { profileId: 'p-1' })).profileId).toBe('p-1');
      expect((await create(s, 'c2')).profileId).toBeNull();
      await turn(s, 'c2', 1, { profileId: 'p-2' });
      expect((await s.conversations.get('c2'))?.profileId).toBe('p-2');
    });

    it('keeps the last profile through a turn without one (a logout), and takes the next one (a conflict, a new customer)', async () => {
      const s = store();
      await create(s, 'c1', { profileId: 'p-julie' });
      await turn(s, 'c1', 1, { profileId: null });
      expect((await s.conversations.get('c1'))?.profileId).toBe('p-julie');
      await turn(s, 'c1', 2, { profileId: 'p-jules' });
      expect((await s.conversations.get('c1'))?.profileId).toBe('p-jules');
    });
  });

  describe("a profile's conversations", () => {
    it('lists them newest first, with trusted when a customer message was, and pages by keyset', async () => {
      const s = store();
      await create(s, 'old', { profileId: 'p-1', createdAt: at(0) });
      await create(s, 'other', { profileId: 'p-2', createdAt: at(1) });
      await create(s, 'new', { profileId: 'p-1', createdAt: at(2), scenario: 'most_ideal' });
      await create(s, 'visitor', { createdAt: at(3) });
      await turn(s, 'new', 1, { profileId: 'p-1', scenario: 'most_ideal' }, [line('customer', true), line('agent')]);
      const q: ConversationListQuery = { limit: 1, profileId: 'p-1' };
      const first = await s.conversations.list(q);
      expect(first.conversations).toEqual([expect.objectContaining({ id: 'new', profileId: 'p-1', scenario: 'most_ideal', customerMessages: 1, trustedMessages: 1, trusted: true })]);
      const second = await s.conversations.list({ ...q, after: first.next! });
      expect(second).toEqual({ conversations: [expect.objectContaining({ id: 'old', trusted: false, customerMessages: 0 })], next: null });
      expect((await s.conversations.list({ limit: 10, profileId: 'nobody' })).conversations).toEqual([]);
    });

    it('counts the ones before a point in the list order: older, or as old with a smaller id', async () => {
      const s = store();
      for (const [id, minute] of [['a', 0], ['b', 5], ['c', 5], ['d', 9]] as const) await create(s, id, { profileId: 'p-1', createdAt: at(minute) });
      await create(s, 'x', { profileId: 'p-2', createdAt: at(1) });
      expect(await s.conversations.countForProfile('p-1', { createdAt: at(9), id: 'd' })).toBe(3);
      expect(await s.conversations.countForProfile('p-1', { createdAt: at(5), id: 'c' })).toBe(2);
      expect(await s.conversations.countForProfile('p-1', { createdAt: at(5), id: 'b' })).toBe(1);
      expect(await s.conversations.countForProfile('p-1', { createdAt: at(0), id: 'a' })).toBe(0);
      expect(await s.conversations.countForProfile('p-2', { createdAt: at(60), id: 'zzz' })).toBe(1);
      expect(await s.conversations.countForProfile('nobody', { createdAt: at(60), id: 'zzz' })).toBe(0);
    });

    it('refuses a bound that is not a timestamp as value_invalid', async () => {
      await expect(store().conversations.countForProfile('p-1', { createdAt: 'yesterday', id: 'a' })).rejects.toMatchObject({ code: 'value_invalid' });
    });
  });

  describe('agent lines', () => {
    it('stores and reads back lines from an agent with the others, in order', async () => {
      const s = store();
      await create(s, 'c1');
      await turn(s, 'c1', 1, {}, [line('customer'), line('agent'), line('bot'), line('system')]);
      expect((await s.conversations.timeline('c1')).map((e) => [e.from, e.text, e.trusted])).toEqual([
        ['customer', 'customer says', false],
        ['agent', 'agent says', null],
        ['bot', 'bot says', null],
        ['system', 'system says', null],
      ]);
    });
  });
}
