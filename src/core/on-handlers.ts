// The thread's `on` handlers: reacting to an identity change, a token rejection or a stray message.
import { choose } from './follow-branches.ts';
import { runFrom } from './run-steps.ts';
import type { HandlerEvent } from './thread.schema.ts';
import type { Turn } from './turn.ts';

/** Runs an `on` handler for an identity change or a stray message, if the thread has one and is running. */
export async function handle(t: Turn, event: HandlerEvent): Promise<boolean> {
  const set = t.thread.on[event];
  if (!set || t.state.status !== 'active') return false;
  const choice = await choose(t, set);
  t.handlers.push({ event, set: set.owner, branches: choice.trace, chosen: choice.index });
  if (choice.goto === null) return false;
  await runFrom(t, choice.goto, 'handler', `on.${event}`);
  return true;
}

/**
 * The one handler that runs while an agent has the conversation: a conflict after a handoff means the agent is now
 * talking to a different person (seed 000's most undesired case). When a branch wins, the thread takes the
 * conversation back (`active`) and enters its step, which typically re-routes it to another queue.
 */
async function handleConflictAfterHandoff(t: Turn): Promise<boolean> {
  const set = t.thread.on.conflict_after_handoff;
  if (!set || t.state.status !== 'handed_off') return false;
  const choice = await choose(t, set);
  t.handlers.push({ event: 'conflict_after_handoff', set: set.owner, branches: choice.trace, chosen: choice.index });
  if (choice.goto === null) return false;
  t.state.status = 'active';
  await runFrom(t, choice.goto, 'handler', 'on.conflict_after_handoff');
  return true;
}

/**
 * Runs the handler for this turn's identity change or token rejection; true when it moved the thread. Not
 * `async` itself: most turns change nothing, and then there is no promise to make and wait for.
 */
export function handleIdentityChange(t: Turn): Promise<boolean> | boolean {
  if (t.change === 'conflict' && t.state.status === 'handed_off') return handleConflictAfterHandoff(t);
  if (t.change === 'conflict') return handleConflict(t);
  if (t.change) return handle(t, t.change);
  if (t.rejection) return handle(t, 'token_rejected');
  return false;
}

/** A conflict: its own handler, else the one for an authentication. */
async function handleConflict(t: Turn): Promise<boolean> {
  return (await handle(t, 'conflict')) || (await handle(t, 'authenticated'));
}
