// A simulated conversation over the draft: each customer action becomes a core event sent to POST /v1/evaluate, with the runtime's directory and lookups emulated here.
import type { ProfileRecord, TokenResult } from '../../core/events.ts';
import { checkResponse, type ResponseSchema } from '../../core/lookup-schema.ts';
import type { Output, TurnTrace } from '../../core/outputs.ts';
import { initialState, type ConversationState } from '../../core/state.ts';
import type { Scalar } from '../../core/thread.schema.ts';
import { MemoryProfileDirectory } from '../../profiles/memory-directory.ts';
import { startAt } from '../../replay/start-at.ts';
import { contactKeys } from '../../runtime/contact-keys.ts';
import { api } from '../api.ts';
import { NOT_CONFIGURED, rejected, verifiedLogin, type Login, type Rejection } from './tokens.ts';
import type { Onboarding, WidgetInfo } from './widget-info.ts';

export interface UserFields {
  name?: string;
  email?: string;
  phone?: string;
}

/** What the admin does as (or for) the customer; each is one turn, except `advance`, which only moves the clock. */
export type SimAction =
  | { kind: 'start'; user?: UserFields; login?: Login; context?: Record<string, unknown> }
  | { kind: 'message'; text: string }
  | { kind: 'identify'; user: UserFields }
  | { kind: 'login'; login: Login }
  | { kind: 'reject'; reason: Rejection }
  | { kind: 'clear_user' }
  | { kind: 'submit_form'; fields: UserFields }
  | { kind: 'skip_form' }
  | { kind: 'routed'; queue?: string }
  | { kind: 'close' }
  | { kind: 'request_transcript' }
  | { kind: 'rate'; score: number }
  | { kind: 'advance'; seconds: number; why: 'expire' | 'wait' };

/** A stub answer for a thread's `lookup`, as transcripts give it (setup.lookups). */
export type LookupStub = { status: 'ok'; data: unknown } | { status: 'error'; error: string };

export interface SimTurn {
  action: SimAction;
  /** The moment of the turn (the simulated clock). */
  at: string;
  outputs: Output[];
  trace: TurnTrace | null;
  trusted: boolean | null;
  state: ConversationState;
  /** Lookups the runtime would have carried out in this turn, and the stubbed answer each got. */
  lookups: { name: string; status: 'ok' | 'error'; error: string | null }[];
}

export interface SimSetup {
  threadSource: string;
  threadId: string;
  widgetSource: string;
  widget: WidgetInfo;
  /** Replaces the widget's onboarding type, as a transcript's setup.onboarding does. */
  onboarding: Onboarding;
  clock: string;
  /** The profile directory before the first turn: profiles picked from the store or added by hand. */
  profiles: ProfileRecord[];
  lookups: Record<string, LookupStub>;
  /** Start anywhere: the step the thread starts at (null: the thread's own start) and slots filled in before. */
  startAt: string | null;
  slots: Record<string, Scalar>;
}

export interface Simulation {
  setup: SimSetup;
  /** The thread source sent to /v1/evaluate on every turn. */
  thread: string;
  turns: SimTurn[];
  /** The simulated clock, epoch ms; moves with `advance`. */
  nowMs: number;
  /** The directory as the runtime would see it now: the seeds plus the profiles the turns created. */
  directory: MemoryProfileDirectory;
  created: ProfileRecord[];
}

interface Evaluated {
  state: ConversationState;
  outputs: Output[];
  trace: TurnTrace;
  trusted: boolean | null;
}

/** A lookup of the same event may lead to another; the runtime stops at this many (run-turn.ts MAX_LOOKUPS). */
const MAX_LOOKUPS = 5;

export function newSimulation(setup: SimSetup): Simulation {
  // Start anywhere changes the thread the way a transcript's start.at / start.slots does, so an export replays the same.
  const thread = startAt(setup.threadSource, setup.startAt, setup.slots);
  return { setup, thread, turns: [], nowMs: Date.parse(setup.clock), directory: new MemoryProfileDirectory(setup.profiles), created: [] };
}

function tokenFor(sim: Simulation, login: Login | undefined, reason?: Rejection): TokenResult | undefined {
  if (!login && !reason) return undefined;
  if (!sim.setup.widget.hasJwt) return NOT_CONFIGURED;
  return reason ? rejected(reason) : verifiedLogin(login!, sim.nowMs, sim.setup.widget);
}

const clean = (u: UserFields) => Object.fromEntries(Object.entries(u).filter(([, v]) => typeof v === 'string' && v.trim() !== '')) as UserFields;

