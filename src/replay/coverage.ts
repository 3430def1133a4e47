// Branch coverage (pure): every edge of a compiled thread, with the ids the studio's graph gives them, and how often traces took each.
import { parseDocument } from 'yaml';
import type { CompiledBranch, CompiledThread } from '../core/compile.ts';
import type { TurnTrace } from '../core/outputs.ts';
import { HANDLER_EVENTS, type HandlerEvent } from '../core/thread.schema.ts';
import type { CoverageBranch, ThreadCoverage } from './coverage-answer.ts';

export type { BranchKind, CoverageBranch, ThreadCoverage } from './coverage-answer.ts';

export type ThreadBranch = Omit<CoverageBranch, 'hits'>;

/**
 * The `on` handlers in file order. The compiled document lists them in schema order (zod rebuilds the object),
 * but the studio numbers its edges in file order, so the order comes from the source text.
 */
export function handlerOrder(thread: CompiledThread, source: string): HandlerEvent[] {
  const present = HANDLER_EVENTS.filter((e) => thread.on[e]);
  let inFile: string[] = [];
  try {
    const on = (parseDocument(source).toJS({ maxAliasCount: 100 }) as { on?: unknown } | null)?.on;
    if (on && typeof on === 'object') inFile = Object.keys(on);
  } catch {
    // The thread compiled from this source, so this cannot fail; schema order is the fallback all the same.
  }
  const ordered = inFile.filter((e): e is HandlerEvent => present.includes(e as HandlerEvent));
  return [...ordered, ...present.filter((e) => !ordered.includes(e))];
}

/**
 * Every edge an author sees in the graph, in the order src/studio/graph/model.ts builds them: per step (file
 * order) its `next` branches then its onFail edge, then per handler its branches. An edge's id is
 * `<step>><branch index>` (`<step>>fail` for onFail), as the studio's ids are.
 */
export function threadBranches(thread: CompiledThread, source: string): ThreadBranch[] {
  const out: ThreadBranch[] = [];
  const add = (from: string, branches: CompiledBranch[], plain: boolean, handler: boolean) => {
    for (const b of branches) {
      const kind = handler ? 'handler' : plain ? 'next' : b.when === null ? 'default' : 'next';
      out.push({ id: `${from}>${b.index}`, step: from, index: b.index, name: b.name ?? null, to: b.goto, kind });
    }
  };
  for (const [id, step] of thread.steps) {
    if (step.next) add(id, step.next.branches, typeof thread.doc.steps[id]?.next === 'string', false);
    if (step.ask?.onFail) out.push({ id: `${id}>fail`, step: id, index: null, name: null, to: step.ask.onFail, kind: 'on_fail' });
  }
  for (const event of handlerOrder(thread, source)) {
    const set = thread.on[event]!;
    add(`on.${event}`, set.branches, typeof thread.doc.on?.[event] === 'string', true);
  }
  return out;
}

/** How often the traces took each branch: a step's chosen branch, an onFail entry, a handler's chosen branch. */
export function countHits(branches: readonly ThreadBranch[], traces: Iterable<TurnTrace>): CoverageBranch[] {
  const byOwner = new Map<string, string>();
  for (const b of branches) byOwner.set(b.index === null ? `${b.step}>fail` : `${b.step}#${b.index}`, b.id);
  const hits = new Map<string, number>();
  const hit = (key: string) => {
    const id = byOwner.get(key);
    if (id !== undefined) hits.set(id, (hits.get(id) ?? 0) + 1);
  };
  for (const t of traces) {
    for (const s of t.steps) {
      if (s.branches && s.chosen !== null && s.chosen !== undefined) hit(`${s.step}#${s.chosen}`);
      if (s.via === 'on_fail' && s.from) hit(`${s.from}>fail`);
    }
    // `event` names the handler that ran; a conflict without a winning branch falls back to authenticated, listed as its own entry.
    for (const h of t.handlers) if (h.chosen !== null) hit(`on.${h.event}#${h.chosen}`);
  }
  return branches.map((b) => ({ ...b, hits: hits.get(b.id) ?? 0 }));
}

/** The coverage of one thread by a set of turn traces (of conversations on that thread). */
export function threadCoverage(thread: CompiledThread, source: string, traces: Iterable<TurnTrace>): ThreadCoverage {
  const branches = countHits(threadBranches(thread, source), traces);
  return { threadId: thread.id, total: branches.length, covered: branches.filter((b) => b.hits > 0).length, branches };
}

/** Covered share in percent; a thread without branches has nothing left to cover. */
export const coveragePercent = (c: Pick<ThreadCoverage, 'total' | 'covered'>): number => (c.total === 0 ? 100 : (c.covered * 100) / c.total);

/** Whether the coverage reaches `min` percent, compared without rounding (2 of 3 is under 66.7). */
export const meetsCoverage = (c: Pick<ThreadCoverage, 'total' | 'covered'>, min: number): boolean => c.total === 0 || c.covered * 100 >= min * c.total;
