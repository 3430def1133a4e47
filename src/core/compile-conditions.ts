// Compiling branch conditions: fact and operator checks, named conditions and their reference cycles.
import type { Problems } from './compile-problems.ts';
import { checkFactPath, splitFactPath } from './facts.ts';
import type { NormalCondition } from './rules-engine.ts';
import { OPERATORS, type Condition, type OperatorName, type ThreadDoc } from './thread.schema.ts';
import type { PathKey } from './zod-issues.ts';

const NUMERIC: ReadonlySet<string> = new Set(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);
const LIST: ReadonlySet<string> = new Set(['in', 'notIn']);

function isFactRef(v: unknown): v is { fact: string; path?: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { fact?: unknown }).fact === 'string';
}

export class ConditionCompiler {
  constructor(
    private readonly p: Problems,
    private readonly slots: ReadonlySet<string>,
    private readonly named: ReadonlySet<string>,
    private readonly lookups: ReadonlySet<string>,
  ) {}

  compile(c: Condition, at: PathKey[]): NormalCondition {
    if ('all' in c) return { all: c.all.map((x, i) => this.compile(x, [...at, 'all', i])), ...(c.name ? { name: c.name } : {}) };
    if ('any' in c) return { any: c.any.map((x, i) => this.compile(x, [...at, 'any', i])), ...(c.name ? { name: c.name } : {}) };
    if ('not' in c) return { not: this.compile(c.not, [...at, 'not']), ...(c.name ? { name: c.name } : {}) };
    if ('condition' in c) {
      if (!this.named.has(c.condition)) {
        this.p.add('condition_unknown', [...at, 'condition'], `no named condition "${c.condition}" in this thread's \`conditions\``);
      }
      return { condition: c.condition, ...(c.name ? { name: c.name } : {}) };
    }
    const { fact, path } = splitFactPath(c.fact, c.path);
    this.checkPath(fact, path, [...at, 'fact']);
    if (!(OPERATORS as readonly string[]).includes(c.operator)) {
      this.p.add('operator_unknown', [...at, 'operator'], `unknown operator "${c.operator}"; use one of: ${OPERATORS.join(', ')}`);
    }
    let value: unknown = c.value;
    if (isFactRef(c.value)) {
      const ref = splitFactPath(c.value.fact, c.value.path);
      this.checkPath(ref.fact, ref.path, [...at, 'value', 'fact']);
      value = { fact: ref.fact, path: ref.path };
    } else if (c.value === undefined) {
      this.p.add('operator_value_invalid', [...at, 'value'], 'a condition needs a `value`');
    } else if (LIST.has(c.operator) && !Array.isArray(c.value)) {
      this.p.add('operator_value_invalid', [...at, 'value'], `"${c.operator}" needs a list as value (json-rules-engine would do a substring match on a string)`);
    } else if (NUMERIC.has(c.operator) && (typeof c.value !== 'number' || !Number.isFinite(c.value))) {
      this.p.add('operator_value_invalid', [...at, 'value'], `"${c.operator}" needs a number as value`);
    }
    return { fact, path, operator: c.operator as OperatorName, value, ...(c.name ? { name: c.name } : {}) };
  }

  checkPath(fact: string, path: string[], at: PathKey[]): void {
    const check = checkFactPath(fact, path, this.slots, this.lookups);
    if (!check.ok) this.p.add(check.code, at, check.message);
  }
}

/** Compiles the thread's named `conditions`, after reporting the ones that refer to themselves. */
export function compileNamedConditions(doc: ThreadDoc, p: Problems, cc: ConditionCompiler): Map<string, NormalCondition> {
  const namedDocs = doc.conditions ?? {};
  for (const name of conditionCycles(namedDocs)) {
    p.add('condition_unknown', ['conditions', name], `named condition "${name}" refers to itself`);
  }
  const named = new Map<string, NormalCondition>();
  for (const [name, c] of Object.entries(namedDocs)) named.set(name, cc.compile(c, ['conditions', name]));
  return named;
}

/** Finds named conditions that refer to themselves through other named conditions. */
function conditionCycles(named: Record<string, Condition>): string[] {
  const refs = (c: Condition): string[] =>
    'all' in c ? c.all.flatMap(refs) : 'any' in c ? c.any.flatMap(refs) : 'not' in c ? refs(c.not) : 'condition' in c ? [c.condition] : [];
  const cyclic: string[] = [];
  for (const name of Object.keys(named)) {
    const seen = new Set<string>();
    const stack = refs(named[name]!);
    while (stack.length) {
      const n = stack.pop()!;
      if (n === name) {
        cyclic.push(name);
        break;
      }
      if (seen.has(n) || !named[n]) continue;
      seen.add(n);
      stack.push(...refs(named[n]));
    }
  }
  return cyclic;
}
