// Property tests: random event sequences (with a moving clock) against an independent model of token trust,
// on the example `returns` thread, a self-looping text ask and a step loop, for each onboarding type.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledThread } from '../../src/core/compile.ts';
import type { CompiledWidget } from '../../src/core/compile-widget.ts';
import { evaluateTurn } from '../../src/core/evaluate-turn.ts';
import type { TokenResult } from '../../src/core/events.ts';
import type { TurnResult } from '../../src/core/outputs.ts';
import { initialState, type ConversationState } from '../../src/core/state.ts';
import type { OnboardingType } from '../../src/core/widget.schema.ts';
import { loadRulesDir } from '../../src/rules/load-rules-dir.ts';
import { T0, threadFrom, verified, widgetFor } from '../helpers/conversation.ts';

const RUNS = 400;
const ONBOARDING: readonly OnboardingType[] = ['none', 'code', 'form', 'optional_form'];
const TURN_DEADLINE_MS = 2_000;

// ---------------------------------------------------------------- threads and widgets

let returns: CompiledThread;
let returnsWidgets: CompiledWidget[];
beforeAll(async () => {
  const rules = await loadRulesDir(fileURLToPath(new URL('../../rules', import.meta.url)));
  returns = rules.threads.get('returns')!;
  // Index i is the widget of onboarding type ONBOARDING[i] (the examples below rely on it).
  returnsWidgets = ONBOARDING.map((o) => [...rules.widgets.values()].find((w) => w.thread === 'returns' && w.onboarding === o)!);
  expect(returnsWidgets.map((w) => w?.onboarding)).toEqual(ONBOARDING);
});

/** A text ask whose answer leads back to itself. */
const askLoop = threadFrom(`id: askloop
start: q
steps:
  q:
    ask: { slot: note, type: text, prompt: "Anything else?", maxLength: 20 }
    next: q
`);
const askLoopWidgets = [
  ...ONBOARDING.map((o) => widgetFor(askLoop.id, o)),
  widgetFor(askLoop.id, 'optional_form', { features: { transcript: false, rating: false }, form: { require: 'email' } }),
];

/** Two steps that lead to each other without ever waiting; every handler enters the loop too. */
const loopYaml = (limit: number | null) => `id: loop
start: a
${limit === null ? '' : `limits: { maxAutoSteps: ${limit} }\n`}on: { message: a, authenticated: a, identified: a, cleared: a, conflict: a, token_rejected: a }
steps:
  a: { next: b }
  b: { next: a }
`;
const loopThreads = [null, 1, 2, 7, 1000].map((n) => threadFrom(loopYaml(n)));
const loopWidgets = ONBOARDING.map((o) => widgetFor('loop', o));

// ---------------------------------------------------------------- event specs (materialised at the turn's clock)

const EMAILS = ['julie@example.com', 'sam@example.org', 'ana@shop.example'] as const;
const PHONES = ['+14155550132', '+1 415 555 0199', '+442079460018'] as const;

type TokenSpec =
  | { ok: true; email: string | null; phone: string | null; name: string | null; ttl: number; issuedAgo: number }
  | { ok: false; reason: string; message?: string };
type ValidTokenSpec = Extract<TokenSpec, { ok: true }>;
type Lookup = Record<string, unknown> | null | undefined;
type User = { name?: string; email?: string; phone?: string; externalId?: string };

type EventSpec =
  | { type: 'start'; user?: User; token?: TokenSpec; profile: Lookup }
  | { type: 'message'; text: string; token?: TokenSpec; profile: Lookup; intent?: { name: string; confidence: number } }
  | { type: 'identify'; user: User; profile: Lookup }
  | { type: 'authenticate'; token: TokenSpec; profile: Lookup }
  | { type: 'submit_form'; fields: User; profile: Lookup }
  | { type: 'clear_user' | 'skip_form' | 'close' | 'request_transcript' }
  | { type: 'routed'; queue?: string }
  | { type: 'rate'; score: number; comment?: string }
  | { type: 'garbage'; variant: number; token: ValidTokenSpec };

interface Step {
  advanceMs: number;
  ev: EventSpec;
}

