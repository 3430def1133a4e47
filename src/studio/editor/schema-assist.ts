// Completion and hover for thread YAML, driven by the thread JSON Schema (keys, enums, descriptions) and the file itself (step ids, facts, conditions).
import type { CompletionContext, CompletionResult, Completion } from '@codemirror/autocomplete';
import { hoverTooltip, type Tooltip } from '@codemirror/view';
import type { EditorState } from '@codemirror/state';
import threadSchema from '../../../docs/schema/thread.schema.json';

type Schema = { [k: string]: unknown };
const isObj = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the current file declares, from its last successful parse: offered where the schema only says "a string". */
export interface FileFacts {
  steps: string[];
  conditions: string[];
  slots: string[];
  lookups: string[];
}

const CATALOGUE = __TG_CATALOGUE__;
const ACTION_TYPES = ['handoff', 'request_login', 'request_form', 'end', 'tag', 'set'];

/** Every fact path the compiler accepts, from the server's catalogue; open subtrees end in a dot (any key below). */
export function factPaths(file: FileFacts): { label: string; open: boolean }[] {
  const out: { label: string; open: boolean }[] = [];
  const walk = (prefix: string, spec: PathSpec) => {
    if (spec === 'leaf') out.push({ label: prefix, open: false });
    else if (spec === 'open') out.push({ label: prefix, open: true });
    else {
      out.push({ label: prefix, open: false });
      for (const [k, v] of Object.entries(spec)) walk(`${prefix}.${k}`, v);
    }
  };
  for (const [k, v] of Object.entries(CATALOGUE.facts)) {
    if (k === 'slots') for (const s of file.slots) out.push({ label: `slots.${s}`, open: false });
    else if (k === 'lookup') for (const l of file.lookups) for (const f of ['status', 'error', 'data']) out.push({ label: `lookup.${l}.${f}`, open: f === 'data' });
    else walk(k, v);
  }
  return out;
}

// ---- the JSON Schema, walked by YAML path -------------------------------------------------------------------

function deref(s: unknown): Schema[] {
  if (!isObj(s)) return [];
  if (typeof s.$ref === 'string') {
    const name = s.$ref.replace('#/$defs/', '');
    return deref((threadSchema as { $defs: Record<string, unknown> }).$defs[name]);
  }
  const variants = [...((s.anyOf as unknown[]) ?? []), ...((s.oneOf as unknown[]) ?? []), ...((s.allOf as unknown[]) ?? [])];
  return variants.length ? [s, ...variants.flatMap(deref)] : [s];
}

/** The schemas that may describe the value at `path` (sequence items are stepped into transparently). */
function schemasAt(path: string[]): Schema[] {
  let current = deref(threadSchema);
  for (const key of path) {
    const next: Schema[] = [];
    for (const s of current) {
      const into = (x: unknown) => next.push(...deref(x));
      const props = s.properties as Schema | undefined;
      if (props && key in props) into(props[key]);
      else if (isObj(s.additionalProperties)) into(s.additionalProperties);
      if (isObj(s.items)) {
        for (const item of deref(s.items)) {
          const p = item.properties as Schema | undefined;
          if (p && key in p) into(p[key]);
        }
      }
    }
    current = next;
  }
  return current;
}

function keysAt(path: string[]): Completion[] {
  const seen = new Map<string, Completion>();
  for (const s of schemasAt(path)) {
    const bags = [s.properties, ...(isObj(s.items) ? deref(s.items).map((i) => i.properties) : [])];
    for (const bag of bags) {
      if (!isObj(bag)) continue;
      for (const [k, v] of Object.entries(bag)) if (!seen.has(k)) seen.set(k, { label: k, type: 'property', apply: `${k}: `, info: describe([v]) ?? undefined });
    }
  }
  return [...seen.values()];
}

function describe(schemas: unknown[]): string | null {
  for (const s of schemas.flatMap(deref)) if (typeof s.description === 'string') return s.description;
  return null;
}

function enumsAt(path: string[]): string[] {
  const out = new Set<string>();
  for (const s of schemasAt(path)) {
    if (Array.isArray(s.enum)) for (const e of s.enum) if (typeof e === 'string') out.add(e);
    if (typeof s.const === 'string') out.add(s.const);
  }
  return [...out];
}

// ---- where the cursor is, from indentation ---------------------------------------------------------------

const KEY_LINE = /^(\s*)(?:-\s+)*([A-Za-z_][\w-]*)\s*:/;

