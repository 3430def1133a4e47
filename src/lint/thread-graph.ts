// The step graph of a compiled thread: every edge with its document path, and reachability from start.
import type { BranchSet, CompiledBranch, CompiledThread } from '../core/compile.ts';
import type { PathKey } from '../core/zod-issues.ts';

export interface Edge {
  /** A step id, or `on.<event>` for a handler. */
  from: string;
  to: string;
  kind: 'next' | 'on_fail' | 'handler';
  branch: CompiledBranch | null;
  /** Where the branch (or the onFail field) is written in the document. */
  at: PathKey[];
  /** true for a branch list written as a plain step id (`next: menu`). */
  shorthand: boolean;
}

function branchEdges(set: BranchSet, from: string, kind: Edge['kind'], base: PathKey[], shorthand: boolean): Edge[] {
  return set.branches.map((b) => ({ from, to: b.goto, kind, branch: b, at: shorthand ? base : [...base, b.index], shorthand }));
}

/** Every edge of the thread: `next` branches, ask `onFail`, and `on` handler branches. */
export function threadEdges(thread: CompiledThread): Edge[] {
  const edges: Edge[] = [];
  for (const [id, step] of thread.steps) {
    if (step.next) edges.push(...branchEdges(step.next, id, 'next', ['steps', id, 'next'], typeof thread.doc.steps[id]?.next === 'string'));
    if (step.ask?.onFail) edges.push({ from: id, to: step.ask.onFail, kind: 'on_fail', branch: null, at: ['steps', id, 'ask', 'onFail'], shorthand: false });
  }
  for (const [event, set] of Object.entries(thread.on)) {
    if (set) edges.push(...branchEdges(set, `on.${event}`, 'handler', ['on', event], typeof thread.doc.on?.[event as keyof typeof thread.doc.on] === 'string'));
  }
  return edges;
}

/** Steps reachable from the start step and from every handler target, following all edges. */
export function reachableSteps(thread: CompiledThread, edges: Edge[] = threadEdges(thread)): Set<string> {
  const seen = new Set<string>();
  const queue = [thread.start, ...edges.filter((e) => e.kind === 'handler').map((e) => e.to)];
  while (queue.length) {
    const id = queue.pop()!;
    if (seen.has(id) || !thread.steps.has(id)) continue;
    seen.add(id);
    for (const e of edges) if (e.from === id) queue.push(e.to);
  }
  return seen;
}

/** Strongly connected components (Tarjan) of a graph given as adjacency lists. */
export function stronglyConnected(nodes: string[], next: (n: string) => string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      out.push(comp.reverse());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return out;
}
