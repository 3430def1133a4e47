// Handler for a customer message: trust, a held-back start, identity handlers, and answers to an ask.
import { validateAnswer, type AnswerResult } from './answers.ts';
import type { CompiledAsk } from './compile.ts';
import { followBranches } from './follow-branches.ts';
import { handle, handleIdentityChange } from './on-handlers.ts';
import type { StepTrace } from './outputs.ts';
import { runFrom } from './run-steps.ts';
import { isTrustedAt } from './state.ts';
import { askAgain } from './turn-ask.ts';
import { begin } from './turn-begin.ts';
import type { EventOf, Turn } from './turn.ts';

/** Returns whether the message is trusted (authenticated by a token valid at this moment). */
export async function handleMessage(t: Turn, ev: EventOf<'message'>): Promise<boolean> {
  const st = t.state;
  if (ev.token) t.applyToken(ev.token, ev.profile);
  const trusted = isTrustedAt(st.identity, t.nowSeconds);
  if (st.status === 'pending') {
    // A held-back conversation answers with what it still needs (the form again, or identity).
    await begin(t);
    if (st.status === 'pending' && st.onboarding.type === 'form') t.notice('form_required', 'Please fill in the form before the chat starts.');
    return trusted;
  }
  // When a token on the message moved the thread, the text answers nothing the new step asked.
  if (await handleIdentityChange(t)) return trusted;
  if (st.status !== 'active') return trusted;
  if (st.waiting?.kind === 'ask') {
    await answer(t, st.waiting.step, ev.text);
  } else if (t.change === null && !(await handle(t, 'message'))) {
    t.notes.push('message not awaited by any step and no on.message handler: nothing to say');
  }
  return trusted;
}

/** Takes the message as the answer to the waiting ask: stores it and follows the step, or asks again. */
async function answer(t: Turn, stepId: string, text: string): Promise<void> {
  const step = t.thread.steps.get(stepId);
  const waiting = t.state.waiting;
  if (!step?.ask || waiting?.kind !== 'ask') {
    t.outputs.push({ type: 'error', code: 'step_missing', step: stepId, message: `The conversation waits on step "${stepId}", which no longer asks anything in thread "${t.thread.id}".` });
    t.state.waiting = null;
    return;
  }
  const ask = step.ask;
  const result = readAnswer(t, ask, text);
  const attempts = waiting.attempts + 1;
  if (result.ok) {
    t.state.slots[ask.slot] = result.value;
    t.state.waiting = null;
    const trace: StepTrace = { step: step.id, via: 'answer', answer: { slot: ask.slot, valid: true, value: result.value, attempts } };
    t.steps.push(trace);
    if (!step.next) return;
    const goto = await followBranches(t, step.id, step.next, trace, 'the answer');
    if (goto !== null) await runFrom(t, goto, 'goto', step.id);
    return;
  }
  t.steps.push({ step: step.id, via: 'answer', answer: { slot: ask.slot, valid: false, reason: result.reason, attempts } });
  if (ask.onFail && attempts >= ask.maxAttempts) {
    await runFrom(t, ask.onFail, 'on_fail', step.id);
    return;
  }
  askAgain(t, step, result.reason, attempts);
}

function readAnswer(t: Turn, ask: CompiledAsk, text: string): AnswerResult {
  const result = validateAnswer(ask, text, t.widget.defaultCountry);
  // A sentence ("I want to send it back") answers a choice when its intent (runtime or matcher) names a choice id.
  if (!result.ok && ask.type === 'choice' && t.intent && ask.choices.some((c) => c.id === t.intent!.name)) {
    return { ok: true, value: t.intent.name };
  }
  return result;
}
