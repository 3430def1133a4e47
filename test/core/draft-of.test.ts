// draftOf copies a state exactly (keys, order, values) whichever of its two paths it takes, and never aliases what a turn changes.
import { describe, expect, it } from 'vitest';
import { draftOf, initialState, type ConversationState } from '../../src/core/state.ts';

const widget = { id: 'w', onboarding: 'none' as const };
/** What draftOf promises: a spread of the state with the changeable parts copied. */
const reference = (s: ConversationState) => ({ ...s, waiting: s.waiting && { ...s.waiting }, slots: { ...s.slots }, tags: [...s.tags], onboarding: { ...s.onboarding }, identity: { ...s.identity }, profile: { ...s.profile }, history: { ...s.history }, lookups: { ...(s.lookups ?? {}) } });

describe('draftOf', () => {
  const base = (): ConversationState => {
    const s = initialState('t', widget, '2026-12-02T00:00:00.000Z');
    s.waiting = { kind: 'ask', step: 'menu', attempts: 1 };
    s.slots = { a: 'x' };
    s.tags = ['vip'];
    return s;
  };
  const variants: [string, () => ConversationState][] = [
    ['the known keys', base],
    ['an extra key', () => ({ ...base(), extra: 1 }) as ConversationState],
    ['no lookups (stored before lookups existed)', () => { const s = base() as Partial<ConversationState>; delete s.lookups; return s as ConversationState; }],
    ['another key order', () => { const { v, ...rest } = base(); return { ...rest, v } as ConversationState; }],
  ];
  for (const [name, make] of variants) {
    it(`${name}: same keys in the same order, and changes to the draft leave the state alone`, () => {
      const s = make();
      const before = JSON.stringify(s);
      const d = draftOf(s);
      expect(JSON.stringify(d)).toBe(JSON.stringify(reference(s)));
      expect(Object.keys(d)).toEqual(Object.keys(reference(s)));
      d.slots.b = 'y';
      d.tags.push('new');
      d.identity.status = 'identified';
      (d.waiting as { step: string }).step = 'other';
      d.lookups.x = { status: 'ok', data: null, error: null };
      expect(JSON.stringify(s)).toBe(before);
    });
  }
});
