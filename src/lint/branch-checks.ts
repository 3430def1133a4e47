// Lint checks about branch lists: branches that can never win, conditions that never hold, missing defaults.
import type { CompiledThread } from '../core/compile.ts';
import { conditionKey, conditionText, outcomes, type EvalContext } from './conditions.ts';
import type { Edge } from './thread-graph.ts';
import { finding, type Finding, type Place } from './types.ts';

/** Groups edges by their branch list (a step's next, or a handler). */
function branchLists(edges: Edge[]): Edge[][] {
  const lists = new Map<string, Edge[]>();
  for (const e of edges) if (e.kind !== 'on_fail') lists.set(e.from, [...(lists.get(e.from) ?? []), e]);
  return [...lists.values()];
}

const whereText = (e: Edge) => (e.kind === 'handler' ? `handler ${e.from}` : `step "${e.from}"`);

/** `ctxFor(owner)` gives the evaluation context of a list (slot domains depend on where it is evaluated). */
export function branchFindings(thread: CompiledThread, edges: Edge[], place: Place, ctxFor: (from: string) => EvalContext): Finding[] {
  const out: Finding[] = [];
  for (const list of branchLists(edges)) {
    const from = list[0]!.from;
    const ctx = ctxFor(from);
    let alwaysBefore: Edge | null = null;
    const seen = new Map<string, Edge>();
    for (const e of list) {
      const b = e.branch!;
      const label = `branch ${b.index}${b.name ? ` ("${b.name}")` : ''} of ${whereText(e)}`;
      if (alwaysBefore) {
        const a = alwaysBefore.branch!;
        out.push(finding('branch_shadowed', `${label} is never taken: branch ${a.index} before it (\`${conditionText(a.when!)}\`) always holds`, place, e.at));
        continue;
      }
      if (!b.when) continue;
      const key = conditionKey(b.when, ctx.named);
      const dup = seen.get(key);
      if (dup) {
        out.push(finding('branch_shadowed', `${label} is never taken: branch ${dup.branch!.index} before it has the same condition (\`${conditionText(b.when)}\`)`, place, e.at));
        continue;
      }
      seen.set(key, e);
      const o = outcomes(b.when, ctx);
      if (o.alwaysTrue) alwaysBefore = e;
      else if (o.neverTrue) out.push(finding('condition_never_holds', `${label}: \`${conditionText(b.when)}\` can never hold, so the branch is never taken`, place, e.shorthand ? e.at : [...e.at, 'when']));
    }
    const last = list.at(-1)!;
    if (list[0]!.kind === 'next' && last.branch!.when && !alwaysBefore) {
      const any = { any: list.map((e) => e.branch!.when!) };
      if (!outcomes(any, ctx).alwaysTrue) {
        out.push(finding('no_default_branch', `${whereText(last)}: no default branch (one without \`when\`); when no branch holds the thread stays at "${from}" (no_branch_matched)`, place, ['steps', from, 'next']));
      }
    }
  }
  return out;
}
