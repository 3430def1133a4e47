// Compiling branch sets (a step's `next`, the `on` handlers) and building their rule engines.
import type { CompileScope } from './compile-scope.ts';
import type { BranchSet, CompiledBranch, CompiledStep } from './compiled-thread.ts';
import { buildBranchEngine, type NormalCondition } from './rules-engine.ts';
import { HANDLER_EVENTS, type HandlerEvent, type Next } from './thread.schema.ts';
import type { PathKey } from './zod-issues.ts';

/** Compiles an ordered branch list; its engine is built later, once the whole thread is valid. */
export function compileBranchSet(s: CompileScope, next: Next, owner: string, at: PathKey[]): BranchSet {
  const list = typeof next === 'string' ? [{ goto: next }] : next;
  const branches: CompiledBranch[] = list.map((b, index) => {
    const bAt = typeof next === 'string' ? at : [...at, index];
    s.checkGoto(b.goto, typeof next === 'string' ? at : [...bAt, 'goto']);
    if (!('when' in b) || b.when === undefined) {
      if (index !== list.length - 1) s.p.add('default_branch_not_last', bAt, 'a branch without `when` is the default and must be the last one');
      return { index, goto: b.goto, when: null, ...('name' in b && b.name ? { name: b.name } : {}) };
    }
    return { index, goto: b.goto, when: s.conditions.compile(b.when, [...bAt, 'when']), ...(b.name ? { name: b.name } : {}) };
  });
  return { owner, branches, engine: null };
}

/** Compiles the thread-level `on` handlers, one branch set per handler event. */
export function compileHandlers(s: CompileScope): Partial<Record<HandlerEvent, BranchSet>> {
  const on: Partial<Record<HandlerEvent, BranchSet>> = {};
  for (const ev of HANDLER_EVENTS) {
    const n = s.doc.on?.[ev];
    if (n) on[ev] = compileBranchSet(s, n, `on.${ev}`, ['on', ev]);
  }
  return on;
}

/** Builds one engine per branch set with conditions, once per compiled thread (never per turn). */
export function attachEngines(steps: Map<string, CompiledStep>, on: Partial<Record<HandlerEvent, BranchSet>>, named: ReadonlyMap<string, NormalCondition>): void {
  const withEngine = (set: BranchSet): BranchSet => {
    const conditional = set.branches.filter((b): b is CompiledBranch & { when: NormalCondition } => b.when !== null);
    return { ...set, engine: conditional.length ? buildBranchEngine(conditional, named) : null };
  };
  for (const [id, step] of steps) if (step.next) steps.set(id, { ...step, next: withEngine(step.next) });
  for (const ev of HANDLER_EVENTS) if (on[ev]) on[ev] = withEngine(on[ev]);
}
