// compile(threadDoc): validates a thread, resolves its references and builds its rule engines once.
import { ThreadgateError, type ErrorCode, type ErrorIssue } from './errors.ts';
import {
  HANDLER_EVENTS,
  OPERATORS,
  ThreadSchema,
  type Action,
  type Ask,
  type Condition,
  type HandlerEvent,
  type Next,
  type OperatorName,
  type ThreadDoc,
} from './thread.schema.ts';
import { checkFactPath, splitFactPath } from './facts.ts';
import { buildBranchEngine, type BranchEngine, type NormalCondition } from './rules-engine.ts';
import { parseTemplate, type Template } from './template.ts';
import { issueAt, zodIssues, type IssueContext, type PathKey } from './zod-issues.ts';
import { compileIntent, unsafePatternReason, type CompiledIntent } from './intents.ts';
import { LOOKUP_DEFAULTS, urlTemplateProblem, type CompiledLookup } from './lookup.ts';
import type { CompiledGenerate } from './generate.ts';

export interface CompiledBranch {
  index: number;
  name?: string;
  goto: string;
  when: NormalCondition | null;
}

/** An ordered branch list (a step's `next` or an `on` handler): the first branch that holds wins. */
export interface BranchSet {
  owner: string;
  branches: CompiledBranch[];
  engine: BranchEngine | null;
}

export type CompiledAction =
  | { type: 'handoff'; queue: string; note: Template | null }
  | { type: 'request_login'; text: Template | null; url: string | null }
  | { type: 'request_form'; text: Template | null }
  | { type: 'end'; reason: string | null }
  | { type: 'tag'; tags: string[] }
  | { type: 'set'; slots: Record<string, string | number | boolean | null | Template> };

export interface CompiledChoice {
  id: string;
  label: string;
  synonyms: string[];
}

export interface CompiledAsk {
  slot: string;
  type: Ask['type'];
  prompt: Template | null;
  error: Template | null;
  choices: CompiledChoice[];
  maxAttempts: number;
  onFail: string | null;
  maxLength: number;
  defaultCountry: string | null;
}

export interface CompiledStep {
  id: string;
  say: Template[];
  actions: CompiledAction[];
  ask: CompiledAsk | null;
  /** A reply for the runtime's model to compose, said after `say`. */
  generate: CompiledGenerate | null;
  /** A declared lookup to wait for, after the actions. */
  lookup: string | null;
  next: BranchSet | null;
  /** A step with handoff or end stops the thread there. */
  terminal: boolean;
}

export interface CompiledThread {
  id: string;
  title: string | null;
  start: string;
  steps: ReadonlyMap<string, CompiledStep>;
  on: Partial<Record<HandlerEvent, BranchSet>>;
  maxAutoSteps: number;
  slots: ReadonlySet<string>;
  /** The built-in intent matchers, in file order. */
  intents: CompiledIntent[];
  lookups: ReadonlyMap<string, CompiledLookup>;
  doc: ThreadDoc;
  file: string | null;
}

export interface CompileOptions extends IssueContext {}

export const DEFAULT_MAX_AUTO_STEPS = 50;
const NUMERIC: ReadonlySet<string> = new Set(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);
const LIST: ReadonlySet<string> = new Set(['in', 'notIn']);

/** Collects problems instead of stopping at the first, so an author sees them all at once. */
class Problems {
  readonly list: ErrorIssue[] = [];
  constructor(private readonly ctx: IssueContext) {}
  add(code: ErrorCode, path: readonly PathKey[], message: string): void {
    this.list.push(issueAt(code, path, message, this.ctx));
  }
}

function declaredSlots(doc: ThreadDoc): Set<string> {
  const slots = new Set<string>();
  for (const step of Object.values(doc.steps)) {
    if (step.ask) slots.add(step.ask.slot);
    for (const a of asArray(step.action)) if (a.type === 'set') for (const k of Object.keys(a.slots)) slots.add(k);
  }
  return slots;
}

function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function isFactRef(v: unknown): v is { fact: string; path?: string } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { fact?: unknown }).fact === 'string';
}

