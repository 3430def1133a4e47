// Asking for a slot: the prompt and ask outputs a step emits, and asking again after a refused answer.
import type { CompiledStep } from './compile.ts';
import type { Facts } from './facts.ts';
import { renderTemplate } from './template.ts';
import type { Turn } from './turn.ts';

const DEFAULT_ASK_ERRORS: Record<string, string> = {
  text: "Sorry, I didn't get that.",
  email: "That doesn't look like an email address.",
  phone: "That doesn't look like a phone number. Please include the country code, like +1 415 555 0123.",
  choice: 'Please pick one of the options.',
  yes_no: 'Please answer yes or no.',
};

/** Says the ask's prompt, emits the ask and makes the conversation wait on it; `facts`: a snapshot still current. */
export function prompt(t: Turn, step: CompiledStep, attempts: number, facts?: Facts): void {
  const ask = step.ask!;
  if (ask.prompt) t.outputs.push({ type: 'message', text: renderTemplate(ask.prompt, facts ?? t.facts()), step: step.id });
  t.outputs.push({
    type: 'ask',
    step: step.id,
    slot: ask.slot,
    input: ask.type,
    ...(ask.type === 'choice' ? { choices: ask.choices.map((c) => ({ id: c.id, label: c.label })) } : {}),
    attempt: attempts + 1,
  });
  t.state.waiting = { kind: 'ask', step: step.id, attempts };
}

/** Tells the customer why the answer was refused (the step's own error, else a default per type) and asks again. */
export function askAgain(t: Turn, step: CompiledStep, reason: string, attempts: number): void {
  const ask = step.ask!;
  // Nothing changes the state between the error and the prompt: one snapshot serves both.
  const facts = ask.error ? t.facts() : undefined;
  const error = ask.error ? renderTemplate(ask.error, facts!) : DEFAULT_ASK_ERRORS[ask.type]!;
  t.notice('answer_invalid', `The answer to "${ask.slot}" was refused: ${reason}.`, { slot: ask.slot, reason, attempts });
  t.outputs.push({ type: 'message', text: error, step: step.id });
  prompt(t, step, attempts, facts);
}
