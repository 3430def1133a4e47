// The first-name facts keep the meaning of `name.trim().split(/\s+/)[0]` (null when empty), for every kind of space.
import { describe, expect, it } from 'vitest';
import { buildFacts } from '../../src/core/facts.ts';
import { initialState } from '../../src/core/state.ts';

const widget = { id: 'w', name: null, onboarding: 'none' as const, loginUrl: null, features: { transcript: false, rating: false } };

describe('auth.firstName and profile.firstName', () => {
  it('are the first word of the name, as split on whitespace gave', () => {
    const names = ['Julie Doe', '  Julie   Doe ', 'Julie', '', '   ', '\tSam\nLee', 'Ana\u00a0María', '\u2003Zoë\u2003X', 'x', ' a b c '];
    for (const name of names) {
      const state = initialState('t', widget, '2026-12-02T00:00:00.000Z');
      state.identity.name = name;
      state.profile.name = name;
      const facts = buildFacts({ state, widget, event: { type: 'start' } as never, nowSeconds: 0, change: null, rejection: null });
      const want = name.trim().split(/\s+/)[0] || null;
      expect((facts.auth as { firstName: unknown }).firstName).toBe(want);
      expect((facts.profile as { firstName: unknown }).firstName).toBe(want);
      expect(Object.keys(facts.profile as object)).toEqual([...Object.keys(state.profile), 'firstName']);
    }
  });
});

describe('the profile fact', () => {
  it('is the profile plus firstName, keys in order, for known, extra and reordered keys', () => {
    const state = initialState('t', widget, '2026-12-02T00:00:00.000Z');
    state.profile = { ...state.profile, name: 'Sam Lee', attributes: { tier: 'gold' } };
    const profiles = [state.profile, { ...state.profile, extra: 1 }, { attributes: {}, match: 'none', id: 'p1', name: 'Ann', email: null, phone: null, externalId: null }];
    for (const profile of profiles) {
      const facts = buildFacts({ state: { ...state, profile: profile as never }, widget, event: { type: 'start' } as never, nowSeconds: 0, change: null, rejection: null });
      const want = { ...profile, firstName: profile.name!.trim().split(/\s+/)[0] };
      expect(JSON.stringify(facts.profile)).toBe(JSON.stringify(want));
      expect((facts.profile as { attributes: unknown }).attributes).toBe(profile.attributes);
    }
  });
});
