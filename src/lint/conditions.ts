// Static reasoning about conditions: readable text, structural identity, and three-valued evaluation over fact domains.
import type { Condition } from '../core/thread.schema.ts';
import { splitFactPath } from '../core/facts.ts';
import { EVENT_TYPES } from '../core/events.ts';
import { OPERATOR_FUNCTIONS, type NormalCondition, type NormalLeaf } from '../core/rules-engine.ts';
import { AUTH_STATUSES, CONVERSATION_STATUSES, IDENTITY_METHODS, PROFILE_MATCHES, SCENARIOS } from '../core/state.ts';
import { ONBOARDING_TYPES } from '../core/widget.schema.ts';
import type { CompiledThread } from '../core/compile.ts';

export type Named = ReadonlyMap<string, NormalCondition>;
/** Stands for a value that is absent (an unset slot): every operator is false on it. */
export const MISSING = Symbol('missing');
type Value = unknown;

const BOOL = [true, false];
/** Facts whose every possible value is known: conditions on them can be decided statically. */
export const FINITE_DOMAINS: Record<string, readonly Value[]> = {
  'auth.status': AUTH_STATUSES,
  'auth.method': IDENTITY_METHODS,
  'auth.trusted': BOOL,
  'auth.change': ['authenticated', 'identified', 'cleared', 'conflict', null],
  'onboarding.type': ONBOARDING_TYPES,
  'onboarding.completed': BOOL,
  'onboarding.skipped': BOOL,
  'onboarding.formRequested': BOOL,
  'profile.match': PROFILE_MATCHES,
  scenario: SCENARIOS,
  'message.event': EVENT_TYPES,
  'conversation.event': EVENT_TYPES,
  'conversation.status': CONVERSATION_STATUSES,
  'conversation.routed': BOOL,
  'widget.onboarding': ONBOARDING_TYPES,
  'widget.transcript': BOOL,
  'widget.rating': BOOL,
};

/** Normalises the thread's named conditions the way compile does (fact split from path). */
export function namedConditions(thread: CompiledThread): Named {
  const norm = (c: Condition): NormalCondition => {
    if ('all' in c) return { all: c.all.map(norm) };
    if ('any' in c) return { any: c.any.map(norm) };
    if ('not' in c) return { not: norm(c.not) };
    if ('condition' in c) return { condition: c.condition };
    const { fact, path } = splitFactPath(c.fact, c.path);
    const v = c.value as unknown;
    const value = v && typeof v === 'object' && !Array.isArray(v) && 'fact' in v ? splitFactPath((v as { fact: string }).fact, (v as { path?: string }).path) : v;
    return { fact, path, operator: c.operator as NormalLeaf['operator'], value };
  };
  return new Map(Object.entries(thread.doc.conditions ?? {}).map(([k, c]) => [k, norm(c)]));
}

export const isLeaf = (c: NormalCondition): c is NormalLeaf => 'operator' in c;
export const leafFact = (l: { fact: string; path: string[] }): string => [l.fact, ...l.path].join('.');
export const isFactRef = (v: unknown): v is { fact: string; path: string[] } => !!v && typeof v === 'object' && !Array.isArray(v) && 'fact' in v;

/** The condition with named references expanded and labels dropped: equal keys mean the same test. */
export function conditionKey(c: NormalCondition, named: Named): string {
  const strip = (x: NormalCondition): unknown => {
    if ('all' in x) return { all: x.all.map(strip) };
    if ('any' in x) return { any: x.any.map(strip) };
    if ('not' in x) return { not: strip(x.not) };
    if ('condition' in x) return named.has(x.condition) ? strip(named.get(x.condition)!) : { condition: x.condition };
    return { fact: leafFact(x), operator: x.operator, value: x.value };
  };
  return JSON.stringify(strip(c));
}

const OP_TEXT: Record<string, string> = {
  equal: '=', notEqual: '!=', in: 'in', notIn: 'not in', contains: 'contains', doesNotContain: 'does not contain',
  lessThan: '<', lessThanInclusive: '<=', greaterThan: '>', greaterThanInclusive: '>=',
};

function valueText(v: unknown): string {
  if (isFactRef(v)) return leafFact(v);
  if (Array.isArray(v)) return `[${v.map(valueText).join(', ')}]`;
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? 'undefined';
}