/** The block keys above a line with smaller indentation: ['steps', 'greet', 'next'] for a branch under greet. */
export function ancestorsOf(state: EditorState, lineNo: number, indent: number): string[] {
  const out: string[] = [];
  let limit = indent;
  for (let n = lineNo - 1; n >= 1 && limit > 0; n--) {
    const text = state.doc.line(n).text;
    if (!text.trim() || text.trim().startsWith('#')) continue;
    const m = KEY_LINE.exec(text);
    if (!m) continue;
    // The key's own column: for `- name: x` it is after the dash.
    const col = text.indexOf(m[2]!, m[1]!.length);
    if (col < limit) {
      out.unshift(m[2]!);
      limit = col;
    }
  }
  return out;
}

export function threadCompletion(file: () => FileFacts) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    const f = file();
    // A value: the nearest `key:` before the cursor on this line, block or flow style.
    const value = /(?:^|[\s{,-])([A-Za-z_][\w-]*):\s*([\w.$-]*)$/.exec(before);
    if (value) {
      const key = value[1]!;
      const from = ctx.pos - value[2]!.length;
      const flowParent = /([A-Za-z_][\w-]*):\s*\{[^}]*$/.exec(before)?.[1];
      const keyCol = before.lastIndexOf(`${key}:`);
      const parents = flowParent && flowParent !== key ? [...ancestorsOf(ctx.state, line.number, keyCol), flowParent] : ancestorsOf(ctx.state, line.number, keyCol);
      const options = valueOptions(key, parents, f);
      if (!options.length) return null;
      return { from, options, validFor: /^[\w.$-]*$/ };
    }
    // A key at the start of a line (or after `- `).
    const key = /^(\s*)(?:-\s+)?([\w-]*)$/.exec(before);
    if (key && (ctx.explicit || key[2]!.length > 0)) {
      const col = before.length - key[2]!.length;
      const parents = ancestorsOf(ctx.state, line.number, col);
      if (parents.length === 1 && parents[0] === 'steps') return null; // a new step id: the author's to choose
      const options = keysAt(parents);
      return options.length ? { from: ctx.pos - key[2]!.length, options, validFor: /^[\w-]*$/ } : null;
    }
    return null;
  };
}

function valueOptions(key: string, parents: string[], f: FileFacts): Completion[] {
  const list = (labels: string[], type: string, detail?: string): Completion[] => labels.map((label) => ({ label, type, ...(detail ? { detail } : {}) }));
  const parent = parents[parents.length - 1];
  if (key === 'goto' || key === 'onFail' || key === 'start' || (key === 'next' && parent !== undefined) || (parents[0] === 'on' && parents.length === 1)) return list(f.steps, 'variable', 'step');
  if (key === 'fact') return factPaths(f).map((p) => ({ label: p.label, type: 'property', detail: p.open ? 'fact (any key below)' : 'fact' }));
  if (key === 'operator') return list(CATALOGUE.operators, 'keyword', 'operator');
  if (key === 'condition') return list(f.conditions, 'variable', 'named condition');
  if (key === 'lookup' && parents[0] === 'steps') return list(f.lookups, 'variable', 'lookup');
  if (key === 'type' && parents.includes('action')) return list(ACTION_TYPES, 'keyword', 'action');
  if (key === 'type' && parents.includes('ask')) return list(CATALOGUE.slotTypes, 'keyword', 'input type');
  const enums = enumsAt([...parents, key]);
  return list(enums, 'keyword');
}

/** Hover on a key: the schema's description of that field (and, on a fact, what kind of fact it is). */
export const threadHover = hoverTooltip((view, pos): Tooltip | null => {
  const line = view.state.doc.lineAt(pos);
  const text = line.text;
  const at = pos - line.from;
  const word = /[A-Za-z_][\w-]*/g;
  let m: RegExpExecArray | null;
  while ((m = word.exec(text))) {
    if (at < m.index || at > m.index + m[0].length) continue;
    if (text[m.index + m[0].length] !== ':') return null;
    const parents = ancestorsOf(view.state, line.number, m.index);
    const flowParent = /([A-Za-z_][\w-]*):\s*\{[^}]*$/.exec(text.slice(0, m.index))?.[1];
    const path = [...parents, ...(flowParent ? [flowParent] : []), m[0]];
    const info = describe(schemasAt(path));
    if (!info) return null;
    return {
      pos: line.from + m.index,
      end: line.from + m.index + m[0].length,
      above: true,
      create: () => {
        const dom = document.createElement('div');
        dom.className = 'cm-schema-hover';
        dom.textContent = `${path.join('.')}: ${info}`;
        return { dom };
      },
    };
  }
  return null;
});
