// Readable coverage for the terminal: per thread a summary line and each branch no transcript took.
import type { CoverageBranch } from './coverage-answer.ts';
import { meetsCoverage } from './coverage.ts';
import type { RunCoverage } from './coverage-of-runs.ts';

/** Tenths of a percent, rounded down, so 199 of 200 never shows as 100%. */
export const formatPercent = (c: Pick<RunCoverage, 'total' | 'covered'>): string =>
  `${c.total === 0 ? 100 : Math.floor((c.covered * 1000) / c.total) / 10}%`;

/** What an author finds the branch by: its name and place in the list, or onFail. */
export function describeBranch(b: CoverageBranch): string {
  if (b.kind === 'on_fail') return 'onFail';
  const which = b.name !== null ? `"${b.name}", #${b.index}` : `#${b.index}`;
  return b.kind === 'default' ? `default branch ${which}` : `branch ${which}`;
}

/** A thread's name in the report; the rules folder is added when two threads of one id ran. */
export function threadLabel(c: RunCoverage, all: readonly RunCoverage[]): string {
  return all.filter((o) => o.threadId === c.threadId).length > 1 ? `${c.threadId} (${c.rules})` : c.threadId;
}

export function formatCoverage(list: readonly RunCoverage[]): string {
  if (list.length === 0) return 'coverage: no transcript ran a thread';
  const lines: string[] = [];
  for (const c of list) {
    lines.push(`${threadLabel(c, list)}: ${c.covered}/${c.total} branches covered (${formatPercent(c)})`);
    for (const b of c.branches) if (b.hits === 0) lines.push(`  ${b.step} → ${b.to}  (${describeBranch(b)})`);
  }
  return lines.join('\n');
}

/** The line that says a thread is under `min` percent, with both numbers. */
export const belowMinimumLine = (c: RunCoverage, all: readonly RunCoverage[], min: number): string =>
  `coverage of thread "${threadLabel(c, all)}" is ${formatPercent(c)} (${c.covered}/${c.total} branches), under --min-coverage ${min}%`;

export const belowMinimum = (list: readonly RunCoverage[], min: number): RunCoverage[] => list.filter((c) => !meetsCoverage(c, min));
