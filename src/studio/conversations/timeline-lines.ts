// The timeline as the seed's agents see it: each entry with the divider that separates a new party (logout or re-route) or a different customer (conflict) before it.
import type { TimelineLine } from './conversation-types.ts';

/**
 * The system line the runtime writes on a conflict (src/runtime/timeline.ts, CHANGE_TEXT.conflict): the customer
 * authenticated as someone else than identified earlier, whom the seed says to treat as a different person.
 * test/studio/timeline-lines.test.ts keeps the two in step.
 */
export const CONFLICT_LINE = 'Customer authenticated as a different person than identified earlier';

/** The system line of a `reroute` action (src/runtime/timeline.ts): a new party that is not a logout. */
export const REROUTE_LINE = /^Re-routed to queue \S+ as a different customer$/;

export type Divider = { kind: 'party'; label: string } | { kind: 'conflict'; label: string } | null;

export interface ShownLine {
  entry: TimelineLine;
  divider: Divider;
}

/** Party numbers start at 0 in the API; people count from 1. */
export const partyName = (party: number): string => `party ${party + 1}`;

/**
 * A `party` divider wherever the party changes from the entry before (only clear_user starts a new party), and a
 * `conflict` divider before the conflict line, which keeps the party but is a different customer all the same.
 */
export function withDividers(entries: readonly TimelineLine[]): ShownLine[] {
  return entries.map((entry, i) => {
    const before = entries[i - 1];
    let divider: Divider = null;
    if (before && before.party !== entry.party) {
      // The new party's own lines say why it began: a re-route after a conflict, or else a logout.
      const opening = entries.slice(i).filter((e) => e.party === entry.party && e.seq - entry.seq < 5);
      const rerouted = opening.some((e) => e.from === 'system' && REROUTE_LINE.test(e.text));
      divider = { kind: 'party', label: `New party: ${rerouted ? 're-routed as a different customer' : 'the customer logged out'} · ${partyName(entry.party)}` };
    }
    else if (entry.from === 'system' && entry.text === CONFLICT_LINE) divider = { kind: 'conflict', label: 'Different customer: authenticated as another person than identified earlier' };
    return { entry, divider };
  });
}
