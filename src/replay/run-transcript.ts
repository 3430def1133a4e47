// Replays a transcript through ConversationService (the HTTP runtime's code path) on a fresh in-memory store.
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { ThreadgateError, type ErrorIssue } from '../core/errors.ts';
import type { TurnTrace } from '../core/outputs.ts';
import { ConversationService } from '../runtime/conversation-service.ts';
import { RulesRegistry } from '../runtime/rules-registry.ts';
import { CallerTurnEventSchema, StartRequestSchema, type CallerTurnEvent } from '../runtime/caller-events.ts';
import type { LookupExecutor } from '../runtime/run-turn.ts';
import type { LookupOutcome } from '../runtime/lookups.ts';
import { checkResponse } from '../core/lookup-schema.ts';
import { openSqliteStore } from '../store/sqlite/store.ts';
import type { Store } from '../store/store.port.ts';
import { checkExpect, type TurnOutcome } from './check-expect.ts';
import { loadTranscript, type LoadedTranscript } from './load-transcript.ts';
import { startAt } from './start-at.ts';
import { tokenFor } from './tokens.ts';
import { CUSTOMER_EVENTS, type CustomerEvent, type LookupStub, type Transcript, type Turn } from './transcript.schema.ts';
import type { JwtSettings } from '../auth/index.ts';

export const DEFAULT_CLOCK = '2026-11-23T10:00:00Z';
/** The example widgets read SHOP_JWT_SECRET; transcripts get a test value unless they set their own. */
export const TEST_SECRETS: Readonly<Record<string, string>> = { SHOP_JWT_SECRET: 'transcript-test:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA' };

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

export interface RunOptions {
  /** Rules folder for transcripts without `setup.rules` (default `rules`, relative to the working directory). */
  rulesDir?: string;
}

function seconds(d: number | string): number {
  if (typeof d === 'number') return d;
  const n = Number(d.slice(0, -1));
  return n * { s: 1, m: 60, h: 3600 }[d.slice(-1) as 's' | 'm' | 'h'];
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

/** Replays one loaded transcript; expectations that do not hold become failures, never exceptions. */
export async function runTranscript(loaded: LoadedTranscript, opts: RunOptions = {}): Promise<TranscriptResult> {
  const started = performance.now();
  const { transcript: t, file, locate } = loaded;
  const result: TranscriptResult = { file, name: t.name, ok: false, turns: [], failures: [], issues: [], durationMs: 0 };
  const finish = () => {
    result.ok = result.issues.length === 0 && result.failures.length === 0;
    result.durationMs = performance.now() - started;
    return result;
  };
  const store = await openSqliteStore({ path: ':memory:' });
  try {
    const ctx = await setUp(t, file, store, opts);
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
      return r.ok ? { ok: true, body: r.body } : { ok: false, code: r.code, ...(r.message ? { message: r.message } : {}) };
    }, s.expect);
    for (const [i, turn] of t.turns.entries()) {
      if (turn.advance !== undefined) {
        ctx.clock.now += seconds(turn.advance) * 1000;
        result.turns.push({ turn: i + 1, label: `advance ${turn.advance}`, outcome: null });
        continue;
      }
      const event = turn.customer!;
      await run(i + 1, describeEvent(event), ['turns', i, 'expect'], async () => {
        const body = CallerTurnEventSchema.safeParse(await ctx.callerEvent(event));
        // What the HTTP route would refuse with 400 is refused here too (same schema), so transcripts never test the impossible.
        if (!body.success) return { ok: false, code: 'validation_failed', message: body.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') };
        const r = await ctx.service.turn(conversationId, body.data, { explain: true });
        return r.ok ? { ok: true, body: r.body } : { ok: false, code: r.code, ...(r.message ? { message: r.message } : {}) };
      }, turn.expect);
    }
  } catch (e) {
    result.issues.push(...issueOf(e, file));
  } finally {
    await store.close();
  }
  return finish();
}

/** Transcripts never touch the network: listed lookups answer as written, others as if no host were allowed. */
export function stubbedLookups(stubs: Record<string, LookupStub>): LookupExecutor {
  return async (_request, response, name) => {
    const stub = Object.hasOwn(stubs, name) ? stubs[name] : undefined;
    if (!stub) return { status: 'error', error: 'host_not_allowed' };
    if (stub.status === 'error') return { status: 'error', error: stub.error as Extract<LookupOutcome, { status: 'error' }>['error'] };
    const data = stub.data ?? null;
    // A stub is held to the same schema as a real answer, so a transcript cannot pass with data production would refuse.
    return response && checkResponse(response, data) ? { status: 'error', error: 'invalid_response' } : { status: 'ok', data };
  };
}

