// Renders a compiled thread as a Mermaid flowchart: steps, branches labelled by condition, onFail and handlers.
import type { CompiledStep, CompiledThread } from '../core/compile.ts';
import { conditionText } from '../lint/conditions.ts';
import { threadEdges, type Edge } from '../lint/thread-graph.ts';

const MAX_SAY = 40;

/** Mermaid ids: prefixed, because step ids such as `end` or `graph` are Mermaid keywords. */
export const stepNode = (id: string) => `s_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
const handlerNode = (from: string) => `h_${from.slice(3)}`;

/** Quoted Mermaid text: entity codes for the characters that end or break a label. */
export function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\n/g, ' ');
}

const short = (s: string) => (s.length > MAX_SAY ? `${s.slice(0, MAX_SAY - 1)}…` : s);

/** The lines of a step's box: its id, then what it says, asks and does. */
export function stepSummary(step: CompiledStep): string[] {
  const lines = [step.id];
  if (step.say[0]) lines.push(`say: ${short(step.say[0].source)}${step.say.length > 1 ? ` (+${step.say.length - 1})` : ''}`);
  if (step.ask) lines.push(`ask ${step.ask.slot} (${step.ask.type}${step.ask.choices.length ? `: ${step.ask.choices.map((c) => c.id).join(', ')}` : ''})`);
  for (const a of step.actions) {
    const detail = a.type === 'handoff' || a.type === 'reroute' ? ` ${a.queue}` : a.type === 'end' ? (a.reason ? ` ${a.reason}` : '') : a.type === 'tag' ? ` ${a.tags.join(', ')}` : a.type === 'set' ? ` ${Object.keys(a.slots).join(', ')}` : '';
    lines.push(`${a.type}${detail}`);
  }
  return lines;
}

/** The label of an edge: the condition (and branch name), `else` for a default branch, none for `next: x`. */
export function edgeLabel(e: Edge, thread: CompiledThread): string | null {
  if (e.kind === 'on_fail') return `onFail: ${thread.steps.get(e.from)?.ask?.maxAttempts ?? 3} invalid answers`;
  const b = e.branch!;
  if (!b.when) return e.shorthand ? null : b.name ? `else: ${b.name}` : 'else';
  const cond = conditionText(b.when);
  return b.name ? `${b.name}: ${cond}` : cond;
}

function shape(step: CompiledStep, text: string): string {
  if (step.terminal) return `(["${text}"])`;
  if (step.ask) return `[/"${text}"/]`;
  return `["${text}"]`;
}

export function threadToMermaid(thread: CompiledThread): string {
  const out = [`%% thread ${thread.id}${thread.title ? `: ${thread.title}` : ''}`, 'flowchart TD'];
  out.push('  start(("start"))');
  for (const step of thread.steps.values()) out.push(`  ${stepNode(step.id)}${shape(step, stepSummary(step).map(mermaidText).join('<br/>'))}`);
  for (const event of Object.keys(thread.on)) out.push(`  ${handlerNode(`on.${event}`)}{{"on ${event}"}}`);
  out.push(`  start --> ${stepNode(thread.start)}`);
  for (const e of threadEdges(thread)) {
    const label = edgeLabel(e, thread);
    const from = e.kind === 'handler' ? handlerNode(e.from) : stepNode(e.from);
    const arrow = e.kind === 'next' ? '-->' : '-.->';
    out.push(`  ${from} ${arrow}${label ? `|"${mermaidText(label)}"|` : ''} ${stepNode(e.to)}`);
  }
  out.push('  classDef handler fill:#fff3cd,stroke:#b8860b');
  if (Object.keys(thread.on).length) out.push(`  class ${Object.keys(thread.on).map((ev) => handlerNode(`on.${ev}`)).join(',')} handler`);
  return `${out.join('\n')}\n`;
}
