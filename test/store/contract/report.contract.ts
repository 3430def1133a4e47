// Contract: the onboarding report over a time range and a widget, counted by the store.
import { describe, expect, it } from 'vitest';
import type { NewTimelineEntry, Store } from '../../../src/store/store.port.ts';
import { at, create, stateWith, useStore, type OpenStore, type StateShape } from './fixtures.ts';

const msg = (from: NewTimelineEntry['from'], trusted: boolean | null): NewTimelineEntry => ({ party: 0, from, text: 'x', trusted, at: at(0) });

/** A conversation created at `minute`, with one turn writing `entries`. */
async function seed(store: Store, id: string, minute: number, shape: StateShape, entries: NewTimelineEntry[] = []): Promise<void> {
  await create(store, id, { ...shape, createdAt: at(minute) });
  if (entries.length) await store.conversations.commitTurn({ conversationId: id, expectedVersion: 1, state: stateWith(shape), entries, idempotency: null, now: at(minute) });
}

const ZERO_SCENARIOS = { most_ideal: 0, ideal: 0, standard: 0, undesired: 0, most_undesired: 0, visitor: 0 };
const ZERO_AUTH = { anonymous: 0, identified: 0, authenticated: 0 };
const ZERO_ONBOARDING = { none: 0, code: 0, form: 0, optional_form: 0 };