/** Publishes the widget's thread changed to start at `start.at` with `start.slots` filled (start-at.ts), as the studio simulates it. */
async function startAnywhere(store: Store, widgetSource: string, start: NonNullable<Transcript['start']>, rulesDir: string, now: string) {
  const threadId = parseDocument(widgetSource).get('thread');
  const active = typeof threadId === 'string' ? await store.rules.getActiveThreadVersion(threadId) : null;
  if (!active) throw new ThreadgateError('config_invalid', `start.at: the widget's thread is not in ${rulesDir}`);
  if (start.at !== undefined && !parseDocument(active.source).hasIn(['steps', start.at])) {
    throw new ThreadgateError('config_invalid', `start.at: the thread "${active.threadId}" has no step "${start.at}"`);
  }
  await store.rules.putThreadDraft(active.threadId, startAt(active.source, start.at, start.slots), now);
  await store.rules.publishThread(active.threadId, now);
}

/** Seeds the store from the rules folder, applies the setup and builds the service with a clock the transcript moves. */
async function setUp(t: Transcript, file: string, store: Store, opts: RunOptions) {
  const secrets = { ...TEST_SECRETS, ...(t.setup.secrets ?? {}) };
  const clock = { now: Date.parse(t.setup.clock ?? DEFAULT_CLOCK) };
  const at = () => new Date(clock.now).toISOString();
  const registry = new RulesRegistry(store, secrets);
  const rulesDir = t.setup.rules !== undefined ? resolve(dirname(file), t.setup.rules) : (opts.rulesDir ?? 'rules');
  await registry.seedFromDir(rulesDir, at());
  const row = await store.rules.getWidget(t.setup.widget);
  if (!row) throw new ThreadgateError('config_invalid', `setup.widget: no widget "${t.setup.widget}" in ${rulesDir}`);
  if (t.setup.onboarding) {
    const doc = parseDocument(row.source);
    doc.set('onboarding', t.setup.onboarding);
    await store.rules.putWidget(row.id, String(doc), at());
  }
  if (t.start?.at !== undefined || t.start?.slots !== undefined) await startAnywhere(store, row.source, t.start, rulesDir, at());
  for (const p of t.setup.profiles ?? []) {
    const put = await store.profiles.put(p, at());
    if (!put.ok) throw new ThreadgateError('config_invalid', `setup.profiles: ${p.id}'s ${put.key} already belongs to ${put.takenBy}`);
  }
  const loaded = await registry.widget(t.setup.widget);
  const jwt: JwtSettings | null = loaded?.widget.jwt ?? null;
  let n = 0;
  const service = new ConversationService(store, registry, () => new Date(clock.now), () => `id-${++n}`, { lookup: stubbedLookups(t.setup.lookups ?? {}) });
  const token = (spec: Parameters<typeof tokenFor>[0]) => tokenFor(spec, jwt, secrets, new Date(clock.now));
  /** The event a transcript's `customer:` entry stands for; validated like an HTTP body before it is sent. */
  const callerEvent = async (e: CustomerEvent): Promise<unknown> => {
    if (e.message !== undefined) {
      const intent = typeof e.intent === 'string' ? { name: e.intent } : e.intent;
      return { type: 'message', text: e.message, ...(intent ? { intent } : {}), ...(e.token ? { token: await token(e.token) } : {}) };
    }
    if (e.identify) return { type: 'identify', user: e.identify };
    if (e.authenticate) return { type: 'authenticate', token: await token(e.authenticate) };
    if (e.submit_form) return { type: 'submit_form', fields: e.submit_form };
    if (e.routed !== undefined) return { type: 'routed', ...(typeof e.routed === 'string' ? { queue: e.routed } : {}) };
    if (e.rate !== undefined) return { type: 'rate', score: e.rate, ...(e.comment !== undefined ? { comment: e.comment } : {}) };
    return { type: CUSTOMER_EVENTS.find((k) => e[k] !== undefined)! };
  };
  return { service, clock, token, callerEvent };
}

/** Loads and replays one file; a file that does not parse is a result with issues, not an exception. */
export async function runTranscriptFile(file: string, opts: RunOptions = {}): Promise<TranscriptResult> {
  const loaded = await loadTranscript(file);
  if (!loaded.ok) return { file, name: file, ok: false, turns: [], failures: [], issues: loaded.issues, durationMs: 0 };
  return runTranscript(loaded.loaded, opts);
}
