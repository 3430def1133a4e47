// Choosing among a branch set's branches: the rule engine run, its trace, and following a step's `next`.
import type { BranchSet } from './compile.ts';
import type { Facts } from './facts.ts';
import type { BranchTrace, StepTrace } from './outputs.ts';
import { runBranchEngine } from './rules-engine.ts';
import type { Turn } from './turn.ts';

export interface Choice {
  goto: string | null;
  index: number | null;
  trace: BranchTrace[];
}

/**
 * Evaluates an ordered branch list: every conditional branch runs, the first that holds wins. `facts` is a
 * snapshot the caller knows is still the current state (built afresh when absent).
 */
export async function choose(t: Turn, set: BranchSet, facts?: Facts): Promise<Choice> {
  const run = set.engine ? await runBranchEngine(set.engine, facts ?? t.facts()) : null;
  const trace: BranchTrace[] = [];
  let winner: { goto: string; index: number } | null = null;
  let k = 0;
  for (const b of set.branches) {
    let result: boolean;
    const bt: BranchTrace = { index: b.index, goto: b.goto, default: b.when === null, result: false };
    if (b.name) bt.name = b.name;
    if (b.when === null) {
      result = winner === null;
    } else {
      result = run?.results[k] ?? false;
      bt.condition = run?.traces[k] ?? null;
      if (run?.error) bt.error = `condition could not be evaluated: ${run.error}`;
      k += 1;
    }
    bt.result = result;
    trace.push(bt);
    if (result && winner === null) winner = { goto: b.goto, index: b.index };
  }
  return { goto: winner?.goto ?? null, index: winner?.index ?? null, trace };
}

/**
 * Chooses the branch of step `stepId` to follow and records it on the step's trace; returns the step to
 * enter next, or null (with a notice) when nothing matched and the thread waits there.
 * `after` names what the step just received ("the answer", "the lookup result"), for the notice.
 */
export async function followBranches(t: Turn, stepId: string, set: BranchSet, trace: StepTrace, after?: string, facts?: Facts): Promise<string | null> {
  const choice = await choose(t, set, facts);
  trace.branches = choice.trace;
  trace.chosen = choice.index;
  if (choice.goto === null) {
    t.notice('no_branch_matched', `No branch of step "${stepId}" matched${after ? ` ${after}` : ''} and it has no default; the thread waits here.`, { step: stepId });
  }
  return choice.goto;
}
