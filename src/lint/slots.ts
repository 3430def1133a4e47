// Which slots are set on every path to a step (a must-set dataflow), and the values a slot can take.
import type { CompiledThread } from '../core/compile.ts';
import { MISSING } from './conditions.ts';
import type { Edge } from './thread-graph.ts';

/** Slots a step sets when entered (set actions) and, once answered, its ask slot. */
function setsOnEntry(thread: CompiledThread, id: string): string[] {
  const step = thread.steps.get(id);
  return step ? step.actions.flatMap((a) => (a.type === 'set' ? Object.keys(a.slots) : [])) : [];
}

/**
 * For each step, the slots that are certainly set when its `next` is evaluated. Handler targets start
 * from nothing: a handler can fire before any answer, and `clear_user` forgets every slot.
 */
export function slotsSetAtNext(thread: CompiledThread, edges: Edge[]): Map<string, Set<string>> {
  const all = new Set(thread.slots);
  const entry = new Map<string, Set<string>>();
  const roots = new Set([thread.start, ...edges.filter((e) => e.kind === 'handler').map((e) => e.to)]);
  for (const id of thread.steps.keys()) entry.set(id, roots.has(id) ? new Set() : new Set(all));
  const atNext = (id: string): Set<string> => {
    const s = new Set([...entry.get(id)!, ...setsOnEntry(thread, id)]);
    const ask = thread.steps.get(id)?.ask;
    if (ask) s.add(ask.slot);
    return s;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of edges) {
      if (e.kind === 'handler' || !entry.has(e.to) || !entry.has(e.from)) continue;
      // onFail leaves without a valid answer: the ask's slot is not set by it.
      const out = e.kind === 'on_fail' ? new Set([...entry.get(e.from)!, ...setsOnEntry(thread, e.from)]) : atNext(e.from);
      const target = entry.get(e.to)!;
      for (const s of [...target]) if (!out.has(s)) {
        target.delete(s);
        changed = true;
      }
    }
  }
  return new Map([...thread.steps.keys()].map((id) => [id, atNext(id)]));
}

/** Finite value sets of slots filled only by choice or yes/no asks (never by `set`); MISSING when it may be unset. */
export function slotDomains(thread: CompiledThread, certainlySet: ReadonlySet<string>): Map<string, unknown[]> {
  const values = new Map<string, unknown[] | null>();
  for (const step of thread.steps.values()) {
    for (const a of step.actions) if (a.type === 'set') for (const k of Object.keys(a.slots)) values.set(k, null);
    const ask = step.ask;
    if (!ask || values.get(ask.slot) === null) continue;
    const v = ask.type === 'choice' ? ask.choices.map((c) => c.id) : ask.type === 'yes_no' ? [true, false] : null;
    values.set(ask.slot, v && values.has(ask.slot) ? [...new Set([...values.get(ask.slot)!, ...v])] : v);
  }
  const out = new Map<string, unknown[]>();
  for (const [slot, v] of values) if (v) out.set(`slots.${slot}`, certainlySet.has(slot) ? v : [...v, MISSING]);
  return out;
}