const nonBlank = (max: number) => fc.string({ minLength: 1, maxLength: max }).filter((s) => s.trim().length > 0);
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const validTokenArb = fc.record({
  ok: fc.constant(true as const),
  phoneOnly: fc.boolean(),
  email: fc.constantFrom(...EMAILS),
  phone: fc.option(fc.constantFrom(...PHONES), { nil: null }),
  name: fc.option(fc.constantFrom('Julie Doe', 'Sam Poe', 'Ana'), { nil: null }),
  ttl: fc.oneof(fc.integer({ min: 1, max: 1200 }), fc.integer({ min: 1, max: 4 })),
  // Mostly issued now; sometimes earlier, so that an identity expiring this very second, or already expired, reaches the core.
  age: fc.oneof(
    { arbitrary: fc.constant('fresh' as const), weight: 6 },
    { arbitrary: fc.constantFrom('expires_now' as const, 'one_second_left' as const, 'expired_a_second_ago' as const), weight: 2 },
    { arbitrary: fc.integer({ min: 0, max: 1500 }), weight: 1 },
  ),
}).map(({ phoneOnly, email, phone, age, ttl, ...rest }) => ({
  ...rest,
  ttl,
  issuedAgo: age === 'fresh' ? 0 : age === 'expires_now' ? ttl : age === 'one_second_left' ? ttl - 1 : age === 'expired_a_second_ago' ? ttl + 1 : age,
  email: phoneOnly ? null : email,
  phone: phoneOnly ? (phone ?? PHONES[0]) : phone,
}));

const rejectedTokenArb = fc.record(
  {
    ok: fc.constant(false as const),
    reason: fc.constantFrom('expired', 'signature_invalid', 'alg_none', 'kid_unknown', 'issuer_mismatch', 'malformed', 'not_yet_valid'),
    message: fc.string({ maxLength: 40 }),
  },
  { requiredKeys: ['ok', 'reason'] },
);
const tokenArb: fc.Arbitrary<TokenSpec> = fc.oneof({ arbitrary: validTokenArb, weight: 3 }, { arbitrary: rejectedTokenArb, weight: 2 });

/** Values a JSON body could carry; -0 (which JSON.parse can yield but no JSON round trip keeps) is normalised to 0. */
const jsonish = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const profileArb = fc.record(
  {
    id: fc.constantFrom('p-julie', 'p-sam', 'p-3'),
    name: fc.option(fc.constantFrom('Julie Doe', 'Sam Poe'), { nil: null }),
    emails: fc.array(fc.constantFrom(...EMAILS, 'other@example.net'), { maxLength: 2 }),
    phones: fc.array(fc.constantFrom(...PHONES), { maxLength: 2 }),
    externalId: fc.option(fc.constantFrom('cust-1', 'cust-2'), { nil: null }),
    attributes: fc
      .dictionary(fc.constantFrom('tier', 'orders', 'vip', '__proto__', 'constructor'), jsonish, { maxKeys: 3 })
      .map((d) => JSON.parse(JSON.stringify(d)) as Record<string, unknown>),
  },
  { requiredKeys: ['id'] },
);
const lookupArb: fc.Arbitrary<Lookup> = fc.oneof(fc.constant(undefined), fc.constant(null), profileArb);

const userArb: fc.Arbitrary<User> = fc.record(
  {
    name: fc.oneof(fc.constantFrom('Julie Doe', 'Sam Poe', 'Ana'), nonBlank(30)),
    email: fc.oneof(fc.constantFrom(...EMAILS, 'JULIE@Example.com ', 'not-an-email', 'julie@', ''), fc.string({ maxLength: 30 })),
    phone: fc.oneof(fc.constantFrom(...PHONES, '020 7946 0018', '12', 'call me'), fc.string({ maxLength: 20 })),
    externalId: fc.constantFrom('cust-1', 'cust-2'),
  },
  { requiredKeys: [] },
);

const textArb = fc.oneof(
  { arbitrary: fc.constantFrom('1', '2', '3', '4', 'order status', 'Order status', 'return', 'other', 'tracking', 'yes', 'no', 'Yes!', 'nope', 'R-10234'), weight: 3 },
  { arbitrary: fc.string({ maxLength: 30 }), weight: 2 },
  { arbitrary: fc.constantFrom('', '   ', 'x'.repeat(21), '<b>hi</b> & "co"', '{{auth.email}}'), weight: 1 },
);

