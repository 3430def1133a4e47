// A transcript's world: the rules seeded into its store, its profiles, stubbed lookups, its clock and the service to talk to.
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { JwtSettings } from '../auth/index.ts';
import type { CompiledThread } from '../core/compile.ts';
import { ThreadgateError } from '../core/errors.ts';
import { checkResponse } from '../core/lookup-schema.ts';
import { ConversationService } from '../runtime/conversation-service.ts';
import type { LookupOutcome } from '../runtime/lookups.ts';
import { RulesRegistry } from '../runtime/rules-registry.ts';
import type { LookupExecutor } from '../runtime/run-turn.ts';
import type { Store } from '../store/store.port.ts';
import { startAt } from './start-at.ts';
import { tokenFor } from './tokens.ts';
import { seedPastConversations } from './past-conversations.ts';
import { CUSTOMER_EVENTS, type AgentEvent, type CustomerEvent, type LookupStub, type Transcript } from './transcript.schema.ts';

export const DEFAULT_CLOCK = '2026-11-23T10:00:00Z';
/** The example widgets read SHOP_JWT_SECRET; transcripts get a test value unless they set their own. */
export const TEST_SECRETS: Readonly<Record<string, string>> = { SHOP_JWT_SECRET: 'transcript-test:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA' };

/** Rules given as file texts instead of a folder: what the HTTP coverage route runs (stored widgets, a draft thread). */
export interface RulesSources {
  /** Where the rules came from, for reports ("server"). */
  origin: string;
  threads: { id: string; source: string }[];
  widgets: { id: string; source: string }[];
}

export interface RunOptions {
  /** Rules folder for transcripts without `setup.rules` (default `rules`, relative to the working directory). */
  rulesDir?: string;
  /** Rules as texts; when given, they are the rules of every transcript and `setup.rules` is not read. */
  rules?: RulesSources;
}

/** The thread a transcript's widget runs, as it was compiled and from which text: what coverage is counted on. */
export interface ThreadUnderTest {
  thread: CompiledThread;
  source: string;
  /** The rules folder (or the origin of given rules) it came from, to tell apart two threads of one id. */
  rules: string;
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

/** A folder as reports show it: relative to the working directory when inside it, so `--rules rules` and `setup.rules: ../../rules` read alike. */
function shortPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** Puts rules given as texts into the store as seedFromDir would: each thread published once, each widget stored. */
async function seedSources(store: Store, rules: RulesSources, now: string): Promise<void> {
  for (const t of rules.threads) {
    await store.rules.putThreadDraft(t.id, t.source, now);
    await store.rules.publishThread(t.id, now);
  }
  for (const w of rules.widgets) await store.rules.putWidget(w.id, w.source, now);
}

/** Publishes the widget's thread changed to start at `start.at` with `start.slots` filled (start-at.ts), as the studio simulates it. */
async function startAnywhere(store: Store, threadId: unknown, start: NonNullable<Transcript['start']>, origin: string, now: string) {
  const active = typeof threadId === 'string' ? await store.rules.getActiveThreadVersion(threadId) : null;
  if (!active) throw new ThreadgateError('config_invalid', `start.at: the widget's thread is not in ${origin}`);
  if (start.at !== undefined && !parseDocument(active.source).hasIn(['steps', start.at])) {
    throw new ThreadgateError('config_invalid', `start.at: the thread "${active.threadId}" has no step "${start.at}"`);
  }
  await store.rules.putThreadDraft(active.threadId, startAt(active.source, start.at, start.slots), now);
  await store.rules.publishThread(active.threadId, now);
}

/** The widget's thread as the rules hold it, before start.at changes it: coverage counts on the author's thread, not the changed copy. */
async function threadUnderTest(store: Store, registry: RulesRegistry, threadId: unknown, origin: string): Promise<ThreadUnderTest | null> {
  if (typeof threadId !== 'string') return null;
  const [active, version] = await Promise.all([registry.activeThread(threadId), store.rules.getActiveThreadVersion(threadId)]);
  return active && version ? { thread: active.thread, source: version.source, rules: origin } : null;
}

/** Seeds the store from the rules, applies the setup and builds the service with a clock the transcript moves. */
export async function setUp(t: Transcript, file: string, store: Store, opts: RunOptions) {
  const secrets = { ...TEST_SECRETS, ...(t.setup.secrets ?? {}) };
  const clock = { now: Date.parse(t.setup.clock ?? DEFAULT_CLOCK) };
  const at = () => new Date(clock.now).toISOString();
  const registry = new RulesRegistry(store, secrets);
  let origin: string;
  if (opts.rules) {
    origin = opts.rules.origin;
    await seedSources(store, opts.rules, at());
  } else {
    origin = t.setup.rules !== undefined ? shortPath(resolve(dirname(file), t.setup.rules)) : (opts.rulesDir ?? 'rules');
    await registry.seedFromDir(origin, at());
  }
  const row = await store.rules.getWidget(t.setup.widget);
  if (!row) throw new ThreadgateError('config_invalid', `setup.widget: no widget "${t.setup.widget}" in ${origin}`);
  if (t.setup.onboarding) {
    const doc = parseDocument(row.source);
    doc.set('onboarding', t.setup.onboarding);
    await store.rules.putWidget(row.id, String(doc), at());
  }
  const threadId = parseDocument(row.source).get('thread');
  const thread = await threadUnderTest(store, registry, threadId, origin);
  if (t.start?.at !== undefined || t.start?.slots !== undefined) await startAnywhere(store, threadId, t.start, origin, at());
  for (const p of t.setup.profiles ?? []) {
    const put = await store.profiles.put(p, at());
    if (!put.ok) throw new ThreadgateError('config_invalid', `setup.profiles: ${p.id}'s ${put.key} already belongs to ${put.takenBy}`);
  }
  if (t.setup.pastConversations) await seedPastConversations(store, t.setup.pastConversations, new Set((t.setup.profiles ?? []).map((p) => p.id)), clock.now);
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
  /** The event a transcript's `agent:` entry stands for. */
  const agentEvent = (e: AgentEvent): unknown =>
    e.message !== undefined ? { type: 'agent_message', text: e.message } : { type: 'agent_request_login', ...(typeof e.request_login === 'object' ? { text: e.request_login.text } : {}) };
  return { service, clock, token, callerEvent, agentEvent, thread };
}