export function reportContract(open: OpenStore): void {
  const store = useStore(open);

  describe('onboarding report', () => {
    it('counts an empty range as zeroes for every known value', async () => {
      await seed(store(), 'old', -120, {});
      expect(await store().reports.onboarding({ from: at(0), to: at(60) })).toEqual({
        from: at(0),
        to: at(60),
        conversations: 0,
        byScenario: ZERO_SCENARIOS,
        byAuthStatus: ZERO_AUTH,
        byOnboardingType: ZERO_ONBOARDING,
        customerMessages: 0,
        trustedMessages: 0,
        trustedShare: 0,
        byDay: [{ day: '2026-11-23', conversations: 0, customerMessages: 0, trustedMessages: 0, trustedShare: 0 }],
      });
    });

    it('counts conversations created in [from, to) and their customer messages', async () => {
      const s = store();
      await seed(s, 'before', -1, { scenario: 'most_ideal', auth: 'authenticated', onboarding: 'code' }, [msg('customer', true)]);
      await seed(s, 'at-from', 0, { scenario: 'most_ideal', auth: 'authenticated', onboarding: 'code' }, [msg('customer', true), msg('customer', true), msg('bot', null)]);
      await seed(s, 'middle', 30, { scenario: 'standard', auth: 'identified', onboarding: 'form' }, [msg('customer', false), msg('system', null)]);
      await seed(s, 'last-ms', 59.99999, { scenario: 'visitor', auth: 'anonymous', onboarding: 'none' }, [msg('customer', false)]);
      await seed(s, 'at-to', 60, { scenario: 'ideal', auth: 'authenticated', onboarding: 'form' }, [msg('customer', true)]);
      expect(await s.reports.onboarding({ from: at(0), to: at(60) })).toEqual({
        from: at(0),
        to: at(60),
        conversations: 3,
        byScenario: { ...ZERO_SCENARIOS, most_ideal: 1, standard: 1, visitor: 1 },
        byAuthStatus: { anonymous: 1, identified: 1, authenticated: 1 },
        byOnboardingType: { ...ZERO_ONBOARDING, code: 1, form: 1, none: 1 },
        customerMessages: 4,
        trustedMessages: 2,
        trustedShare: 0.5,
        byDay: [{ day: '2026-11-23', conversations: 3, customerMessages: 4, trustedMessages: 2, trustedShare: 0.5 }],
      });
    });

    it('narrows to one widget', async () => {
      const s = store();
      await seed(s, 'a1', 1, { widgetId: 'a', scenario: 'ideal', auth: 'authenticated' }, [msg('customer', true)]);
      await seed(s, 'a2', 2, { widgetId: 'a', scenario: 'standard', auth: 'identified' }, [msg('customer', false), msg('customer', true), msg('customer', true)]);
      await seed(s, 'b1', 3, { widgetId: 'b', scenario: 'visitor' }, [msg('customer', false)]);
      const r = await s.reports.onboarding({ from: at(0), to: at(60), widgetId: 'a' });
      expect(r).toMatchObject({ conversations: 2, byScenario: { ...ZERO_SCENARIOS, ideal: 1, standard: 1 }, customerMessages: 4, trustedMessages: 3, trustedShare: 0.75 });
      expect(await s.reports.onboarding({ from: at(0), to: at(60), widgetId: 'nobody' })).toMatchObject({ conversations: 0, customerMessages: 0 });
    });

    it('counts what the latest committed turn says, not what the conversation started as', async () => {
      await create(store(), 'c1', { scenario: 'visitor', auth: 'anonymous' });
      await store().conversations.commitTurn({ conversationId: 'c1', expectedVersion: 1, state: stateWith({ scenario: 'ideal', auth: 'authenticated' }), entries: [], idempotency: null, now: at(90) });
      expect(await store().reports.onboarding({ from: at(0), to: at(60) })).toMatchObject({
        byScenario: { ...ZERO_SCENARIOS, ideal: 1 },
        byAuthStatus: { ...ZERO_AUTH, authenticated: 1 },
      });
    });

    it('counts each UTC day of [from, to) in byDay, days without conversations included, adding up to the totals', async () => {
      const s = store();
      const day = (d: number, hour: number) => (Date.parse(`2026-11-${String(d).padStart(2, '0')}T00:00:00.000Z`) - Date.parse(at(0))) / 60_000 + hour * 60;
      await seed(s, 'd20-before-from', day(20, 5), {}, [msg('customer', true)]);
      await seed(s, 'd20', day(20, 7), { scenario: 'ideal' }, [msg('customer', true), msg('customer', false)]);
      await seed(s, 'd20-late', day(20, 23.99), { scenario: 'visitor' }, [msg('customer', false), msg('bot', null)]);
      await seed(s, 'd22', day(22, 0), { scenario: 'most_ideal' }, [msg('customer', true)]);
      await seed(s, 'd23', day(23, 1), { scenario: 'standard' });
      await seed(s, 'd23-at-to', day(23, 2), {}, [msg('customer', true)]);
      const r = await s.reports.onboarding({ from: '2026-11-20T06:00:00.000Z', to: '2026-11-23T02:00:00.000Z' });
      expect(r.byDay).toEqual([
        { day: '2026-11-20', conversations: 2, customerMessages: 3, trustedMessages: 1, trustedShare: 1 / 3 },
        { day: '2026-11-21', conversations: 0, customerMessages: 0, trustedMessages: 0, trustedShare: 0 },
        { day: '2026-11-22', conversations: 1, customerMessages: 1, trustedMessages: 1, trustedShare: 1 },
        { day: '2026-11-23', conversations: 1, customerMessages: 0, trustedMessages: 0, trustedShare: 0 },
      ]);
      const sum = (k: 'conversations' | 'customerMessages' | 'trustedMessages') => r.byDay.reduce((n, d) => n + d[k], 0);
      expect({ conversations: sum('conversations'), customerMessages: sum('customerMessages'), trustedMessages: sum('trustedMessages') }).toEqual({
        conversations: r.conversations,
        customerMessages: r.customerMessages,
        trustedMessages: r.trustedMessages,
      });
      expect(r.conversations).toBe(4);
    });

    it('narrows byDay to one widget too', async () => {
      const s = store();
      await seed(s, 'a1', 1, { widgetId: 'a' }, [msg('customer', true)]);
      await seed(s, 'b1', 2, { widgetId: 'b' }, [msg('customer', false)]);
      const r = await s.reports.onboarding({ from: '2026-11-23T00:00:00Z', to: '2026-11-24T00:00:00Z', widgetId: 'a' });
      expect(r.byDay).toEqual([{ day: '2026-11-23', conversations: 1, customerMessages: 1, trustedMessages: 1, trustedShare: 1 }]);
    });

    it('lists a leap year as 366 days, and refuses a range of more than 100,000 UTC days as value_invalid', async () => {
      const year = await store().reports.onboarding({ from: '2024-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' });
      expect(year.byDay).toHaveLength(366);
      expect([year.byDay[0]!.day, year.byDay[59]!.day, year.byDay.at(-1)!.day]).toEqual(['2024-01-01', '2024-02-29', '2024-12-31']);
      // Wide ranges still count (internal callers use decades); only one that would build a huge byDay is refused.
      expect((await store().reports.onboarding({ from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' })).byDay).toHaveLength(36_525);
      await expect(store().reports.onboarding({ from: '1700-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'value_invalid', message: expect.stringMatching(/119069 UTC days/) });
    });

    it('takes bounds in any ISO 8601 spelling of the same instant', async () => {
      await seed(store(), 'at-from', 0, {});
      await seed(store(), 'at-to', 60, {});
      const r = await store().reports.onboarding({ from: '2026-11-23T10:00:00Z', to: '2026-11-23T12:00:00+01:00' });
      expect(r).toMatchObject({ from: at(0), to: at(60), conversations: 1 });
    });
  });
}