type Garbage = (tok: TokenResult & { ok: true }) => unknown;
/** A message with a valid token but a text that is not a string: the whole event must be refused, token included. */
const textNotString: Garbage = (tok) => ({ type: 'message', text: 7, token: tok });
const GARBAGE: Garbage[] = [
  () => null,
  () => 42,
  () => 'message',
  () => [],
  () => ({}),
  () => ({ type: 'hello' }),
  (tok) => ({ type: 'MESSAGE', text: 'hi', token: tok }),
  (tok) => ({ type: 'message', token: tok }),
  textNotString,
  (tok) => ({ type: 'message', text: null, token: tok }),
  (tok) => ({ type: 'message', text: 'x'.repeat(10_001), token: tok }),
  (tok) => ({ type: 'message', text: 'hi', token: tok, extra: true }),
  (tok) => ({ type: 'message', text: 'hi', token: tok, profile: 'p-julie' }),
  (tok) => ({ type: 'message', text: 'hi', token: tok, profile: { name: 'no id' } }),
  (tok) => ({ type: 'message', text: 'hi', token: { ...tok, ok: 'true' } }),
  (tok) => ({ type: 'message', text: 'hi', token: tok, intent: { name: 'x', confidence: 2 } }),
  () => ({ type: 'authenticate' }),
  () => ({ type: 'authenticate', token: { ok: true } }),
  () => ({ type: 'authenticate', token: null }),
  (tok) => ({ type: 'authenticate', token: { ok: true, identity: { ...tok.identity, expiresAt: String(tok.identity.expiresAt) } } }),
  (tok) => ({ type: 'authenticate', token: { ok: true, identity: { ...tok.identity, admin: true } } }),
  (tok) => ({ type: 'authenticate', token: { ok: true, identity: { ...tok.identity, alg: undefined } } }),
  (tok) => ({ type: 'authenticate', token: { ...tok, reason: 'signature_invalid' } }),
  () => ({ type: 'authenticate', token: { ok: false } }),
  () => ({ type: 'authenticate', token: { ok: false, reason: '' } }),
  () => ({ type: 'authenticate', token: { ok: false, reason: 'x'.repeat(65) } }),
  (tok) => ({ type: 'authenticate', token: tok, user: { name: 'Julie' } }),
  (tok) => ({ type: 'start', token: tok, user: { name: '   ' } }),
  (tok) => ({ type: 'start', token: tok, user: 'julie' }),
  (tok) => ({ type: 'start', token: [tok] }),
  (tok) => ({ type: 'start', token: tok, profile: [] }),
  () => ({ type: 'identify' }),
  () => ({ type: 'identify', user: 'julie' }),
  () => ({ type: 'identify', user: { email: 5 } }),
  () => ({ type: 'identify', user: { nickname: 'j' } }),
  (tok) => ({ type: 'identify', user: { email: 'julie@example.com' }, token: tok }),
  () => ({ type: 'clear_user', force: true }),
  () => ({ type: 'submit_form' }),
  () => ({ type: 'submit_form', fields: { email: ['julie@example.com'] } }),
  () => ({ type: 'skip_form', now: 1 }),
  () => ({ type: 'routed', queue: '' }),
  () => ({ type: 'routed', queue: 5 }),
  () => ({ type: 'close', reason: 'done' }),
  () => ({ type: 'request_transcript', email: 'julie@example.com' }),
  () => ({ type: 'rate' }),
  () => ({ type: 'rate', score: 0 }),
  () => ({ type: 'rate', score: 6 }),
  () => ({ type: 'rate', score: 2.5 }),
  () => ({ type: 'rate', score: '3' }),
  (tok) => ({ type: 'rate', score: 5, token: tok }),
];

const GARBAGE_TEXT_NOT_STRING = GARBAGE.indexOf(textNotString);

