// The thread linter: runs every lint check over a compiled thread (and the widgets that run it).
import type { CompiledThread } from '../core/compile.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';
import { deadEnds, loopsWithoutAsk, unreachableSteps } from './structure-checks.ts';
import { branchFindings } from './branch-checks.ts';
import { missingFactFindings } from './missing-fact-checks.ts';
import { widgetFindings } from './widget-checks.ts';
import { namedConditions } from './conditions.ts';
import { slotDomains, slotsSetAtNext } from './slots.ts';
import { threadEdges } from './thread-graph.ts';
import type { Finding, Locator } from './types.ts';

export { LINT_CODES, formatFinding, type Finding, type LintCode, type Locator, type Severity } from './types.ts';

const NOTHING: ReadonlySet<string> = new Set();

/** Lints one thread; `locate` (from parseSource) puts line and column on each finding. */
export function lintThread(thread: CompiledThread, locate: Locator | null = null): Finding[] {
  const place = { file: thread.file ?? `thread ${thread.id}`, locate };
  const edges = threadEdges(thread);
  const named = namedConditions(thread);
  const setAt = slotsSetAtNext(thread, edges);
  // Handlers can fire before any answer, so no slot is certainly set there.
  const setSlotsAt = (from: string) => (from.startsWith('on.') ? NOTHING : (setAt.get(from) ?? NOTHING));
  return sortFindings([
    ...unreachableSteps(thread, edges, place),
    ...deadEnds(thread, place),
    ...loopsWithoutAsk(thread, edges, place),
    ...branchFindings(thread, edges, place, (from) => ({ named, domains: slotDomains(thread, setSlotsAt(from)) })),
    ...missingFactFindings(thread, edges, place, named, setSlotsAt),
  ]);
}

/** Lints a widget against the thread it runs. */
export function lintWidget(widget: CompiledWidget, thread: CompiledThread, widgetLocate: Locator | null = null, threadLocate: Locator | null = null): Finding[] {
  const place = { file: widget.file ?? `widget ${widget.id}`, locate: widgetLocate };
  return sortFindings(widgetFindings(thread, widget, threadEdges(thread), namedConditions(thread), place, threadLocate));
}

export function sortFindings(list: Finding[]): Finding[] {
  return [...list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}
