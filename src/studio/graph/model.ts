// The step graph of a thread file as the studio draws it: nodes styled by kind, next/default/onFail/handler edges with short labels.
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';

export type NodeKind = 'say' | 'ask' | 'route' | 'lookup' | 'generate' | 'handoff' | 'request_login' | 'request_form' | 'end' | 'tag' | 'set' | 'handler';
export type EdgeKind = 'next' | 'default' | 'on_fail' | 'handler';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  /** The first line under the id: what the step does, e.g. "ask · yes_no → slots.more". */
  detail: string;
  /** A short preview of what the step says or asks. */
  text: string;
  start: boolean;
  /** 1-based line of the step's key in the file, for "show in editor". */
  line: number;
  /** The step as written in the file (its key and body), shown when the node is selected. */
  yaml: string;
}

export interface GraphEdge {
  id: string;
  from: string;
  to: string;
  kind: EdgeKind;
  /** Shown on the edge; empty for a plain `next: step`. */
  label: string;
  /** The whole condition, for the tooltip. */
  title: string;
}

export interface ThreadGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Targets that are not steps (a typo in goto): drawn as missing nodes so the author sees them. */
  missing: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const OPS: Record<string, string> = {
  equal: '=',
  notEqual: '≠',
  lessThan: '<',
  lessThanInclusive: '≤',
  greaterThan: '>',
  greaterThanInclusive: '≥',
  in: 'in',
  notIn: 'not in',
  contains: 'contains',
  doesNotContain: 'lacks',
};

function shortValue(v: unknown): string {
  if (Array.isArray(v)) return v.length <= 3 ? `[${v.map(shortValue).join(', ')}]` : `[${v.slice(0, 2).map(shortValue).join(', ')}, …+${v.length - 2}]`;
  if (isObj(v) && typeof v.fact === 'string') return v.fact;
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? 'null';
}

/** A condition in a few words: a named condition by its name, a leaf as `fact op value`, groups joined by and/or. */
export function shortCondition(c: unknown): string {
  if (!isObj(c)) return '?';
  if (typeof c.condition === 'string') return c.condition;
  if (Array.isArray(c.all)) return c.all.map((x) => wrap(shortCondition(x), x)).join(' and ');
  if (Array.isArray(c.any)) return c.any.map((x) => wrap(shortCondition(x), x)).join(' or ');
  if (c.not !== undefined) return `not ${wrap(shortCondition(c.not), c.not)}`;
  if (typeof c.fact === 'string') {
    const fact = typeof c.path === 'string' ? `${c.fact}.${c.path.replace(/^\$\./, '')}` : c.fact;
    return `${fact} ${OPS[String(c.operator)] ?? String(c.operator)} ${shortValue(c.value)}`;
  }
  return '?';
}
const wrap = (s: string, c: unknown) => (isObj(c) && (Array.isArray(c.all) || Array.isArray(c.any)) ? `(${s})` : s);

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const ACTION_KINDS = new Set(['handoff', 'request_login', 'request_form', 'end', 'tag', 'set']);
// When a step does several things, the one that matters most for the conversation decides its colour.
const ACTION_RANK = ['handoff', 'end', 'request_login', 'request_form', 'set', 'tag'];

function stepKind(step: Obj, actions: Obj[]): NodeKind {
  const types = actions.map((a) => String(a.type)).filter((t) => ACTION_KINDS.has(t));
  const top = ACTION_RANK.find((t) => types.includes(t));
  if (top && top !== 'set' && top !== 'tag') return top as NodeKind;
  if (isObj(step.ask)) return 'ask';
  if (typeof step.lookup === 'string') return 'lookup';
  if (isObj(step.generate)) return 'generate';
  if (top) return top as NodeKind;
  if (step.say !== undefined) return 'say';
  return 'route';
}

function actionDetail(a: Obj): string {
  switch (a.type) {
    case 'handoff':
      return `handoff → ${String(a.queue ?? 'queue')}`;
    case 'end':
      return a.reason ? `end (${String(a.reason)})` : 'end';
    case 'tag':
      return `tag ${Array.isArray(a.tags) ? a.tags.join(', ') : ''}`;
    case 'set':
      return `set ${isObj(a.slots) ? Object.keys(a.slots).join(', ') : ''}`;
    default:
      return String(a.type);
  }
}

function stepDetail(step: Obj, actions: Obj[]): string {
  const parts: string[] = [];
  if (step.say !== undefined) parts.push('say');
  if (isObj(step.ask)) parts.push(`ask ${String(step.ask.type ?? '?')} → ${String(step.ask.slot ?? '?')}`);
  if (typeof step.lookup === 'string') parts.push(`lookup ${step.lookup}`);
  if (isObj(step.generate)) parts.push('generate');
  for (const a of actions) parts.push(actionDetail(a));
  return parts.join(' · ') || 'route';
}

function stepText(step: Obj): string {
  const ask = isObj(step.ask) ? step.ask : null;
  const say = Array.isArray(step.say) ? step.say[0] : step.say;
  const text = ask && typeof ask.prompt === 'string' ? ask.prompt : typeof say === 'string' ? say : isObj(step.generate) ? String(step.generate.instructions ?? '') : '';
  return clip(text.replace(/\s+/g, ' ').trim(), 60);
}

