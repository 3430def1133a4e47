// Handlers for the conversation's lifecycle events: routed, close, and the customer's rate / request_transcript.
import type { OutAction } from './outputs.ts';
import type { EventOf, Turn } from './turn.ts';

export function handleRouted(t: Turn, ev: EventOf<'routed'>): null {
  const st = t.state;
  st.routed = true;
  st.queue = ev.queue ?? st.queue;
  if (st.status === 'active') st.status = 'handed_off';
  return null;
}

export function handleClose(t: Turn): null {
  t.state.status = 'closed';
  t.state.waiting = null;
  return null;
}

/** Emits the rating or transcript action, for identified customers on widgets that offer the feature. */
export function handleRateOrTranscript(t: Turn, ev: EventOf<'rate' | 'request_transcript'>): null {
  const st = t.state;
  const feature = ev.type === 'rate' ? 'rating' : 'transcript';
  if (st.identity.status === 'anonymous') {
    t.notice('visitor_not_allowed', `Visitors cannot ${ev.type === 'rate' ? 'rate the chat' : 'request a transcript'}; the customer must be identified or authenticated first.`);
  } else if (!t.widget.features[feature]) {
    t.notice('feature_disabled', `This widget does not offer ${feature === 'rating' ? 'chat rating' : 'transcripts'}.`);
  } else {
    const action: OutAction =
      ev.type === 'rate'
        ? { type: 'rating', score: ev.score, comment: ev.comment ?? null }
        : { type: 'send_transcript', email: st.identity.email, phone: st.identity.phone };
    t.outputs.push({ type: 'action', step: null, action });
  }
  return null;
}
