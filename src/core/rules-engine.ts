// The one wrapper around json-rules-engine: branch engines built once, run per turn on private views, traced.
import { Engine, Fact, Operator, type RuleProperties } from 'json-rules-engine';
import type { Condition, LeafCondition, OperatorName } from './thread.schema.ts';
import { readPath, type Facts } from './facts.ts';

/** A leaf after compile: fact id split from its path, path as dotted string. */
export interface NormalLeaf {
  fact: string;
  path: string[];
  operator: OperatorName;
  value: unknown;
  name?: string;
}
export type NormalCondition =
  | NormalLeaf
  | { all: NormalCondition[]; name?: string }
  | { any: NormalCondition[]; name?: string }
  | { not: NormalCondition; name?: string }
  | { condition: string; name?: string };

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Our operator semantics: a missing value (undefined path) is false for every operator, negative
 * ones included, and numeric operators compare numbers only (no parseFloat of strings).
 */
export const OPERATOR_FUNCTIONS: Record<OperatorName, (fact: unknown, value: unknown) => boolean> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => Array.isArray(b) && b.includes(a),
  notIn: (a, b) => Array.isArray(b) && !b.includes(a),
  contains: (a, b) => Array.isArray(a) && a.includes(b),
  doesNotContain: (a, b) => Array.isArray(a) && !a.includes(b),
  lessThan: (a, b) => isNum(a) && isNum(b) && a < b,
  lessThanInclusive: (a, b) => isNum(a) && isNum(b) && a <= b,
  greaterThan: (a, b) => isNum(a) && isNum(b) && a > b,
  greaterThanInclusive: (a, b) => isNum(a) && isNum(b) && a >= b,
};

function safeOperator(name: OperatorName): Operator {
  const fn = OPERATOR_FUNCTIONS[name];
  return new Operator(name, (a: unknown, b: unknown) => {
    if (a === undefined || b === undefined) return false;
    try {
      return fn(a, b);
    } catch {
      return false;
    }
  });
}

/** Plain dotted paths instead of JSONPath: faster, and a missing key stays `undefined`. */
function pathResolver(value: object, path: string): unknown {
  return readPath(value, path.split('.'));
}

function toEngineCondition(c: NormalCondition): Record<string, unknown> {
  if ('all' in c) return { all: c.all.map(toEngineCondition) };
  if ('any' in c) return { any: c.any.map(toEngineCondition) };
  if ('not' in c) return { not: toEngineCondition(c.not) };
  if ('condition' in c) return { condition: c.condition };
  const leaf: Record<string, unknown> = { fact: c.fact, operator: c.operator, value: toEngineValue(c.value) };
  if (c.path.length) leaf.path = c.path.join('.');
  return leaf;
}

function toEngineValue(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'fact' in v) {
    const ref = v as { fact: string; path?: string[] };
    return ref.path && ref.path.length ? { fact: ref.fact, path: ref.path.join('.') } : { fact: ref.fact };
  }
  return v;
}

/** The top level of a json-rules-engine rule must be all/any/not/condition: wrap a bare leaf. */
function topLevel(c: NormalCondition): Record<string, unknown> {
  const e = toEngineCondition(c);
  return 'fact' in e ? { all: [e] } : e;
}

export interface BranchEngine {
  engine: Engine;
  /** Index in the branch list of each rule, in rule order. */
  indexes: number[];
  /** Branch index → its position in `indexes` (a later rule with the same index wins, as a Map.set did). */
  positions: ReadonlyMap<number, number>;
  conditions: NormalCondition[];
  named: ReadonlyMap<string, NormalCondition>;
}

/** Builds one engine for the conditional branches of one branch list; called once per compiled thread. */
export function buildBranchEngine(
  branches: { index: number; when: NormalCondition }[],
  named: ReadonlyMap<string, NormalCondition>,
): BranchEngine {
  const engine = new Engine([], { allowUndefinedFacts: false, allowUndefinedConditions: false, pathResolver, replaceFactsInEventParams: false });
  for (const name of Object.keys(OPERATOR_FUNCTIONS) as OperatorName[]) engine.addOperator(safeOperator(name));
  for (const [name, cond] of named) engine.setCondition(name, topLevel(cond) as never);
  for (const b of branches) {
    // One priority for all: every branch is evaluated, so the trace can show each one.
    const rule: RuleProperties = { conditions: topLevel(b.when) as never, event: { type: 'branch', params: { index: b.index } }, priority: 1, name: String(b.index) };
    engine.addRule(rule);
  }
  // Prime the prioritised rule cache on the shared engine, so per-run views only read it.
  (engine as unknown as { prioritizeRules(): unknown }).prioritizeRules();
  const indexes = branches.map((b) => b.index);
  return { engine, indexes, positions: new Map(indexes.map((index, i) => [index, i])), conditions: branches.map((b) => b.when), named };
}

export type ConditionTrace =
  | { kind: 'all' | 'any' | 'not'; name?: string; result: boolean; children: ConditionTrace[] }
  | { kind: 'condition'; condition: string; name?: string; result: boolean; child: ConditionTrace }
  | {
      kind: 'fact';
      name?: string;
      fact: string;
      path: string;
      operator: string;
      expected: unknown;
      /** The value seen; absent when the fact path is missing or the leaf was not evaluated. */
      actual?: unknown;
      result: boolean;
      /** false when json-rules-engine short-circuited before reaching this leaf. */
      evaluated: boolean;
      note?: string;
    };