/**
 * Edges of one `next` (or handler) value: a plain id, or ordered branches where the one without `when` is the default.
 * An edge's id is `<from>><index in the list>`, the branch index traces and coverage name, so it stays put when
 * another step changes.
 */
function branchEdges(value: unknown, from: string, handler: boolean, out: GraphEdge[]) {
  if (typeof value === 'string') {
    out.push({ id: `${from}>0`, from, to: value, kind: handler ? 'handler' : 'next', label: '', title: handler ? `on ${from.slice(3)}` : 'next' });
    return;
  }
  if (!Array.isArray(value)) return;
  for (const [index, b] of value.entries()) {
    if (!isObj(b) || typeof b.goto !== 'string') continue;
    const name = typeof b.name === 'string' ? b.name : null;
    const isDefault = b.when === undefined;
    const cond = isDefault ? 'otherwise' : shortCondition(b.when);
    const label = clip(name ?? (isDefault ? 'otherwise' : cond), 34);
    out.push({
      id: `${from}>${index}`,
      from,
      to: b.goto,
      kind: handler ? 'handler' : isDefault ? 'default' : 'next',
      label,
      title: isDefault ? `${name ? `${name}: ` : ''}default branch (taken when no branch above holds)` : `${name ? `${name}: ` : ''}${cond}`,
    });
  }
}

/** Text and line of each step's entry in the file, from the YAML document's source ranges. */
function stepSources(text: string): Map<string, { line: number; yaml: string }> {
  const out = new Map<string, { line: number; yaml: string }>();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const root = doc.contents;
  if (!isMap(root)) return out;
  const steps = root.items.find((p) => isScalar(p.key) && p.key.value === 'steps')?.value;
  if (!isMap(steps)) return out;
  for (const pair of steps.items) {
    const key = pair.key as YamlNode | null;
    const value = pair.value as YamlNode | null;
    if (!isScalar(key) || !key.range) continue;
    const start = key.range[0];
    const end = value?.range?.[1] ?? key.range[1];
    // From the start of the key's line, so the indentation reads as in the file.
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const body = text.slice(lineStart, end).replace(/\s+$/, '');
    const indent = start - lineStart;
    out.set(String(key.value), { line: lines.linePos(start).line, yaml: body.split('\n').map((l) => l.slice(Math.min(indent, l.length - l.trimStart().length))).join('\n') });
  }
  return out;
}

export type ParseResult = { ok: true; graph: ThreadGraph; doc: Obj } | { ok: false; error: string; line?: number };

/** Parses a thread file (as much as parses) into its graph; a YAML syntax error answers ok: false with its line. */
export function threadGraph(text: string): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    return { ok: false, error: e.message.split('\n')[0] ?? 'YAML error', line: lines.linePos(e.pos[0]).line };
  }
  const data = doc.toJS({ maxAliasCount: 50 }) as unknown;
  if (!isObj(data) || !isObj(data.steps)) return { ok: false, error: 'the file has no `steps:` map yet' };
  const sources = stepSources(text);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  for (const [id, raw] of Object.entries(data.steps)) {
    const step = isObj(raw) ? raw : {};
    const actions = (Array.isArray(step.action) ? step.action : step.action !== undefined ? [step.action] : []).filter(isObj);
    const src = sources.get(id);
    nodes.push({ id, kind: stepKind(step, actions), detail: clip(stepDetail(step, actions), 48), text: stepText(step), start: data.start === id, line: src?.line ?? 1, yaml: src?.yaml ?? '' });
    branchEdges(step.next, id, false, edges);
    if (isObj(step.ask) && typeof step.ask.onFail === 'string') {
      const tries = typeof step.ask.maxAttempts === 'number' ? step.ask.maxAttempts : 3;
      edges.push({ id: `${id}>fail`, from: id, to: step.ask.onFail, kind: 'on_fail', label: `after ${tries} invalid answers`, title: `onFail: after ${tries} invalid answers` });
    }
  }
  if (isObj(data.on)) {
    for (const [event, value] of Object.entries(data.on)) {
      const id = `on.${event}`;
      nodes.push({ id, kind: 'handler', detail: 'handler', text: `when the customer ${HANDLER_TEXT[event] ?? event}`, start: false, line: 1, yaml: '' });
      branchEdges(value, id, true, edges);
    }
  }
  const known = new Set(nodes.map((n) => n.id));
  const missing = [...new Set(edges.map((e) => e.to).filter((t) => !known.has(t)))];
  return { ok: true, graph: { nodes, edges, missing }, doc: data };
}

const HANDLER_TEXT: Record<string, string> = {
  authenticated: 'authenticates (valid token)',
  identified: 'is identified (setUser / form)',
  cleared: 'logs out (clear_user)',
  conflict: 'signs in as someone else',
  token_rejected: "sends a token that fails",
  message: 'writes while nothing waits',
};