/** The core event of an action; null for `advance`, which sends nothing. */
function eventOf(sim: Simulation, a: SimAction): Record<string, unknown> | null {
  switch (a.kind) {
    case 'start': {
      const token = tokenFor(sim, a.login);
      return { type: 'start', ...(a.user && Object.keys(clean(a.user)).length ? { user: clean(a.user) } : {}), ...(token ? { token } : {}), ...(a.context ? { context: a.context } : {}) };
    }
    case 'message':
      return { type: 'message', text: a.text };
    case 'identify':
      return { type: 'identify', user: clean(a.user) };
    case 'login':
      return { type: 'authenticate', token: tokenFor(sim, a.login) };
    case 'reject':
      return { type: 'authenticate', token: tokenFor(sim, undefined, a.reason) };
    case 'submit_form':
      return { type: 'submit_form', fields: clean(a.fields) };
    case 'routed':
      return { type: 'routed', ...(a.queue ? { queue: a.queue } : {}) };
    case 'rate':
      return { type: 'rate', score: a.score };
    case 'advance':
      return null;
    default:
      return { type: a.kind };
  }
}

async function evaluate(sim: Simulation, state: ConversationState | undefined, event: Record<string, unknown>, now: string): Promise<Evaluated> {
  const body = { thread: sim.thread, widget: sim.setup.widgetSource, ...(state ? { state } : {}), event, now };
  return api<Evaluated>('POST', '/v1/evaluate', { json: body });
}

/** The state the first turn starts from: the widget's, with the onboarding override (as a transcript's setup.onboarding). */
function firstState(sim: Simulation, now: string): ConversationState {
  return initialState(sim.setup.threadId, { id: sim.setup.widget.id, onboarding: sim.setup.onboarding }, now);
}

function stubAnswer(stub: LookupStub | undefined, response: ResponseSchema | null): { status: 'ok'; data: unknown } | { status: 'error'; error: string } {
  // As in transcripts: a lookup without a stub fails as one whose host is not allowed, and ok data must fit the schema.
  if (!stub) return { status: 'error', error: 'host_not_allowed' };
  if (stub.status === 'error') return stub;
  return response && checkResponse(response, stub.data) ? { status: 'error', error: 'invalid_response' } : stub;
}

/**
 * Runs one action as the runtime would (run-turn.ts): the directory is asked for the event's contact keys, the
 * core runs on the server, the profiles it asks for are created, and each lookup is answered by its stub in the
 * same turn. Returns a new Simulation; the one passed in is left as it was, except its directory's new profiles.
 */
export async function act(sim: Simulation, action: SimAction): Promise<Simulation> {
  const prev = sim.turns.at(-1)?.state;
  if (action.kind === 'advance') {
    const nowMs = sim.nowMs + action.seconds * 1000;
    const state = prev ?? firstState(sim, new Date(sim.nowMs).toISOString());
    return { ...sim, nowMs, turns: [...sim.turns, { action, at: new Date(nowMs).toISOString(), outputs: [], trace: null, trusted: null, state, lookups: [] }] };
  }
  const now = new Date(sim.nowMs).toISOString();
  const event = eventOf(sim, action)!;
  const token = event.token as TokenResult | undefined;
  const keys = contactKeys(event, token, sim.setup.widget.defaultCountry);
  if (keys) event.profile = await sim.directory.find(keys);
  const first = await evaluate(sim, prev ?? (action.kind === 'start' ? firstState(sim, now) : undefined), event, now);
  let result = first;
  const outputs = [...first.outputs];
  const steps = [...first.trace.steps];
  const lookups: SimTurn['lookups'] = [];
  for (let n = 0; n < MAX_LOOKUPS; n++) {
    const pending = result.outputs.find((o): o is Extract<Output, { type: 'lookup' }> => o.type === 'lookup');
    if (!pending) break;
    const answer = stubAnswer(sim.setup.lookups[pending.name], pending.response);
    lookups.push({ name: pending.name, status: answer.status, error: answer.status === 'error' ? answer.error : null });
    result = await evaluate(sim, result.state, { type: 'lookup_result', name: pending.name, ...answer }, now);
    outputs.push(...result.outputs);
    steps.push(...result.trace.steps);
  }
  const created: ProfileRecord[] = [];
  for (const o of outputs) if (o.type === 'effect' && o.effect === 'create_profile') created.push(await sim.directory.create(o.profile));
  const trace: TurnTrace = { ...first.trace, steps };
  const turn: SimTurn = { action, at: now, outputs, trace, trusted: first.trusted, state: result.state, lookups };
  return { ...sim, turns: [...sim.turns, turn], created: [...sim.created, ...created] };
}

/** The state now: the last turn's, or null before the start. */
export const currentState = (sim: Simulation): ConversationState | null => sim.turns.at(-1)?.state ?? null;
