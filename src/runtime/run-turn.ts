// The runtime around the pure core: verify tokens at the edge, look up profiles, evaluate, run lookups, carry out effects.
import type { TokenVerifier } from '../auth/verify-token.ts';
import type { CompiledThread } from '../core/compile.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';
import { evaluateTurn } from '../core/evaluate-turn.ts';
import type { ProfileRecord, TokenResult } from '../core/events.ts';
import type { ResponseSchema } from '../core/lookup-schema.ts';
import type { Output, TurnResult, TurnTrace } from '../core/outputs.ts';
import type { ConversationState } from '../core/state.ts';
import type { ProfileDirectory } from '../profiles/profile-directory.ts';
import { contactKeys } from './contact-keys.ts';
import { TOKEN_EVENTS, type CallerEvent } from './caller-events.ts';
import type { LookupOutcome, LookupRequest } from './lookups.ts';

/** Carries out one lookup: executeLookup in the HTTP service, a stub in transcripts. A throw counts as a network failure. */
export type LookupExecutor = (request: LookupRequest, response: ResponseSchema | null, name: string) => Promise<LookupOutcome>;

export interface RuntimeDeps {
  directory: ProfileDirectory;
  /** The verifier of a widget's User Identity JWTs, or null when the widget has no JWT settings. */
  verifierFor: (widget: CompiledWidget) => TokenVerifier | null;
  newId: () => string;
  /** Absent: every lookup fails with host_not_allowed, as with an empty allow list. */
  lookup?: LookupExecutor;
}

export interface RunTurnResult extends TurnResult {
  /** Profiles the turn created in the directory. */
  created: ProfileRecord[];
}

const NOT_CONFIGURED: TokenResult = { ok: false, reason: 'jwt_not_configured', message: 'This widget has no JWT settings, so identity tokens cannot be verified.' };

async function verify(deps: RuntimeDeps, widget: CompiledWidget, token: unknown, now: Date): Promise<TokenResult> {
  if (typeof token !== 'string') return { ok: false, reason: 'malformed', message: 'The token must be a compact JWT string.' };
  const verifier = deps.verifierFor(widget);
  if (!verifier) return NOT_CONFIGURED;
  // The verifier answers in the core's TokenResult shape already: passed on as is.
  return verifier.verify(token, now);
}

/** Lookups one event may run; a thread that keeps asking gets `lookup_limit` instead of a call. */
export const MAX_LOOKUPS = 5;

type LookupOutput = Extract<Output, { type: 'lookup' }>;
const lookupOf = (outputs: Output[]): LookupOutput | undefined => outputs.find((o): o is LookupOutput => o.type === 'lookup');

async function runLookup(deps: RuntimeDeps, out: LookupOutput): Promise<LookupOutcome> {
  if (!deps.lookup) return { status: 'error', error: 'host_not_allowed' };
  // A failing executor (a bug, a stub) is still only a failed lookup: the turn must not crash.
  const lookup = deps.lookup;
  return Promise.resolve()
    .then(() => lookup(out.request, out.response ?? null, out.name))
    .catch((): LookupOutcome => ({ status: 'error', error: 'network' }));
}

/**
 * One turn of a caller's event (caller-events.ts): verifies its raw token, looks the identity up in the directory,
 * runs the core, then creates the profiles the core asked for. A profile created concurrently by another turn is adopted, not duplicated.
 * Each `lookup` output is carried out and its result fed back to the core with the same `now`, in this turn.
 */
export async function runTurn(
  deps: RuntimeDeps,
  thread: CompiledThread,
  widget: CompiledWidget,
  state: ConversationState,
  caller: CallerEvent,
  now: Date,
): Promise<RunTurnResult> {
  // Typed as what a caller may send, checked as if it were anything: runTurn is public API, and JavaScript
  // or a cast can still bring a `profile`, a pre-verified token or a `lookup_result`.
  const edge: Record<string, unknown> & { type: string } = caller;
  const event: Record<string, unknown> = { ...edge };
  delete event.profile;
  let token: TokenResult | undefined;
  if ('token' in edge && edge.token !== undefined && TOKEN_EVENTS.has(edge.type)) {
    token = await verify(deps, widget, edge.token, now);
    event.token = token;
  }
  const keys = contactKeys(event, token, widget.defaultCountry);
  if (keys) event.profile = await deps.directory.find(keys);

  // A lookup result comes from our own executor only: one sent by a caller could fake an order API's answer.
  if (edge.type === 'lookup_result') event.type = 'lookup_result (only the runtime may send it)';

  const ctx = { now, newId: deps.newId, widget };
  const evaluated = await evaluateTurn(thread, state, event, ctx);
  const first =
    edge.type === 'lookup_result'
      ? {
          ...evaluated,
          outputs: evaluated.outputs.map((o) =>
            o.type === 'error' && o.code === 'event_invalid' ? { ...o, message: "A lookup_result comes from threadgate's own lookup executor only; a caller cannot send one." } : o,
          ),
        }
      : evaluated;
  let result = first;
  const outputs: Output[] = [...first.outputs];
  const trace: TurnTrace = { ...first.trace, steps: [...first.trace.steps], handlers: [...first.trace.handlers], notes: [...first.trace.notes] };
  let pending = lookupOf(first.outputs);
  for (let n = 0; pending; n++) {
    // Past the limit the thread still gets an answer (an error it can branch on), but nothing more is called.
    const outcome = n < MAX_LOOKUPS ? await runLookup(deps, pending) : ({ status: 'error', error: 'lookup_limit' } as const);
    trace.notes.push(`lookup ${pending.name}: ${outcome.status === 'ok' ? 'ok' : `error (${outcome.error})`}`);
    result = await evaluateTurn(thread, result.state, { type: 'lookup_result', name: pending.name, ...outcome }, ctx);
    outputs.push(...result.outputs);
    trace.steps.push(...result.trace.steps);
    trace.handlers.push(...result.trace.handlers);
    trace.notes.push(...result.trace.notes);
    pending = n < MAX_LOOKUPS ? lookupOf(result.outputs) : undefined;
  }

  const created: ProfileRecord[] = [];
  for (const out of outputs) {
    if (out.type !== 'effect' || out.effect !== 'create_profile') continue;
    const record = await deps.directory.create(out.profile);
    created.push(record);
    if (record.id !== out.profile.id && result.state.profile.id === out.profile.id) {
      // Another turn created this customer first: point the conversation at that profile.
      result.state.profile = { ...result.state.profile, id: record.id, match: result.state.profile.match === 'conflict' ? 'conflict' : 'matched' };
    }
  }
  // The request outputs stay (the bot can show "looking up…"); trust is the customer's event's, not the results'.
  return { state: result.state, outputs, trace, trusted: first.trusted, created };
}
