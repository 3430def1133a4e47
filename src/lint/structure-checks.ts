// Lint checks about the step graph: unreachable steps, dead ends, and loops that never wait for the customer.
import type { CompiledThread } from '../core/compile.ts';
import { finding, type Finding, type Place } from './types.ts';
import { reachableSteps, stronglyConnected, type Edge } from './thread-graph.ts';

const STOPS_OR_WAITS = new Set(['handoff', 'reroute', 'end', 'request_login', 'request_form']);

export function unreachableSteps(thread: CompiledThread, edges: Edge[], place: Place): Finding[] {
  const reach = reachableSteps(thread, edges);
  return [...thread.steps.keys()]
    .filter((id) => !reach.has(id))
    .map((id) => finding('step_unreachable', `step "${id}" is never entered: no path from the start step "${thread.start}", an onFail or an \`on\` handler leads to it`, place, ['steps', id]));
}

export function deadEnds(thread: CompiledThread, place: Place): Finding[] {
  const out: Finding[] = [];
  for (const [id, step] of thread.steps) {
    if (step.ask || step.next || step.actions.some((a) => STOPS_OR_WAITS.has(a.type))) continue;
    out.push(
      finding(
        'dead_end',
        `step "${id}" has no ask, no next and no handoff, reroute, end, request_login or request_form: the thread stops there with nothing for the customer to do`,
        place,
        ['steps', id],
      ),
    );
  }
  return out;
}

/**
 * Cycles through `next` among steps that do not ask: each turn entering them runs until loop_limit.
 * A cycle every step of which must stay in the cycle (a default branch, all targets inside) is an
 * error; one with a conditional way out is a warning.
 */
export function loopsWithoutAsk(thread: CompiledThread, edges: Edge[], place: Place): Finding[] {
  const auto = edges.filter((e) => e.kind === 'next' && thread.steps.has(e.from) && !thread.steps.get(e.from)!.ask);
  const succ = (n: string) => auto.filter((e) => e.from === n).map((e) => e.to);
  const out: Finding[] = [];
  for (const comp of stronglyConnected([...thread.steps.keys()], succ)) {
    const inside = new Set(comp);
    const cyclic = comp.length > 1 || succ(comp[0]!).includes(comp[0]!);
    if (!cyclic) continue;
    const certain = comp.every((id) => {
      const branches = thread.steps.get(id)!.next?.branches ?? [];
      return branches.length > 0 && branches.at(-1)!.when === null && branches.every((b) => inside.has(b.goto));
    });
    const path = [...comp, comp[0]].join(' -> ');
    const first = comp[0]!;
    out.push(
      certain
        ? finding('loop_without_ask', `steps ${path} loop through \`next\` and none of them asks: a run enters them until it stops with loop_limit after ${thread.maxAutoSteps} steps`, place, ['steps', first, 'next'])
        : finding('loop_may_not_wait', `steps ${path} can loop through \`next\` without an ask; unless a branch leaves the loop, the run stops with loop_limit after ${thread.maxAutoSteps} steps`, place, ['steps', first, 'next']),
    );
  }
  return out;
}
