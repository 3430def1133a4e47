// decodeState: the one way a store reads a conversation state back, validated, with old states upgraded.
import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/core/state.ts';
import { decodeState, decodeStateJson } from '../../src/store/decode-state.ts';

const state = initialState('t1', { id: 'w1', onboarding: 'none' }, '2026-11-23T10:00:00.000Z');

describe('decodeState', () => {
  it('answers a valid state as it is, from a value or from JSON text', () => {
    expect(decodeState(structuredClone(state), 'c1')).toEqual(state);
    expect(decodeStateJson(JSON.stringify(state), 'c1')).toEqual(state);
  });

  it('reads a state stored before lookups existed as one with none', () => {
    const { lookups: _, ...old } = state;
    expect(decodeState(old, 'c1')).toEqual({ ...old, lookups: {} });
  });

  it('refuses anything else as state_invalid, naming the conversation and the first field', () => {
    const cases: [unknown, RegExp][] = [
      [null, /conversation c1: .*\(root\)/],
      [[1], /\(root\)/],
      [{ ...state, v: 2 }, /v: /],
      [{ ...state, identity: { ...state.identity, status: 'royal' } }, /identity\.status/],
      [{ ...state, extra: true }, /\(root\)|extra/],
      [{ ...state, lookups: { orders: { status: 'maybe', data: null, error: null } } }, /lookups\.orders\.status/],
    ];
    for (const [value, message] of cases) {
      expect(() => decodeState(value, 'c1'), String(message)).toThrow(expect.objectContaining({ code: 'state_invalid', message: expect.stringMatching(message) }));
    }
  });

  it('refuses text that is not JSON as state_invalid', () => {
    expect(() => decodeStateJson('{"v":1,', 'c9')).toThrow(expect.objectContaining({ code: 'state_invalid', message: expect.stringMatching(/c9.*not valid JSON/) }));
  });
});
