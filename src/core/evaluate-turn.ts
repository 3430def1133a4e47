// evaluateTurn(thread, state, event, ctx): the pure transition of one conversation turn.
import type { CompiledThread } from './compile.ts';
import { TurnEventSchema, type TurnEvent } from './events.ts';
import type { TurnResult, TurnTrace } from './outputs.ts';
import { deriveScenario, draftOf, type ConversationState } from './state.ts';
import { dispatch } from './turn-events.ts';
import { Turn, type TurnContext } from './turn.ts';

export type { TurnContext } from './turn.ts';

/**
 * Evaluates one event against a conversation: pure and deterministic (time and ids come from ctx),
 * never throws for bad events or states, and returns outputs as data without performing any.
 */
export async function evaluateTurn(thread: CompiledThread, state: ConversationState, rawEvent: unknown, ctx: TurnContext): Promise<TurnResult> {
  const checked = checkInput(thread, state, rawEvent, ctx);
  if ('refused' in checked) return checked.refused;
  const draft = draftOf(state);
  const t = new Turn(thread, draft, checked.event, ctx);
  let trusted: boolean | null = null;
  if (draft.status === 'closed') {
    t.notice('conversation_closed', 'This conversation is closed; start a new one.');
  } else if (draft.turn === 0 && checked.event.type !== 'start') {
    t.notice('not_started', 'The first event of a conversation must be `start`.');
  } else {
    // A lookup result continues the turn that asked for it; it is not a new turn.
    if (checked.event.type !== 'lookup_result') draft.turn += 1;
    trusted = await dispatch(t);
    if (t.change === 'conflict') t.notes.push('scenario: most_undesired (authenticated as a different person)');
  }
  draft.scenario = deriveScenario(draft.history, draft.identity.status);
  draft.updatedAt = t.nowIso;
  const trace: TurnTrace = {
    event: checked.event.type,
    turn: draft.turn,
    identity: { before: checked.before, after: { status: draft.identity.status, method: draft.identity.method }, change: t.change, rejection: t.rejection },
    trusted,
    intent: t.intent,
    steps: t.steps,
    handlers: t.handlers,
    notes: t.notes,
  };
  return { state: draft, outputs: t.outputs, trace, trusted };
}

type Checked = { event: TurnEvent; before: TurnTrace['identity']['before'] } | { refused: TurnResult };

/** Parses the event and checks it fits the state, thread, widget and clock; a misfit is refused as data, unchanged. */
function checkInput(thread: CompiledThread, state: ConversationState, rawEvent: unknown, ctx: TurnContext): Checked {
  const parsed = TurnEventSchema.safeParse(rawEvent);
  const before = { status: state.identity.status, method: state.identity.method };
  const invalid = (code: 'event_invalid' | 'state_invalid', message: string): Checked => {
    const trace: TurnTrace = { event: 'invalid', turn: state.turn, identity: { before, after: before, change: null, rejection: null }, trusted: null, intent: null, steps: [], handlers: [], notes: [message] };
    return { refused: { state, outputs: [{ type: 'error', code, message }], trace, trusted: null } };
  };
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return invalid('event_invalid', `Invalid event: ${first ? `${first.path.join('.') || 'event'}: ${first.message}` : 'unreadable'}.`);
  }
  if (state.v !== 1 || state.threadId !== thread.id || state.widgetId !== ctx.widget.id) {
    return invalid('state_invalid', `The state belongs to thread "${state.threadId}" on widget "${state.widgetId}", not "${thread.id}" on "${ctx.widget.id}".`);
  }
  if (Number.isNaN(new Date(ctx.now).getTime())) return invalid('state_invalid', 'ctx.now is not a valid date.');
  const ev = parsed.data;
  if (ev.type === 'lookup_result' && state.status !== 'closed' && !(state.waiting?.kind === 'lookup' && state.waiting.name === ev.name)) {
    const waiting = state.waiting?.kind === 'lookup' ? `lookup "${state.waiting.name}"` : 'no lookup';
    return invalid('event_invalid', `Invalid event: a result for lookup "${ev.name}" arrived, but the conversation waits for ${waiting}.`);
  }
  return { event: ev, before };
}