/** A readable one-line form: `auth.trusted = true`, `slots.topic in [a, b]`, named conditions by name. */
export function conditionText(c: NormalCondition): string {
  const inner = (x: NormalCondition): string => (('all' in x && x.all.length > 1) || ('any' in x && x.any.length > 1) ? `(${conditionText(x)})` : conditionText(x));
  if ('all' in c) return c.all.map(inner).join(' and ');
  if ('any' in c) return c.any.map(inner).join(' or ');
  if ('not' in c) return `not ${inner(c.not)}`;
  if ('condition' in c) return c.condition;
  return `${leafFact(c)} ${OP_TEXT[c.operator] ?? c.operator} ${valueText(c.value)}`;
}

type Tri = true | false | 'unknown';

export interface EvalContext {
  named: Named;
  /** Fixed values for facts (e.g. the widget's onboarding type); they override the domains. */
  fixed?: ReadonlyMap<string, Value>;
  /** Extra finite domains, e.g. a choice slot's ids; MISSING belongs to them when the slot may be unset. */
  domains?: ReadonlyMap<string, readonly Value[]>;
}

function domainOf(fact: string, ctx: EvalContext): readonly Value[] | undefined {
  if (ctx.fixed?.has(fact)) return [ctx.fixed.get(fact)];
  return ctx.domains?.get(fact) ?? FINITE_DOMAINS[fact];
}

function finiteFacts(c: NormalCondition, ctx: EvalContext, out: Set<string>, depth = 0): Set<string> {
  if (depth > 50) return out;
  if ('all' in c) c.all.forEach((x) => finiteFacts(x, ctx, out, depth + 1));
  else if ('any' in c) c.any.forEach((x) => finiteFacts(x, ctx, out, depth + 1));
  else if ('not' in c) finiteFacts(c.not, ctx, out, depth + 1);
  else if ('condition' in c) {
    const t = ctx.named.get(c.condition);
    if (t) finiteFacts(t, ctx, out, depth + 1);
  } else if (domainOf(leafFact(c), ctx)) out.add(leafFact(c));
  return out;
}

function evalWith(c: NormalCondition, env: ReadonlyMap<string, Value>, named: Named, depth = 0): Tri {
  if (depth > 50) return 'unknown';
  if ('all' in c) {
    const r = c.all.map((x) => evalWith(x, env, named, depth + 1));
    return r.includes(false) ? false : r.every((x) => x === true) ? true : 'unknown';
  }
  if ('any' in c) {
    const r = c.any.map((x) => evalWith(x, env, named, depth + 1));
    return r.includes(true) ? true : r.every((x) => x === false) ? false : 'unknown';
  }
  if ('not' in c) {
    const r = evalWith(c.not, env, named, depth + 1);
    return r === 'unknown' ? r : !r;
  }
  if ('condition' in c) {
    const t = named.get(c.condition);
    return t ? evalWith(t, env, named, depth + 1) : 'unknown';
  }
  const fact = leafFact(c);
  if (!env.has(fact) || isFactRef(c.value)) return 'unknown';
  const actual = env.get(fact);
  if (actual === MISSING) return false;
  return OPERATOR_FUNCTIONS[c.operator]?.(actual, c.value) ?? 'unknown';
}

const MAX_COMBINATIONS = 20_000;

/** What a condition can evaluate to over every combination of its finite facts' values. */
export function outcomes(c: NormalCondition, ctx: EvalContext): { alwaysTrue: boolean; neverTrue: boolean } {
  const facts = [...finiteFacts(c, ctx, new Set())];
  const domains = facts.map((f) => domainOf(f, ctx)!);
  if (domains.reduce((n, d) => n * Math.max(d.length, 1), 1) > MAX_COMBINATIONS) return { alwaysTrue: false, neverTrue: false };
  let allTrue = true;
  let allFalse = true;
  const env = new Map<string, Value>();
  const walk = (i: number): void => {
    if (!allTrue && !allFalse) return;
    if (i === facts.length) {
      const r = evalWith(c, env, ctx.named);
      if (r !== true) allTrue = false;
      if (r !== false) allFalse = false;
      return;
    }
    for (const v of domains[i]!) {
      env.set(facts[i]!, v);
      walk(i + 1);
    }
  };
  walk(0);
  return { alwaysTrue: allTrue, neverTrue: allFalse };
}
