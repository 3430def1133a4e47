// Which graph nodes and edges a simulated turn went through, from its trace, for highlighting on the graph.
import type { TurnTrace } from '../../core/outputs.ts';
import type { Paint } from '../graph/GraphView.tsx';
import type { GraphEdge, ThreadGraph } from '../graph/model.ts';


export const NO_PAINT: Paint = { nodes: new Map(), edges: new Map() };

/** The graph edge for "step `to` was reached from `from`", preferring the branch the trace says won. */
export function edgeFor(graph: ThreadGraph, from: string, to: string, via: string, chosen?: number | null): GraphEdge | undefined {
  const out = graph.edges.filter((e) => e.from === from);
  if (via === 'on_fail') return out.find((e) => e.kind === 'on_fail' && e.to === to);
  const branches = out.filter((e) => e.kind !== 'on_fail');
  const winner = chosen !== undefined && chosen !== null ? branches[chosen] : undefined;
  return winner && winner.to === to ? winner : branches.find((e) => e.to === to);
}

/** The branch edges of a step in the order the thread lists them (the trace's branch index). */
export const branchEdgesOf = (graph: ThreadGraph, step: string): GraphEdge[] => graph.edges.filter((e) => e.from === step && e.kind !== 'on_fail');

export function paintTrace(graph: ThreadGraph, trace: TurnTrace | null): Paint {
  if (!trace) return NO_PAINT;
  const nodes = new Map<string, string>();
  const edges = new Map<string, string>();
  const chosenAt = new Map<string, number | null | undefined>();
  for (const h of trace.handlers) chosenAt.set(`on.${h.event}`, h.chosen);
  for (const s of trace.steps) {
    nodes.set(s.step, 'trace-passed');
    if (s.from) {
      if (s.from.startsWith('on.')) nodes.set(s.from, 'trace-passed');
      const e = edgeFor(graph, s.from, s.step, s.via, chosenAt.get(s.from));
      if (e) edges.set(e.id, 'trace-taken');
    }
    if (s.chosen !== undefined) chosenAt.set(s.step, s.chosen);
  }
  const last = trace.steps.at(-1);
  if (last) nodes.set(last.step, 'trace-passed trace-end');
  return { nodes, edges };
}
