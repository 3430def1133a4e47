// Message templates: `{{fact.path}}`, `{{fact.path or other.path}}` and `{{… | fallback}}`, parsed once, rendered HTML-escaped.
import { readPath, splitFactPath, type Facts } from './facts.ts';

/** A fact a placeholder reads. */
export interface FactRef {
  fact: string;
  path: string[];
}

/**
 * A placeholder: its first fact (`fact`, `path`), the facts tried after it when that one is missing (`or`, in
 * order), then the literal fallback.
 */
export type TemplatePart = string | (FactRef & { or: FactRef[]; fallback: string; source: string });
export interface Template {
  source: string;
  parts: TemplatePart[];
}

const PLACEHOLDER = /\{\{\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;

/** Parses a template; throws a plain Error with a readable message on a malformed placeholder. */
export function parseTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of source.matchAll(PLACEHOLDER)) {
    const [whole, expr = '', rawFallback] = m;
    if (m.index > last) parts.push(source.slice(last, m.index));
    // `or` between paths: the first that has a value is shown (a fact path never holds spaces, so this is unambiguous).
    const exprs = expr.split(/\s+or\s+/);
    for (const e of exprs) {
      if (!/^[A-Za-z][\w-]*(\.[\w-]+)*$/.test(e)) {
        throw new Error(`placeholder "${whole}" must name a fact path such as {{profile.firstName}}, or several joined by \`or\` ({{auth.firstName or profile.firstName}})`);
      }
    }
    const [first, ...rest] = exprs.map((e) => splitFactPath(e));
    parts.push({ ...first!, or: rest, fallback: unquote(rawFallback ?? ''), source: whole });
    last = m.index + whole.length;
  }
  if (last < source.length) parts.push(source.slice(last));
  const leftover = parts.filter((p): p is string => typeof p === 'string').join('');
  if (leftover.includes('{{') || leftover.includes('}}')) {
    throw new Error('unbalanced "{{" or "}}" in template');
  }
  return { source, parts };
}

function unquote(text: string): string {
  const m = /^"(.*)"$|^'(.*)'$/.exec(text);
  return m ? (m[1] ?? m[2] ?? '') : text;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes the five HTML-significant characters, so customer-supplied values cannot inject markup. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function show(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (Array.isArray(value)) return value.length ? value.map((v) => show(v) ?? '').join(', ') : null;
  if (typeof value === 'object') return null;
  return String(value);
}

/** Every fact a placeholder may read, first to last: what compile-time checks and trust scoping look at. */
export const refsOf = (part: FactRef & { or: FactRef[] }): FactRef[] => [part, ...part.or];

/**
 * Renders a template: values are escaped; a missing or empty value shows the next `or` fact's, else the fallback (also escaped).
 * `escape: false` is for values stored in slots, which are escaped when they are shown, not before;
 * a function replaces the escaping (lookup URLs encode their values with encodeURIComponent).
 */
export function renderTemplate(t: Template, facts: Facts, opts: { escape?: boolean | ((s: string) => string) } = {}): string {
  const esc = typeof opts.escape === 'function' ? opts.escape : opts.escape === false ? (s: string) => s : escapeHtml;
  let out = '';
  for (const part of t.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    let value: string | null = null;
    for (const ref of refsOf(part)) if ((value = show(readPath(facts[ref.fact], ref.path))) !== null) break;
    out += esc(value ?? part.fallback);
  }
  return out;
}
