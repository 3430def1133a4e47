// Timeline entries a turn writes: the customer's message with its trust, the bot's messages, identity events.
import type { TurnResult } from '../core/outputs.ts';
import type { NewTimelineEntry } from '../store/store.port.ts';

/** The system line of each identity change; Thread Studio recognises the conflict line (src/studio/conversations/timeline-lines.ts). */
export const CHANGE_TEXT: Record<string, string> = {
  authenticated: 'Customer authenticated by a User Identity JWT',
  identified: 'Customer identified (not verified)',
  cleared: 'Customer logged out (clear_user)',
  conflict: 'Customer authenticated as a different person than identified earlier',
};

/** Entries in the order they happened; the customer's message belongs to the party that sent it. */
export function timelineEntries(event: { type: string; text?: unknown }, before: { party: number }, result: TurnResult, at: string): NewTimelineEntry[] {
  const entries: NewTimelineEntry[] = [];
  const party = result.state.identity.party;
  if (event.type === 'message' && typeof event.text === 'string') {
    entries.push({ party: before.party, from: 'customer', text: event.text, trusted: result.trusted ?? false, at });
  }
  const change = result.trace.identity.change;
  if (change) entries.push({ party, from: 'system', text: CHANGE_TEXT[change] ?? change, trusted: null, at });
  for (const o of result.outputs) {
    if (o.type === 'message') entries.push({ party, from: 'bot', text: o.text, trusted: null, at });
    else if (o.type === 'action' && o.action.type === 'handoff') entries.push({ party, from: 'system', text: `Handed off to queue ${o.action.queue}`, trusted: null, at });
    else if (o.type === 'notice' && o.code === 'token_rejected') {
      entries.push({ party, from: 'system', text: `Identity token refused (${String(o.detail?.reason ?? 'unknown')})`, trusted: null, at });
    }
  }
  if (event.type === 'close') entries.push({ party, from: 'system', text: 'Conversation closed', trusted: null, at });
  return entries;
}
