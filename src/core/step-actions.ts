// A step's actions applied to the turn: state changes (routing, tags, slots) and the action outputs.
import type { CompiledAction } from './compile.ts';
import type { Facts } from './facts.ts';
import type { OutAction } from './outputs.ts';
import { renderTemplate, type Template } from './template.ts';
import type { Scalar } from './thread.schema.ts';
import type { Turn } from './turn.ts';

/** Applies one action; `current` is a fact snapshot of the state as it is now, when the caller has one. */
export function applyAction(t: Turn, a: CompiledAction, step: string, current: Facts | null = null): void {
  let cached: Facts | null = current;
  // Only actions with templates need facts; building them is a large part of a turn's cost.
  const facts = (): Facts => (cached ??= t.facts());
  const st = t.state;
  let out: OutAction;
  switch (a.type) {
    case 'handoff':
      st.routed = true;
      st.queue = a.queue;
      st.status = 'handed_off';
      out = { type: 'handoff', queue: a.queue, note: a.note ? renderTemplate(a.note, facts()) : null };
      break;
    case 'reroute':
      out = reroute(t, a.queue, a.note);
      break;
    case 'request_login':
      out = { type: 'request_login', url: a.url ?? t.widget.loginUrl, text: a.text ? renderTemplate(a.text, facts()) : null };
      break;
    case 'request_form':
      st.onboarding.formRequested = true;
      out = { type: 'request_form', fields: [...t.widget.form.fields], required: false, text: a.text ? renderTemplate(a.text, facts()) : null };
      break;
    case 'end':
      st.status = 'ended';
      out = { type: 'end', reason: a.reason };
      break;
    case 'tag':
      for (const tag of a.tags) if (!st.tags.includes(tag)) st.tags.push(tag);
      out = { type: 'tag', tags: [...a.tags] };
      break;
    case 'set': {
      const slots: Record<string, Scalar> = {};
      for (const [k, v] of Object.entries(a.slots)) slots[k] = v !== null && typeof v === 'object' ? renderTemplate(v, facts(), { escape: false }) : v;
      Object.assign(st.slots, slots);
      out = { type: 'set', slots };
      break;
    }
  }
  t.outputs.push({ type: 'action', step, action: out });
}

/**
 * Seed 000's most undesired case: "the system will consider them a different person and route them to a different
 * Agent". A new party begins, so the earlier customer's timeline lines stay apart (as after a logout), and their
 * answers are dropped before the note is rendered, so the new agent is not handed them. The identity, profile and
 * scenario are the new customer's already (the conflict set them); tags are the conversation's and stay.
 */
function reroute(t: Turn, queue: string, note: Template | null): OutAction {
  const st = t.state;
  const previousQueue = st.queue;
  st.identity = { ...st.identity, party: st.identity.party + 1 };
  st.slots = {};
  st.lookups = {};
  st.routed = true;
  st.queue = queue;
  st.status = 'handed_off';
  return { type: 'reroute', queue, previousQueue, party: st.identity.party, note: note ? renderTemplate(note, t.facts()) : null };
}
