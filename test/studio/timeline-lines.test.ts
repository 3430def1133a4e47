// The studio's timeline dividers: a new party after a logout, a different customer at a conflict, and the conflict line kept in step with the runtime's.
import { describe, expect, it } from 'vitest';
import { CHANGE_TEXT } from '../../src/runtime/timeline.ts';
import { CONFLICT_LINE, REROUTE_LINE, withDividers } from '../../src/studio/conversations/timeline-lines.ts';
import type { TimelineLine } from '../../src/studio/conversations/conversation-types.ts';

const line = (seq: number, party: number, from: TimelineLine['from'], text = `line ${seq}`): TimelineLine => ({ seq, turn: seq, party, from, text, trusted: from === 'customer' ? false : null, indicator: null, at: '2026-11-23T10:00:00.000Z' });

describe('withDividers', () => {
  it('recognises the conflict line the runtime writes', () => {
    expect(CONFLICT_LINE).toBe(CHANGE_TEXT.conflict);
  });

  it('puts a party divider where the party changes, and none elsewhere', () => {
    const shown = withDividers([line(1, 0, 'bot'), line(2, 0, 'customer'), line(3, 1, 'system', CHANGE_TEXT.cleared), line(4, 1, 'bot'), line(5, 2, 'customer')]);
    expect(shown.map((s) => s.divider?.label ?? null)).toEqual([null, null, 'New party: the customer logged out · party 2', null, 'New party: the customer logged out · party 3']);
  });

  it('puts a conflict divider before the conflict line, which keeps its party', () => {
    const shown = withDividers([line(1, 0, 'customer'), line(2, 0, 'system', CHANGE_TEXT.conflict!)]);
    expect(shown.map((s) => s.divider?.kind ?? null)).toEqual([null, 'conflict']);
  });

  it('names a party that began with a re-route after a conflict, not a logout (the lines as the runtime writes them)', () => {
    const shown = withDividers([
      line(1, 0, 'customer'),
      line(2, 1, 'system', CHANGE_TEXT.conflict!),
      line(3, 1, 'bot'),
      line(4, 1, 'system', 'Re-routed to queue general as a different customer'),
      line(5, 1, 'customer'),
    ]);
    expect(shown.map((s) => s.divider?.label ?? null)).toEqual([null, 'New party: re-routed as a different customer · party 2', null, null, null]);
    expect(REROUTE_LINE.test('Re-routed to queue general as a different customer')).toBe(true);
  });
});