class ConditionCompiler {
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

/** Validates a thread document (parsed YAML or JSON) and compiles it; throws ThreadgateError with every problem. */
export function compile(input: unknown, opts: CompileOptions = {}): CompiledThread {
  const idGuess = typeof input === 'object' && input !== null && typeof (input as { id?: unknown }).id === 'string' ? (input as { id: string }).id : undefined;
  const ctx: IssueContext = { ...opts, ...(idGuess ? { id: idGuess } : {}) };
  const parsed = ThreadSchema.safeParse(input);
  if (!parsed.success) throw ThreadgateError.fromIssues(zodIssues(parsed.error, ctx));
  const doc = parsed.data;
  const p = new Problems(ctx);
  const slots = declaredSlots(doc);
  const namedDocs = doc.conditions ?? {};
  const lookupNames = new Set(Object.keys(doc.lookups ?? {}));
  const cc = new ConditionCompiler(p, slots, new Set(Object.keys(namedDocs)), lookupNames);

  for (const name of conditionCycles(namedDocs)) {
    p.add('condition_unknown', ['conditions', name], `named condition "${name}" refers to itself`);
  }
  const named = new Map<string, NormalCondition>();
  for (const [name, c] of Object.entries(namedDocs)) named.set(name, cc.compile(c, ['conditions', name]));

  const stepIds = new Set(Object.keys(doc.steps));
  if (!stepIds.has(doc.start)) p.add('start_step_unknown', ['start'], `start step "${doc.start}" is not among the steps (${[...stepIds].join(', ')})`);
  const checkGoto = (goto: string, at: PathKey[]) => {
    if (!stepIds.has(goto)) p.add('goto_step_unknown', at, `step "${goto}" does not exist; steps are: ${[...stepIds].join(', ')}`);
  };
  const template = (text: string, at: PathKey[]): Template => {
    try {
      const t = parseTemplate(text);
      for (const part of t.parts) if (typeof part !== 'string') {
        const check = checkFactPath(part.fact, part.path, slots, lookupNames);
        if (!check.ok) p.add(check.code === 'fact_unknown' ? 'template_fact_unknown' : check.code, at, `${part.source}: ${check.message}`);
      }
      return t;
    } catch (err) {
      p.add('template_invalid', at, (err as Error).message);
      return { source: text, parts: [text] };
    }
  };

  const branchSet = (next: Next, owner: string, at: PathKey[]): BranchSet => {
    const list = typeof next === 'string' ? [{ goto: next }] : next;
    const branches: CompiledBranch[] = list.map((b, index) => {
      const bAt = typeof next === 'string' ? at : [...at, index];
      checkGoto(b.goto, typeof next === 'string' ? at : [...bAt, 'goto']);
      if (!('when' in b) || b.when === undefined) {
        if (index !== list.length - 1) p.add('default_branch_not_last', bAt, 'a branch without `when` is the default and must be the last one');
        return { index, goto: b.goto, when: null, ...('name' in b && b.name ? { name: b.name } : {}) };
      }
      return { index, goto: b.goto, when: cc.compile(b.when, [...bAt, 'when']), ...(b.name ? { name: b.name } : {}) };
    });
    return { owner, branches, engine: null };
  };

  const intents: CompiledIntent[] = [];
  for (const [name, m] of Object.entries(doc.intents ?? {})) {
    if (!m.keywords?.length && !m.phrases?.length && !m.patterns?.length) p.add('schema_invalid', ['intents', name], 'an intent needs `keywords`, `phrases` or `patterns`');
    const unsafe = (m.patterns ?? []).map((src, i) => {
      const reason = unsafePatternReason(src);
      if (reason) p.add('intent_pattern_unsafe', ['intents', name, 'patterns', i], `pattern ${JSON.stringify(src)} refused: ${reason}`);
      return reason;
    });
    if (!unsafe.some(Boolean)) intents.push(compileIntent(name, m));
  }

  const lookups = new Map<string, CompiledLookup>();
  for (const [name, l] of Object.entries(doc.lookups ?? {})) {
    const at: PathKey[] = ['lookups', name];
    const url = template(l.url, [...at, 'url']);
    const urlProblem = urlTemplateProblem(url);
    if (urlProblem) p.add('schema_invalid', [...at, 'url'], urlProblem);
    lookups.set(name, {
      name,
      url,
      method: l.method ?? 'GET',
      body: l.body ? Object.fromEntries(Object.entries(l.body).map(([k, v]) => [k, template(v, [...at, 'body', k])])) : null,
      timeoutMs: l.timeoutMs ?? LOOKUP_DEFAULTS.timeoutMs,
      retries: l.retries ?? LOOKUP_DEFAULTS.retries,
      maxBytes: l.maxBytes ?? LOOKUP_DEFAULTS.maxBytes,
      trustedOnly: l.trustedOnly ?? true,
      response: l.response ?? null,
    });
  }

  const steps = new Map<string, CompiledStep>();
  for (const [id, step] of Object.entries(doc.steps)) {
    const at: PathKey[] = ['steps', id];
    const actions = asArray(step.action).map((a, i) => compileAction(a, Array.isArray(step.action) ? [...at, 'action', i] : [...at, 'action'], template));
    const terminal = actions.some((a) => a.type === 'handoff' || a.type === 'end');
    if (terminal && (step.ask || step.next)) {
      p.add('schema_invalid', [...at, step.ask ? 'ask' : 'next'], 'a step that hands off or ends stops the thread, so it cannot also ask or have `next`');
    }
    if (step.lookup !== undefined) {
      if (!lookupNames.has(step.lookup)) p.add('lookup_unknown', [...at, 'lookup'], `lookup "${step.lookup}" is not declared in this thread's \`lookups\` (declared: ${[...lookupNames].join(', ') || 'none'})`);
      if (step.ask || terminal) p.add('schema_invalid', [...at, 'lookup'], 'a step that waits for a lookup cannot also ask, hand off or end');
    }
    let generate: CompiledGenerate | null = null;
    if (step.generate) {
      const g = step.generate;
      for (const [i, path] of (g.facts ?? []).entries()) {
        const split = splitFactPath(path);
        const check = checkFactPath(split.fact, split.path, slots, lookupNames);
        if (!check.ok) p.add(check.code, [...at, 'generate', 'facts', i], check.message);
      }
      generate = { instructions: template(g.instructions, [...at, 'generate', 'instructions']), facts: g.facts ?? [], avoid: g.avoid ?? [] };
    }
    let ask: CompiledAsk | null = null;
    if (step.ask) {
      const a = step.ask;
      if (a.onFail) checkGoto(a.onFail, [...at, 'ask', 'onFail']);
      ask = {
        slot: a.slot,
        type: a.type,
        prompt: a.prompt ? template(a.prompt, [...at, 'ask', 'prompt']) : null,
        error: a.error ? template(a.error, [...at, 'ask', 'error']) : null,
        choices: (a.choices ?? []).map((c) => (typeof c === 'string' ? { id: c, label: c, synonyms: [] } : { id: c.id, label: c.label, synonyms: c.synonyms ?? [] })),
        maxAttempts: a.maxAttempts ?? 3,
        onFail: a.onFail ?? null,
        maxLength: a.maxLength ?? 1000,
        defaultCountry: a.defaultCountry ?? null,
      };
    }
    steps.set(id, {
      id,
      say: asArray(step.say).map((s, i) => template(s, Array.isArray(step.say) ? [...at, 'say', i] : [...at, 'say'])),
      actions,
      ask,
      generate,
      lookup: step.lookup ?? null,
      next: step.next ? branchSet(step.next, `steps.${id}.next`, [...at, 'next']) : null,
      terminal,
    });
  }
  const on: Partial<Record<HandlerEvent, BranchSet>> = {};
  for (const ev of HANDLER_EVENTS) {
    const n = doc.on?.[ev];
    if (n) on[ev] = branchSet(n, `on.${ev}`, ['on', ev]);
  }

  if (p.list.length) throw ThreadgateError.fromIssues(p.list);

  // Engines are built only once the whole thread is known to be valid.
  const withEngine = (set: BranchSet): BranchSet => {
    const conditional = set.branches.filter((b): b is CompiledBranch & { when: NormalCondition } => b.when !== null);
    return { ...set, engine: conditional.length ? buildBranchEngine(conditional, named) : null };
  };
  for (const [id, step] of steps) if (step.next) steps.set(id, { ...step, next: withEngine(step.next) });
  for (const ev of HANDLER_EVENTS) if (on[ev]) on[ev] = withEngine(on[ev]);

  return {
    id: doc.id,
    title: doc.title ?? null,
    start: doc.start,
    steps,
    on,
    maxAutoSteps: doc.limits?.maxAutoSteps ?? DEFAULT_MAX_AUTO_STEPS,
    slots,
    intents,
    lookups,
    doc,
    file: opts.file ?? null,
  };
}

function compileAction(a: Action, at: PathKey[], template: (text: string, at: PathKey[]) => Template): CompiledAction {
  switch (a.type) {
    case 'handoff':
      return { type: 'handoff', queue: a.queue, note: a.note ? template(a.note, [...at, 'note']) : null };
    case 'request_login':
      return { type: 'request_login', text: a.text ? template(a.text, [...at, 'text']) : null, url: a.url ?? null };
    case 'request_form':
      return { type: 'request_form', text: a.text ? template(a.text, [...at, 'text']) : null };
    case 'end':
      return { type: 'end', reason: a.reason ?? null };
    case 'tag':
      return { type: 'tag', tags: a.tags };
    case 'set':
      return {
        type: 'set',
        slots: Object.fromEntries(
          Object.entries(a.slots).map(([k, v]) => [k, typeof v === 'string' ? template(v, [...at, 'slots', k]) : v]),
        ),
      };
  }
}