export interface BranchRun {
  /** Result per rule, in `indexes` order. */
  results: boolean[];
  traces: (ConditionTrace | null)[];
  /** Set when the whole run was rejected; every branch then counts as false. */
  error?: string;
}

interface ResultNode {
  all?: ResultNode[];
  any?: ResultNode[];
  not?: ResultNode;
  result?: boolean;
  factResult?: unknown;
  valueResult?: unknown;
}

function traceNode(src: NormalCondition, res: ResultNode | undefined, named: ReadonlyMap<string, NormalCondition>): ConditionTrace {
  if ('condition' in src) {
    const target = named.get(src.condition);
    const child = target ? traceNode(target, res, named) : traceMissing();
    return { kind: 'condition', condition: src.condition, ...(src.name ? { name: src.name } : {}), result: child.result, child };
  }
  if ('all' in src || 'any' in src) {
    const kind = 'all' in src ? 'all' : 'any';
    const list = 'all' in src ? src.all : (src as { any: NormalCondition[] }).any;
    const resList = (res?.[kind] ?? []) as ResultNode[];
    const children = list.map((c, i) => traceNode(c, resList[i], named));
    const result = kind === 'all' ? children.every((c) => c.result) : children.some((c) => c.result);
    return { kind, ...(src.name ? { name: src.name } : {}), result, children };
  }
  if ('not' in src) {
    const child = traceNode(src.not, res?.not, named);
    return { kind: 'not', ...(src.name ? { name: src.name } : {}), result: !child.result, children: [child] };
  }
  return traceLeaf(src, res);
}

function traceMissing(): ConditionTrace {
  return { kind: 'fact', fact: '?', path: '', operator: '?', expected: null, result: false, evaluated: false, note: 'named condition not found' };
}

function traceLeaf(src: NormalLeaf, res: ResultNode | undefined): ConditionTrace {
  // Built as plain literals (no spreads): this runs for every leaf of every turn.
  const path = src.path.join('.');
  const expected = res !== undefined && res.valueResult !== undefined ? res.valueResult : src.value;
  let out: ConditionTrace;
  if (!res || res.result === undefined) {
    out = { kind: 'fact', fact: src.fact, path, operator: src.operator, expected, result: false, evaluated: false, note: 'not evaluated (short-circuited)' };
  } else if (res.factResult === undefined) {
    const note = `missing value: "${path ? `${src.fact}.${path}` : src.fact}" is not set, so the condition is false`;
    out = { kind: 'fact', fact: src.fact, path, operator: src.operator, expected, result: false, evaluated: true, note };
  } else {
    out = { kind: 'fact', fact: src.fact, path, operator: src.operator, expected, actual: res.factResult, result: res.result, evaluated: true };
    if (!res.result) {
      // Our operators swallow exceptions (false); run it again to tell "false" from "failed" in the trace.
      try {
        OPERATOR_FUNCTIONS[src.operator](res.factResult, res.valueResult);
      } catch (err) {
        out.note = `operator failed: ${(err as Error).message}`;
      }
    }
  }
  if (src.name) out.name = src.name;
  return out;
}

const NO_CACHE = { cache: false };

/**
 * The facts as json-rules-engine Facts that opt out of its fact cache: for every constant fact of every run it would
 * hash the fact's id and params (hash-it, ~10% of a run) into a cache entry that constants never read.
 */
function uncachedFacts(facts: Facts): Record<string, Fact> {
  const out: Record<string, Fact> = {};
  // for-in as json-rules-engine reads them: a snapshot may inherit facts from the one it was made from.
  for (const id in facts) out[id] = new Fact(id, facts[id], NO_CACHE);
  return out;
}

/**
 * Runs the branch rules with these facts. Each run uses its own `Object.create(engine)` view: the
 * engine keeps run status on itself, and overlapping runs on one engine silently skip rules.
 */
export async function runBranchEngine(be: BranchEngine, facts: Facts): Promise<BranchRun> {
  const view = Object.create(be.engine) as Engine;
  try {
    const out = await view.run(uncachedFacts(facts));
    // Rule results by branch index, read straight from both lists (no merged copy, no per-run Map).
    const found: ({ result: boolean; conditions: ResultNode } | undefined)[] = new Array(be.indexes.length);
    for (const list of [out.results, out.failureResults]) {
      for (const r of list) {
        const index = (r.event?.params as { index: number } | undefined)?.index;
        const at = index === undefined ? undefined : be.positions.get(index);
        if (at !== undefined) found[at] = { result: Boolean(r.result), conditions: r.conditions as unknown as ResultNode };
      }
    }
    const results: boolean[] = [];
    const traces: ConditionTrace[] = [];
    for (let i = 0; i < be.indexes.length; i++) {
      const r = found[i];
      const src = be.conditions[i]!;
      // Bare leaves were wrapped in `all` for the engine; unwrap the result to match the source.
      const node = r ? ('fact' in src ? r.conditions.all?.[0] : r.conditions) : undefined;
      const trace = r ? traceNode(src, node, be.named) : { ...traceNode(src, undefined, be.named), result: false };
      results.push(r ? r.result : false);
      traces.push(trace);
    }
    return { results, traces };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err ?? 'rule run rejected');
    return { results: be.indexes.map(() => false), traces: be.indexes.map(() => null), error: message };
  }
}

export type { Condition, LeafCondition };
