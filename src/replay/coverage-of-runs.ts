// Coverage of a run of transcripts: the turns' traces counted per thread, since one run may touch several threads.
import type { ThreadCoverage } from './coverage-answer.ts';
import { threadCoverage } from './coverage.ts';
import { tracesOf, type TranscriptRun } from './run-transcript.ts';

export interface RunCoverage extends ThreadCoverage {
  /** The rules folder the thread came from (or the origin of given rules). */
  rules: string;
  /** How many transcripts ran on this thread. */
  transcripts: number;
}

/**
 * Groups the runs by the thread they ran, and counts every turn that ran, passed or not: coverage says what was
 * exercised, the report already says what failed. Two transcripts that load a thread of the same id from
 * different rules folders ran different threads, so they are counted apart (by source text).
 */
export function coverageOfRuns(runs: readonly TranscriptRun[]): RunCoverage[] {
  const groups = new Map<string, { runs: TranscriptRun[]; thread: NonNullable<TranscriptRun['thread']> }>();
  for (const run of runs) {
    if (!run.thread) continue;
    const key = `${run.thread.thread.id}\0${run.thread.source}`;
    const group = groups.get(key) ?? { runs: [], thread: run.thread };
    group.runs.push(run);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ runs: rs, thread }) => ({ ...threadCoverage(thread.thread, thread.source, rs.flatMap((r) => tracesOf(r.result))), rules: thread.rules, transcripts: rs.length }))
    .sort((a, b) => a.threadId.localeCompare(b.threadId) || a.rules.localeCompare(b.rules));
}
