// The turn loop: entering steps one after another until one waits for the customer or stops.
import type { CompiledStep } from './compile.ts';
import { followBranches } from './follow-branches.ts';
import { generateOutput, trustLevel } from './generate.ts';
import type { Facts } from './facts.ts';
import type { StepTrace } from './outputs.ts';
import { applyAction } from './step-actions.ts';
import { renderTemplate } from './template.ts';
import { prompt } from './turn-ask.ts';
import { requestLookup } from './turn-lookups.ts';
import type { Turn } from './turn.ts';

/** Enters steps from `first` until one waits for input or stops; bounded so a loop cannot hang. */
export async function runFrom(t: Turn, first: string, via: StepTrace['via'], from?: string): Promise<void> {
  let current: string | null = first;
  let how = via;
  let prev = from;
  let entered = 0;
  while (current !== null) {
    if (++entered > t.thread.maxAutoSteps) {
      stopLoop(t, current);
      return;
    }
    const step = t.thread.steps.get(current);
    if (!step) {
      t.outputs.push({ type: 'error', code: 'step_missing', step: current, message: `Step "${current}" does not exist in thread "${t.thread.id}".` });
      t.state.waiting = null;
      return;
    }
    const trace: StepTrace = { step: step.id, via: how, ...(prev ? { from: prev } : {}) };
    t.steps.push(trace);
    const facts = enterStep(t, step);
    if (facts === false || !step.next) return;
    const goto = await followBranches(t, step.id, step.next, trace, undefined, facts ?? undefined);
    if (goto === null) return;
    prev = step.id;
    current = goto;
    how = 'goto';
  }
}

/**
 * Says, generates and acts for a step. false when it waits or stops; otherwise the fact snapshot its lines
 * were rendered with when that is still the state its branches see (no action, no lookup ran), else null.
 */
function enterStep(t: Turn, step: CompiledStep): Facts | null | false {
  t.state.step = step.id;
  t.state.waiting = null;
  // One fact snapshot for the step's lines and generation: nothing changes between them.
  let facts: Facts | null = null;
  if (step.say.length) {
    facts = t.facts();
    for (const line of step.say) t.outputs.push({ type: 'message', text: renderTemplate(line, facts), step: step.id });
  }
  if (step.generate) t.outputs.push(generateOutput(step.generate, (facts ??= t.facts()), trustLevel(t.state.identity, t.nowSeconds), step.id));
  // The first action still sees the state the snapshot was taken of; each action may change it for the next.
  step.actions.forEach((a, i) => applyAction(t, a, step.id, i === 0 ? facts : null));
  if (step.terminal) return false;
  if (step.lookup && requestLookup(t, step.id, step.lookup)) return false;
  // Actions and a refused lookup change the state; what comes after them builds its facts afresh.
  const current = step.actions.length > 0 || step.lookup ? null : facts;
  if (step.ask) {
    prompt(t, step, 0, current ?? undefined);
    return false;
  }
  return current;
}

/** Ends a run of steps that never waits for the customer, with an error naming where it was. */
function stopLoop(t: Turn, next: string): void {
  const last = t.state.step ?? next;
  t.state.waiting = null;
  t.outputs.push({
    type: 'error',
    code: 'loop_limit',
    step: last,
    message: `Stopped after entering ${t.thread.maxAutoSteps} steps without waiting for the customer; the thread loops without an ask (last step entered "${last}", next would be "${next}").`,
  });
}
