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

    it('takes bounds in any ISO 8601 spelling of the same instant', async () => {
      await seed(store(), 'at-from', 0, {});
      await seed(store(), 'at-to', 60, {});
      const r = await store().reports.onboarding({ from: '2026-11-23T10:00:00Z', to: '2026-11-23T12:00:00+01:00' });
      expect(r).toMatchObject({ from: at(0), to: at(60), conversations: 1 });
    });
  });
}
