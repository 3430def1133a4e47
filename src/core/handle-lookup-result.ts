// Handler for lookup_result: stores the result and continues the step that waited for it.
import { followBranches } from './follow-branches.ts';
import { runFrom } from './run-steps.ts';
import { storeLookupResult } from './turn-lookups.ts';
import type { EventOf, Turn } from './turn.ts';

export async function handleLookupResult(t: Turn, ev: EventOf<'lookup_result'>): Promise<null> {
  const waiting = t.state.waiting;
  // evaluateTurn checked that it answers the lookup being waited for.
  if (waiting?.kind !== 'lookup') return null;
  const trace = storeLookupResult(t, ev, waiting.step);
  const step = t.thread.steps.get(waiting.step);
  if (!step?.next) return null;
  const goto = await followBranches(t, waiting.step, step.next, trace, 'the lookup result');
  if (goto !== null) await runFrom(t, goto, 'goto', waiting.step);
  return null;
}