const eventArb: fc.Arbitrary<EventSpec> = fc.oneof(
  { arbitrary: fc.record({ type: fc.constant('start' as const), user: opt(userArb), token: opt(tokenArb), profile: lookupArb }), weight: 2 },
  {
    arbitrary: fc.record({
      type: fc.constant('message' as const),
      text: textArb,
      token: fc.option(tokenArb, { nil: undefined, freq: 3 }),
      profile: lookupArb,
      intent: opt(fc.record({ name: fc.constantFrom('order_status', 'return'), confidence: fc.double({ min: 0, max: 1, noNaN: true }) })),
    }),
    weight: 12,
  },
  { arbitrary: fc.record({ type: fc.constant('identify' as const), user: userArb, profile: lookupArb }), weight: 3 },
  { arbitrary: fc.record({ type: fc.constant('authenticate' as const), token: tokenArb, profile: lookupArb }), weight: 5 },
  { arbitrary: fc.record({ type: fc.constant('submit_form' as const), fields: userArb, profile: lookupArb }), weight: 3 },
  { arbitrary: fc.constantFrom({ type: 'clear_user' as const }), weight: 3 },
  { arbitrary: fc.constantFrom({ type: 'skip_form' as const }, { type: 'request_transcript' as const }), weight: 2 },
  { arbitrary: fc.constantFrom({ type: 'close' as const }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('routed' as const), queue: opt(fc.constantFrom('general', 'returns', 'vip')) }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('rate' as const), score: fc.integer({ min: 1, max: 5 }), comment: opt(fc.string({ maxLength: 30 })) }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('garbage' as const), variant: fc.nat(GARBAGE.length - 1), token: validTokenArb }), weight: 3 },
);

/** 0..2000 s between events: whole seconds, sometimes millisecond precision, often tiny (to hit expiry boundaries). */
const advanceArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 2000 }).map((s) => s * 1000), weight: 3 },
  { arbitrary: fc.integer({ min: 0, max: 2_000_000 }), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 4 }).map((s) => s * 1000), weight: 2 },
);

const startStepArb: fc.Arbitrary<Step> = fc.record({
  advanceMs: fc.constant(0),
  ev: fc.record({ type: fc.constant('start' as const), user: opt(userArb), token: opt(tokenArb), profile: lookupArb }),
});
/** Mostly a conversation that starts first; sometimes events arrive before any start. */
const stepsArb: fc.Arbitrary<Step[]> = fc
  .tuple(fc.option(startStepArb, { nil: undefined, freq: 10 }), fc.array(fc.record({ advanceMs: advanceArb, ev: eventArb }), { maxLength: 50 }))
  .map(([first, rest]) => (first ? [first, ...rest] : rest));

function tokenAt(spec: TokenSpec, nowMs: number): TokenResult {
  if (!spec.ok) return spec.message === undefined ? { ok: false, reason: spec.reason } : { ok: false, reason: spec.reason, message: spec.message };
  return verified(spec.email, nowMs - spec.issuedAgo * 1000, spec.ttl, { phone: spec.phone, name: spec.name });
}

function materialize(ev: EventSpec, nowMs: number): unknown {
  const lookup = (p: Lookup) => (p === undefined ? {} : { profile: p });
  switch (ev.type) {
    case 'garbage':
      return GARBAGE[ev.variant]!(tokenAt(ev.token, nowMs) as TokenResult & { ok: true });
    case 'start':
      return { type: 'start', ...(ev.user ? { user: ev.user } : {}), ...(ev.token ? { token: tokenAt(ev.token, nowMs) } : {}), ...lookup(ev.profile) };
    case 'message':
      return {
        type: 'message',
        text: ev.text,
        ...(ev.intent ? { intent: ev.intent } : {}),
        ...(ev.token ? { token: tokenAt(ev.token, nowMs) } : {}),
        ...lookup(ev.profile),
      };
    case 'identify':
      return { type: 'identify', user: ev.user, ...lookup(ev.profile) };
    case 'authenticate':
      return { type: 'authenticate', token: tokenAt(ev.token, nowMs), ...lookup(ev.profile) };
    case 'submit_form':
      return { type: 'submit_form', fields: ev.fields, ...lookup(ev.profile) };
    case 'routed':
      return ev.queue === undefined ? { type: 'routed' } : { type: 'routed', queue: ev.queue };
    case 'rate':
      return ev.comment === undefined ? { type: 'rate', score: ev.score } : { type: 'rate', score: ev.score, comment: ev.comment };
    default:
      return { type: ev.type };
  }
}

// ---------------------------------------------------------------- the independent model

/** What the test knows from the events it sent: was the chat started/closed, and the expiry of the last valid token. */
interface Model {
  started: boolean;
  closed: boolean;
  /** expiresAt (epoch s) of the most recent token that was valid when it arrived, since the last clear_user. */
  expiresAt: number | null;
  turn: number;
}

