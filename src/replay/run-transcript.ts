// Replays a transcript through ConversationService (the HTTP runtime's code path) on a fresh in-memory store.
import { ThreadgateError, type ErrorIssue } from '../core/errors.ts';
import type { TurnTrace } from '../core/outputs.ts';
import { CallerTurnEventSchema, StartRequestSchema } from '../runtime/caller-events.ts';
import { openSqliteStore } from '../store/sqlite/store.ts';
import { checkExpect, type TurnLine, type TurnOutcome } from './check-expect.ts';
import { loadTranscript, type LoadedTranscript } from './load-transcript.ts';
import { setUp, type RunOptions, type ThreadUnderTest } from './transcript-setup.ts';
import { trustedIndicator } from '../runtime/trusted-indicator.ts';
import type { Store } from '../store/store.port.ts';
import { AGENT_EVENTS, CUSTOMER_EVENTS, type AgentEvent, type CustomerEvent, type Turn } from './transcript.schema.ts';

export { DEFAULT_CLOCK, TEST_SECRETS, stubbedLookups, type RulesSources, type RunOptions, type ThreadUnderTest } from './transcript-setup.ts';

export interface TurnReport {
  /** 0 is the start; 1..n are the entries of `turns`. */
  turn: number;
  line?: number;
  label: string;
  outcome: TurnOutcome | null;
}

export interface TranscriptFailure {
  turn: number;
  line?: number;
  /** What the turn sent, e.g. `message "order status"`. */
  label: string;
  /** The expectation that failed, e.g. `expect.bot`. */
  path: string;
  expected: unknown;
  actual: unknown;
  trace?: TurnTrace;
}

export interface TranscriptResult {
  file: string;
  name: string;
  ok: boolean;
  turns: TurnReport[];
  failures: TranscriptFailure[];
  /** The transcript could not be read, parsed or set up; no turn ran. */
  issues: ErrorIssue[];
  durationMs: number;
}

function seconds(d: number | string): number {
  if (typeof d === 'number') return d;
  const n = Number(d.slice(0, -1));
  return n * { s: 1, m: 60, h: 3600 }[d.slice(-1) as 's' | 'm' | 'h'];
}

export function describeAgentEvent(e: AgentEvent): string {
  const type = AGENT_EVENTS.find((k) => e[k] !== undefined)!;
  return type === 'message' ? `agent message ${JSON.stringify(e.message)}` : 'agent request_login';
}

/** The lines the turn that made `version` wrote, as the conversation route shows them (with the indicator). */
async function linesOf(store: Store, id: string, version: number): Promise<TurnLine[]> {
  const conv = await store.conversations.get(id);
  const entries = await store.conversations.timeline(id);
  return entries.filter((e) => e.turn === version).map((e) => ({ from: e.from, text: e.text, party: e.party, trusted: e.trusted, indicator: conv ? trustedIndicator(e, conv.status) : null }));
}

export function describeEvent(e: CustomerEvent): string {
  const type = CUSTOMER_EVENTS.find((k) => e[k] !== undefined)!;
  if (type === 'message') return `message ${JSON.stringify(e.message)}${e.token ? ' (with a token)' : ''}`;
  if (type === 'rate') return `rate ${e.rate}`;
  if (type === 'routed' && typeof e.routed === 'string') return `routed to ${e.routed}`;
  if (type === 'identify' || type === 'submit_form') return `${type} ${JSON.stringify(e[type])}`;
  return type;
}

const issueOf = (e: unknown, file: string): ErrorIssue[] =>
  e instanceof ThreadgateError ? e.issues.map((i) => ({ ...i, file: i.file ?? file })) : [{ code: 'config_invalid', message: (e as Error).message ?? String(e), file }];

/** A replay with what coverage needs besides the result: the thread the transcript's widget ran (null when setup failed). */
export interface TranscriptRun {
  result: TranscriptResult;
  thread: ThreadUnderTest | null;
}

/** The traces of every turn that ran (the runner always asks for them), in order. */
export const tracesOf = (result: TranscriptResult): TurnTrace[] => result.turns.flatMap((t) => (t.outcome?.ok && t.outcome.body.trace ? [t.outcome.body.trace] : []));

/** Replays one loaded transcript; expectations that do not hold become failures, never exceptions. */
export async function runTranscript(loaded: LoadedTranscript, opts: RunOptions = {}): Promise<TranscriptResult> {
  return (await replayTranscript(loaded, opts)).result;
}

