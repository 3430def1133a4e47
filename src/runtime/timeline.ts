// Timeline entries a turn writes: the customer's message with its trust, agent lines, the bot's messages, identity events.
import type { Output, TurnResult } from '../core/outputs.ts';
import type { NewTimelineEntry } from '../store/store.port.ts';

/** The system line of each identity change; Thread Studio recognises the conflict line (src/studio/conversations/timeline-lines.ts). */
export const CHANGE_TEXT: Record<string, string> = {
  authenticated: 'Customer authenticated by a User Identity JWT',
  identified: 'Customer identified (not verified)',
  cleared: 'Customer logged out (clear_user)',
  conflict: 'Customer authenticated as a different person than identified earlier',
};

/** The system line of an agent's login request, written when the request went out (not when the customer was trusted already). */
export const LOGIN_REQUEST_TEXT = 'An agent asked the customer to log in';

/** What timelineEntries reads of the event: the caller's event, whose `token` is still the raw string. */
export interface TimelineEvent {
  type: string;
  text?: unknown;
  token?: unknown;
}

const isTokenRejection = (o: Output): boolean => o.type === 'notice' && o.code === 'token_rejected';
const rejectionText = (o: Output): string => `Identity token refused (${String((o.type === 'notice' && o.detail?.reason) || 'unknown')})`;

/**
 * Entries in the order they happened. A token sent with a message is applied before the message is judged, so its
 * line (authenticated, conflict or refused) comes before the message, and the message belongs to the token's
 * person (the party after the turn). Otherwise the message belongs to the party that sent it (before the turn).
 */
export function timelineEntries(event: TimelineEvent, before: { party: number }, result: TurnResult, at: string): NewTimelineEntry[] {
  const entries: NewTimelineEntry[] = [];
  const party = result.state.identity.party;
  const line = (from: NewTimelineEntry['from'], text: string, p = party): void => void entries.push({ party: p, from, text, trusted: null, at });
  const change = result.trace.identity.change;
  const changeLine = (): void => {
    if (change) line('system', CHANGE_TEXT[change] ?? change);
  };
  const isMessage = event.type === 'message' && typeof event.text === 'string';
  const tokenFirst = isMessage && typeof event.token === 'string';

  if (tokenFirst) {
    changeLine();
    for (const o of result.outputs) if (isTokenRejection(o)) line('system', rejectionText(o));
  }
  if (isMessage) {
    entries.push({ party: tokenFirst ? party : before.party, from: 'customer', text: event.text as string, trusted: result.trusted ?? false, at });
  }
  if (!tokenFirst) changeLine();
  if (event.type === 'agent_message' && typeof event.text === 'string') line('agent', event.text, before.party);
  for (const o of result.outputs) {
    if (o.type === 'message') line('bot', o.text);
    else if (o.type === 'action' && o.action.type === 'handoff') line('system', `Handed off to queue ${o.action.queue}`);
    else if (o.type === 'action' && o.action.type === 'reroute') line('system', `Re-routed to queue ${o.action.queue} as a different customer`);
    else if (o.type === 'action' && o.action.type === 'request_login' && o.step === null && event.type === 'agent_request_login') {
      // The agent's own request (a thread's request_login has its step): the agent's words as written (the
      // timeline keeps what people typed, like customer messages; the action's text is escaped for the widget), then what happened.
      if (typeof event.text === 'string') line('agent', event.text, before.party);
      line('system', LOGIN_REQUEST_TEXT, before.party);
    } else if (isTokenRejection(o) && !tokenFirst) line('system', rejectionText(o));
  }
  if (event.type === 'close') line('system', 'Conversation closed');
  return entries;
}
