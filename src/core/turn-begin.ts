// Starting a conversation: the widget's first message, the pre-chat form, and entering the start step.
import { runFrom } from './run-steps.ts';
import { renderTemplate } from './template.ts';
import type { Turn } from './turn.ts';

/** Starts the thread, or holds it back while the onboarding type needs identity or the form first. */
export async function begin(t: Turn): Promise<void> {
  const st = t.state;
  const type = st.onboarding.type;
  const known = st.identity.status !== 'anonymous';
  if (type === 'code' && !known) {
    st.status = 'pending';
    t.notice('identity_required', 'This widget only serves customers identified by the website (setUser or a User Identity JWT); identify the customer (identify event or a token) to start the chat.');
    return;
  }
  if (!st.greeted) {
    st.greeted = true;
    firstMessage(t);
  }
  if (type === 'form' && !known && !st.onboarding.completed) {
    st.status = 'pending';
    requestForm(t, true);
    return;
  }
  if (type === 'optional_form' && !known && !st.onboarding.completed && !st.onboarding.skipped && !st.onboarding.formRequested) {
    requestForm(t, false);
  }
  st.status = 'active';
  st.startedAt ??= t.nowIso;
  await runFrom(t, t.thread.start, 'start');
}

/** Offers the widget's pre-chat form; a required one makes the conversation wait for it. */
export function requestForm(t: Turn, required: boolean): void {
  t.state.onboarding.formRequested = true;
  if (required) t.state.waiting = { kind: 'form' };
  const text = t.widget.form.text ? renderTemplate(t.widget.form.text, t.facts()) : null;
  t.outputs.push({ type: 'action', step: null, action: { type: 'request_form', fields: [...t.widget.form.fields], required, text } });
}

function firstMessage(t: Turn): void {
  const w = t.widget;
  if (!w.firstMessage) return;
  const loginUrl = w.loginUrl && t.state.identity.status !== 'authenticated' ? { loginUrl: w.loginUrl } : {};
  t.outputs.push({ type: 'message', text: renderTemplate(w.firstMessage, t.facts()), step: null, ...loginUrl });
}