/** A token authenticates only if it is a verified identity whose expiry is still ahead at the moment it arrives. */
const grants = (tok: TokenSpec | undefined, nowMs: number, materialized: TokenResult | undefined): number | null =>
  tok?.ok && materialized?.ok && materialized.identity.expiresAt > nowMs / 1000 ? materialized.identity.expiresAt : null;

// ---------------------------------------------------------------- running a sequence and checking it

type Prop = 'P1' | 'P2' | 'P3' | 'P4' | 'P5' | 'P5-anonymous' | 'P6' | 'P7';

/** Deep equality as JSON sees it, without prototypes: returns the first differing path, or null. */
function jsonDiff(a: unknown, b: unknown, path = '$'): string | null {
  if (Object.is(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: ${String(a)} !== ${String(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length || ka.some((k) => !Object.hasOwn(b, k))) return `${path}: keys [${ka.join(',')}] vs [${kb.join(',')}]`;
  for (const k of ka) {
    const d = jsonDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

function deadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not resolve within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const errorCodes = (r: TurnResult) => r.outputs.flatMap((o) => (o.type === 'error' ? [o.code] : []));
const short = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 400 ? `${s.slice(0, 400)}…(${s.length} chars)` : s;
};

async function runSequence(thread: CompiledThread, widget: CompiledWidget, steps: Step[], props: ReadonlySet<Prop>): Promise<void> {
  let nowMs = T0;
  let ids = 0;
  let state: ConversationState = initialState(thread.id, widget, new Date(nowMs).toISOString());
  const model: Model = { started: false, closed: false, expiresAt: null, turn: 0 };
  const log: string[] = [];
  const results: TurnResult[] = [];
  const flags: (boolean | null)[] = [];
  const expectedFlags: (boolean | null)[] = [];
  const snapshots: string[] = [];

  const fail = (prop: string, message: string): never => {
    throw new Error(
      `${prop} violated: ${message}\n  thread "${thread.id}", widget "${widget.id}" (onboarding ${widget.onboarding}), T0 = ${T0 / 1000} s\n  events (t = seconds after T0):\n${log.join('\n')}`,
    );
  };

  for (const [i, { advanceMs, ev }] of steps.entries()) {
    nowMs += advanceMs;
    const nowSec = nowMs / 1000;
    const event = materialize(ev, nowMs);
    log.push(`    #${i} t=+${(nowMs - T0) / 1000}s ${short(event)}`);

    // What the model expects, from the events alone.
    const valid = ev.type !== 'garbage';
    const dispatched = valid && !model.closed && (model.started || ev.type === 'start');
    const firstStart = dispatched && ev.type === 'start' && !model.started;
    const token = 'token' in ev && ev.type !== 'garbage' && ev.token ? (event as { token: TokenResult }).token : undefined;
    const tokenSpec = ev.type !== 'garbage' && 'token' in ev ? ev.token : undefined;
    const tokenCounts = dispatched && (ev.type === 'message' || ev.type === 'authenticate' || firstStart);
    const granted = tokenCounts ? grants(tokenSpec, nowMs, token) : null;
    const before = { state, json: JSON.stringify(state), identity: structuredClone(state.identity), model: { ...model } };

    if (granted !== null) model.expiresAt = granted;
    if (dispatched && ev.type === 'clear_user') model.expiresAt = null;
    if (firstStart) model.started = true;
    if (dispatched && ev.type === 'close') model.closed = true;
    if (dispatched) model.turn += 1;
    const expectedTrusted = dispatched && ev.type === 'message' ? model.expiresAt !== null && model.expiresAt > nowSec : null;

    let r: TurnResult;
    try {
      r = await deadline(evaluateTurn(thread, state, event, { now: new Date(nowMs), newId: () => `p${++ids}`, widget }), TURN_DEADLINE_MS);
    } catch (err) {
      return fail('P1', `evaluateTurn threw or did not resolve: ${(err as Error).stack ?? String(err)}`);
    }
    log[log.length - 1] += `\n        -> trusted=${r.trusted} status=${r.state.status} turn=${r.state.turn} identity=${r.state.identity.status}${
      r.state.identity.tokenExpiresAt === null ? '' : ` tokenExpiresAt=+${r.state.identity.tokenExpiresAt - T0 / 1000}s`
    } model.expiresAt=${model.expiresAt === null ? 'none' : `+${model.expiresAt - T0 / 1000}s`} outputs=${r.outputs.map((o) => ('code' in o ? `${o.type}:${o.code}` : o.type)).join(',')}`;
    const after = r.state;

    if (props.has('P1')) {
      const roundTrip = JSON.parse(JSON.stringify(after)) as unknown;
      const d = jsonDiff(after, roundTrip);
      if (d) fail('P1', `the returned state does not survive a JSON round trip: ${d}`);
      if (!valid && !errorCodes(r).includes('event_invalid')) fail('P1', `a malformed event was not reported as event_invalid (outputs ${short(r.outputs)})`);
    }

    if (props.has('P2')) {
      if (r.trusted !== expectedTrusted) {
        fail(
          'P2',
          `result.trusted is ${r.trusted}, the model expects ${expectedTrusted} (event ${valid ? ev.type : 'invalid'}, now = +${nowSec - T0 / 1000}s, last valid token expires ${
            model.expiresAt === null ? 'never granted / cleared' : `+${model.expiresAt - T0 / 1000}s`
          })`,
        );
      }
      if (r.trace.trusted !== r.trusted) fail('P2', `trace.trusted (${r.trace.trusted}) differs from result.trusted (${r.trusted})`);
    }

    if (props.has('P3')) {
      const rejected = tokenSpec !== undefined && granted === null && (ev.type === 'authenticate' || ev.type === 'message');
      if (rejected) {
        const d = jsonDiff(before.identity, after.identity);
        if (d) fail('P3', `a rejected token changed state.identity: ${d}`);
      }
      if (!valid) {
        const d = jsonDiff(JSON.parse(before.json), after);
        if (d) fail('P3', `a malformed event changed the state: ${d}`);
      }
    }

    if (props.has('P4')) {
      if (JSON.stringify(before.state) !== before.json) fail('P4', 'evaluateTurn mutated the state it was given');
      if (ev.type === 'authenticate' && r.trusted !== null) fail('P4', `an authenticate turn reported trusted=${r.trusted}; it carries no message`);
      results.push(r);
      flags.push(r.trusted);
      expectedFlags.push(expectedTrusted);
      snapshots.push(JSON.stringify(after));
      for (const [k, earlier] of results.entries()) {
        if (earlier.trusted !== flags[k] || earlier.trace.trusted !== flags[k]) fail('P4', `turn #${k}'s trusted flag changed from ${flags[k]} to ${earlier.trusted} later`);
      }
    }

    if ((props.has('P5') || props.has('P5-anonymous')) && dispatched && ev.type === 'clear_user') {
      if (props.has('P5-anonymous') || before.identity.status !== 'anonymous') {
        const who = `clear_user (identity before: ${before.identity.status})`;
        if (after.identity.status !== 'anonymous') fail('P5', `after ${who} identity.status is ${after.identity.status}`);
        if (after.profile.match !== 'none') fail('P5', `after ${who} profile.match is ${after.profile.match}`);
        if (Object.keys(after.slots).length !== 0) fail('P5', `after ${who} slots are ${short(after.slots)}, not {}`);
      }
    }

    if (props.has('P6')) {
      if (after.turn < before.state.turn) fail('P6', `turn went back from ${before.state.turn} to ${after.turn}`);
      if (after.turn > before.state.turn + 1) fail('P6', `turn jumped from ${before.state.turn} to ${after.turn}`);
      if (after.turn !== model.turn) fail('P6', `turn is ${after.turn}; the events accepted so far number ${model.turn}`);
      if (before.state.status === 'closed' && after.status !== 'closed') fail('P6', `a closed conversation became ${after.status}`);
      if ((after.status === 'closed') !== model.closed) fail('P6', `status is ${after.status} but the model says closed=${model.closed}`);
    }

    if (props.has('P7')) {
      const codes = errorCodes(r);
      const entered = r.trace.steps.length;
      if (entered > 2 * thread.maxAutoSteps) fail('P7', `the turn entered ${entered} steps (limit ${thread.maxAutoSteps} per run)`);
      if (entered > 0 && !codes.includes('loop_limit')) fail('P7', `the turn entered the loop (${entered} steps) but reported no loop_limit error (errors: ${codes.join(',') || 'none'})`);
      if (codes.includes('loop_limit') && after.waiting !== null) fail('P7', `after loop_limit the conversation still waits: ${short(after.waiting)}`);
      const runs = (firstStart || (dispatched && ev.type === 'message')) && after.status === 'active';
      if (runs && !codes.includes('loop_limit')) fail('P7', `a ${ev.type} on a running conversation did not end in loop_limit (outputs ${short(r.outputs)})`);
    }

    state = after;
  }

  if (props.has('P4')) {
    const d = jsonDiff(flags, expectedFlags);
    if (d) fail('P4', `the recorded trusted flags ${short(flags)} differ from the model's ${short(expectedFlags)}: ${d}`);
    for (const [k, r] of results.entries()) {
      if (JSON.stringify(r.state) !== snapshots[k]) fail('P4', `the state returned by turn #${k} was modified by a later turn`);
    }
  }
}

interface Scenario {
  threads: () => CompiledThread[];
  widgets: () => CompiledWidget[];
}

type Example = [thread: number, widget: number, steps: Step[]];

/** Thread and widget are drawn as indices (so a counterexample prints small), resolved when the property runs. */
const check = ({ threads, widgets }: Scenario, props: Prop[], examples: Example[] = []) =>
  fc.assert(
    fc.asyncProperty(fc.nat(999), fc.nat(999), stepsArb, (t, w, steps) => {
      const ts = threads();
      const ws = widgets();
      return runSequence(ts[t % ts.length]!, ws[w % ws.length]!, steps, new Set(props));
    }),
    { numRuns: RUNS, examples },
  );

// Hand-picked sequences that always run first (widget index 0 is onboarding "none").
const fresh = (ttl: number, issuedAgo = 0): ValidTokenSpec => ({ ok: true, email: EMAILS[0], phone: null, name: 'Julie Doe', ttl, issuedAgo });
const at = (advanceMs: number, ev: EventSpec): Step => ({ advanceMs, ev });
const msg = (text: string, token?: TokenSpec): EventSpec => ({ type: 'message', text, profile: undefined, ...(token ? { token } : {}) });
const TRUST_EXAMPLES: Example[] = [
  // Trusted until the second the token expires, not at it.
  [0, 0, [at(0, { type: 'start', token: fresh(5), profile: undefined }), at(4_999, msg('1')), at(1, msg('2'))]],
  // A token arriving exactly at its expiry second, or on a turn refused as a whole, grants nothing.
  [0, 0, [at(0, { type: 'start', profile: undefined }), at(0, msg('hi', fresh(3, 3))), at(0, { type: 'garbage', variant: GARBAGE_TEXT_NOT_STRING, token: fresh(600) }), at(0, msg('1'))]],
  // Before start, and on a repeated start, a token is refused with the event (not_started / already_started).
  [0, 0, [at(0, msg('hi', fresh(600))), at(0, { type: 'start', profile: undefined }), at(0, msg('1')), at(0, { type: 'start', token: fresh(600), profile: null }), at(0, msg('1'))]],
  // A shorter token for the same customer replaces the longer one; a rejection keeps it; logout ends it.
  [0, 0, [at(0, { type: 'start', token: fresh(600), profile: null }), at(0, { type: 'authenticate', token: fresh(2), profile: undefined }), at(3_000, msg('1')), at(0, { type: 'authenticate', token: fresh(600), profile: undefined }), at(0, { type: 'authenticate', token: { ok: false, reason: 'alg_none' }, profile: undefined }), at(0, msg('2')), at(0, { type: 'clear_user' }), at(0, msg('3'))]],
];
/** A visitor answers an ask, then clear_user arrives while the conversation is still anonymous. */
const ANONYMOUS_CLEAR: Example[] = [[0, 0, [at(0, { type: 'start', profile: undefined }), at(0, msg('1')), at(0, { type: 'clear_user' })]]];

// ---------------------------------------------------------------- properties

const INVARIANTS: Prop[] = ['P1', 'P2', 'P3', 'P4', 'P6'];

describe.each([
  { name: 'the example "returns" thread', threads: () => [returns], widgets: () => returnsWidgets },
  { name: 'a text ask that loops back to itself', threads: () => [askLoop], widgets: () => askLoopWidgets },
])('random event sequences on $name, every onboarding type', ({ threads, widgets }) => {
  it('P1–P4, P6: never throws, state round-trips, trust only from an unexpired valid token, rejections change nothing, trust is never retroactive, turn/closed are monotone', async () => {
    await check({ threads, widgets }, INVARIANTS, TRUST_EXAMPLES);
  });

  it('P5: clear_user of an identified or authenticated party leaves identity anonymous, profile unmatched and no slots', async () => {
    await check({ threads, widgets }, ['P5'], ANONYMOUS_CLEAR);
  });

  it('P5 (any party): clear_user always leaves no slots behind, also when the conversation was anonymous', async () => {
    await check({ threads, widgets }, ['P5-anonymous'], ANONYMOUS_CLEAR);
  });
});

describe('a thread whose steps loop (a -> b -> a) without an ask', () => {
  it('P7: every turn resolves; every turn that enters the thread ends with a loop_limit error (plus P1, P2, P6)', async () => {
    await check({ threads: () => loopThreads, widgets: () => loopWidgets }, ['P1', 'P2', 'P6', 'P7'], TRUST_EXAMPLES);
  });

  it('P7: the loop bound holds without the event loop (a watchdog worker is terminated if a turn spins synchronously)', async () => {
    const root = pathToFileURL(fileURLToPath(new URL('../../', import.meta.url))).href;
    // tsx's ESM API registers the .ts loader inside the worker (the CommonJS build of that API cannot).
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
    const code = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  (await import(workerData.tsx)).register();
  const { evaluateTurn } = await import(workerData.root + 'src/core/evaluate-turn.ts');
  const { initialState } = await import(workerData.root + 'src/core/state.ts');
  const { threadFrom, widgetFor, verified, T0 } = await import(workerData.root + 'test/helpers/conversation.ts');
  const out = [];
  for (const yaml of workerData.yamls) {
    const thread = threadFrom(yaml);
    for (const onboarding of ['none', 'code', 'form', 'optional_form']) {
      const widget = widgetFor('loop', onboarding);
      let state = initialState('loop', widget, new Date(T0).toISOString());
      let now = T0;
      const script = [
        () => ({ type: 'start', user: { name: 'Julie Doe', email: 'julie@example.com' } }),
        () => ({ type: 'message', text: 'hi' }),
        () => ({ type: 'authenticate', token: verified('sam@example.org', now, 5) }),
        () => ({ type: 'message', text: 'hi', token: { ok: false, reason: 'alg_none' } }),
        () => ({ type: 'clear_user' }),
        () => ({ type: 'identify', user: { email: 'ana@shop.example' } }),
        () => ({ type: 'message', text: 'hi', token: verified('ana@shop.example', now, 600) }),
      ];
      for (const make of script) {
        now += 1000;
        const r = await evaluateTurn(thread, state, make(), { now: new Date(now), newId: () => 'p', widget });
        state = r.state;
        out.push({ steps: r.trace.steps.length, loopLimit: r.outputs.some((o) => o.type === 'error' && o.code === 'loop_limit') });
      }
    }
  }
  parentPort.postMessage({ ok: true, turns: out });
})().catch((e) => parentPort.postMessage({ ok: false, error: String((e && e.stack) || e) }));
`;
    const worker = new Worker(code, { eval: true, workerData: { root, tsx, yamls: [loopYaml(null), loopYaml(1), loopYaml(1000)] } });
    try {
      type Reply = { ok: boolean; turns?: { steps: number; loopLimit: boolean }[]; error?: string };
      const reply = await new Promise<Reply>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('P7 violated: the loop thread did not finish within 15 s (a turn spins without returning)')), 15_000);
        worker.once('message', (m: Reply) => {
          clearTimeout(timer);
          resolve(m);
        });
        worker.once('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      expect(reply.error).toBeUndefined();
      const turns = reply.turns ?? [];
      expect(turns).toHaveLength(3 * 4 * 7);
      // Every turn that entered the thread stopped at the bound; and the loop was entered at all.
      expect(turns.filter((t) => t.steps > 0 && !t.loopLimit)).toEqual([]);
      expect(turns.filter((t) => t.loopLimit).length).toBeGreaterThan(3 * 4);
    } finally {
      await worker.terminate();
    }
  });
});
