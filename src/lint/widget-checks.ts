// Lint checks about a widget and the thread it runs: actions that cannot work on this widget.
import type { CompiledThread } from '../core/compile.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';
import { outcomes, type Named } from './conditions.ts';
import type { Edge } from './thread-graph.ts';
import { finding, type Finding, type Locator, type Place } from './types.ts';

/** Steps reachable on this widget: branches that cannot hold for its onboarding type are not followed. */
export function reachableOnWidget(thread: CompiledThread, widget: CompiledWidget, edges: Edge[], named: Named): Set<string> {
  const fixed = new Map<string, unknown>([
    ['onboarding.type', widget.onboarding],
    ['widget.onboarding', widget.onboarding],
    ['widget.transcript', widget.features.transcript],
    ['widget.rating', widget.features.rating],
  ]);
  const taken = (list: Edge[]): Edge[] => {
    const out: Edge[] = [];
    for (const e of list) {
      if (!e.branch?.when) {
        out.push(e);
        break;
      }
      const o = outcomes(e.branch.when, { named, fixed });
      if (o.neverTrue) continue;
      out.push(e);
      if (o.alwaysTrue) break;
    }
    return out;
  };
  const from = (id: string) => [...taken(edges.filter((e) => e.from === id && e.kind !== 'on_fail')), ...edges.filter((e) => e.from === id && e.kind === 'on_fail')];
  const handlerTargets = Object.keys(thread.on).flatMap((ev) => taken(edges.filter((e) => e.from === `on.${ev}`)).map((e) => e.to));
  const seen = new Set<string>();
  const queue = [thread.start, ...handlerTargets];
  while (queue.length) {
    const id = queue.pop()!;
    if (seen.has(id) || !thread.steps.has(id)) continue;
    seen.add(id);
    queue.push(...from(id).map((e) => e.to));
  }
  return seen;
}

export function widgetFindings(thread: CompiledThread, widget: CompiledWidget, edges: Edge[], named: Named, widgetPlace: Place, threadLocate: Locator | null): Finding[] {
  const out: Finding[] = [];
  const reach = reachableOnWidget(thread, widget, edges, named);
  const where = (id: string) => {
    const pos = threadLocate?.(['steps', id]);
    return `${thread.file ?? `thread ${thread.id}`}${pos ? `:${pos.line}` : ''}`;
  };
  for (const id of reach) {
    const step = thread.steps.get(id)!;
    if ((widget.onboarding === 'none' || widget.onboarding === 'code') && step.actions.some((a) => a.type === 'request_form')) {
      out.push(finding('form_not_offered', `widget "${widget.id}" (onboarding ${widget.onboarding}) can reach step "${id}" (${where(id)}), which offers the form; a form submitted there is refused with form_not_offered`, widgetPlace, ['onboarding']));
    }
    if (!widget.loginUrl && step.actions.some((a) => a.type === 'request_login' && !a.url)) {
      out.push(finding('login_url_missing', `widget "${widget.id}" has no loginUrl and step "${id}" (${where(id)}) asks to sign in without a url: the request_login output carries url null`, widgetPlace, ['id']));
    }
  }
  return out;
}
