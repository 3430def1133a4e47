// What the compile stages share: the problem list, the thread's declared names, and the checks against them.
import { ConditionCompiler } from './compile-conditions.ts';
import type { Problems } from './compile-problems.ts';
import { checkFactPath } from './facts.ts';
import { parseTemplate, refsOf, type Template } from './template.ts';
import type { ThreadDoc } from './thread.schema.ts';
import type { PathKey } from './zod-issues.ts';

export function asArray<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function declaredSlots(doc: ThreadDoc): Set<string> {
  const slots = new Set<string>();
  for (const step of Object.values(doc.steps)) {
    if (step.ask) slots.add(step.ask.slot);
    for (const a of asArray(step.action)) if (a.type === 'set') for (const k of Object.keys(a.slots)) slots.add(k);
  }
  return slots;
}

/** The names a thread declares (slots, lookups, steps, named conditions), known before any part is compiled. */
export class CompileScope {
  readonly slots: Set<string>;
  readonly lookupNames: Set<string>;
  readonly stepIds: Set<string>;
  readonly conditions: ConditionCompiler;

  constructor(
    readonly doc: ThreadDoc,
    readonly p: Problems,
  ) {
    this.slots = declaredSlots(doc);
    this.lookupNames = new Set(Object.keys(doc.lookups ?? {}));
    this.stepIds = new Set(Object.keys(doc.steps));
    this.conditions = new ConditionCompiler(p, this.slots, new Set(Object.keys(doc.conditions ?? {})), this.lookupNames);
  }

  checkGoto(goto: string, at: PathKey[]): void {
    if (!this.stepIds.has(goto)) this.p.add('goto_step_unknown', at, `step "${goto}" does not exist; steps are: ${[...this.stepIds].join(', ')}`);
  }

  /** Parses a template and checks the facts it names; a broken one is reported and kept as plain text. */
  template(text: string, at: PathKey[]): Template {
    try {
      const t = parseTemplate(text);
      for (const part of t.parts) if (typeof part !== 'string') {
        for (const ref of refsOf(part)) {
          const check = checkFactPath(ref.fact, ref.path, this.slots, this.lookupNames);
          if (!check.ok) this.p.add(check.code === 'fact_unknown' ? 'template_fact_unknown' : check.code, at, `${part.source}: ${check.message}`);
        }
      }
      return t;
    } catch (err) {
      this.p.add('template_invalid', at, (err as Error).message);
      return { source: text, parts: [text] };
    }
  }
}