/** runTranscript, also answering which thread ran, so the turns' traces can be counted against its branches. */
export async function replayTranscript(loaded: LoadedTranscript, opts: RunOptions = {}): Promise<TranscriptRun> {
  const started = performance.now();
  const { transcript: t, file, locate } = loaded;
  const result: TranscriptResult = { file, name: t.name, ok: false, turns: [], failures: [], issues: [], durationMs: 0 };
  let thread: ThreadUnderTest | null = null;
  const finish = (): TranscriptRun => {
    result.ok = result.issues.length === 0 && result.failures.length === 0;
    result.durationMs = performance.now() - started;
    return { result, thread };
  };
  const store = await openSqliteStore({ path: ':memory:' });
  try {
    const ctx = await setUp(t, file, store, opts);
    thread = ctx.thread;
    const run = async (turn: number, label: string, expectPath: (string | number)[], send: () => Promise<TurnOutcome>, expect: Turn['expect']) => {
      const outcome = await send().catch((e: unknown): TurnOutcome => ({ ok: false, code: e instanceof ThreadgateError ? e.code : 'exception', message: (e as Error).message }));
      const line = locate(expectPath.slice(0, -1))?.line;
      result.turns.push({ turn, ...(line ? { line } : {}), label, outcome });
      for (const m of checkExpect(expect, outcome)) {
        result.failures.push({ turn, ...(line ? { line } : {}), label, path: `expect.${m.path}`, expected: m.expected, actual: m.actual, ...(outcome.ok && outcome.body.trace ? { trace: outcome.body.trace } : {}) });
      }
    };
    let conversationId = '';
    const s = t.start ?? {};
    await run(0, 'start', ['start', 'expect'], async () => {
      const body = StartRequestSchema.safeParse({
        widgetId: t.setup.widget,
        ...(s.user ? { user: s.user } : {}),
        ...(s.token ? { token: await ctx.token(s.token) } : {}),
        ...(s.context ? { context: s.context } : {}),
      });
      if (!body.success) return { ok: false, code: 'validation_failed', message: body.error.issues.map((i) => i.message).join('; ') };
      const r = await ctx.service.start(body.data, { explain: true });
      if (r.ok) conversationId = r.body.conversationId;
      return r.ok ? { ok: true, body: r.body, timeline: await linesOf(store, conversationId, r.body.version) } : { ok: false, code: r.code, ...(r.message ? { message: r.message } : {}) };
    }, s.expect);
    for (const [i, turn] of t.turns.entries()) {
      if (turn.advance !== undefined) {
        ctx.clock.now += seconds(turn.advance) * 1000;
        result.turns.push({ turn: i + 1, label: `advance ${turn.advance}`, outcome: null });
        continue;
      }
      const label = turn.agent ? describeAgentEvent(turn.agent) : describeEvent(turn.customer!);
      await run(i + 1, label, ['turns', i, 'expect'], async () => {
        const body = CallerTurnEventSchema.safeParse(turn.agent ? ctx.agentEvent(turn.agent) : await ctx.callerEvent(turn.customer!));
        // What the HTTP route would refuse with 400 is refused here too (same schema), so transcripts never test the impossible.
        if (!body.success) return { ok: false, code: 'validation_failed', message: body.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') };
        const r = await ctx.service.turn(conversationId, body.data, { explain: true });
        return r.ok ? { ok: true, body: r.body, timeline: await linesOf(store, conversationId, r.body.version) } : { ok: false, code: r.code, ...(r.message ? { message: r.message } : {}) };
      }, turn.expect);
    }
  } catch (e) {
    result.issues.push(...issueOf(e, file));
  } finally {
    await store.close();
  }
  return finish();
}

/** A result for a transcript that never ran: it could not be read or parsed, or was refused before its turns. */
export const notRun = (file: string, name: string, issues: ErrorIssue[]): TranscriptResult => ({ file, name, ok: false, turns: [], failures: [], issues, durationMs: 0 });

/** Loads and replays one file; a file that does not parse is a result with issues, not an exception. */
export async function runTranscriptFile(file: string, opts: RunOptions = {}): Promise<TranscriptResult> {
  return (await replayTranscriptFile(file, opts)).result;
}

export async function replayTranscriptFile(file: string, opts: RunOptions = {}): Promise<TranscriptRun> {
  const loaded = await loadTranscript(file);
  if (!loaded.ok) return { result: notRun(file, file, loaded.issues), thread: null };
  return replayTranscript(loaded.loaded, opts);
}
