// The one rule for every string a client sends (bodies, path, query): no NUL, no lone surrogate; and bounds on JSON nesting and keys.

/** Deeper JSON than this is refused: no route needs it, and recursive code (zod, hashing, SQLite's JSON) breaks far below 5,000. */
export const MAX_JSON_DEPTH = 64;

/** Keys that change an object's prototype when code assigns them (`obj[key] = …`), as secure-json-parse refuses them. */
const PROTOTYPE_KEY = '__proto__';

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a client's string cannot be taken, or null. NUL cannot be stored in PostgreSQL text and ends C strings; a lone
 * surrogate is not Unicode and would be stored as U+FFFD (changed behind the client's back). Both stores refuse alike.
 */
export function stringProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL characters (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate (\\uD800-\\uDFFF without its pair); send valid Unicode';
  return null;
}

export interface InputProblem {
  field: string;
  message: string;
}

/** A field path as issues show it; a pathological path is cut, since the message must stay readable. */
function fieldName(path: readonly (string | number)[]): string {
  const text = path.map((p) => (typeof p === 'string' && p.length > 40 ? `${p.slice(0, 40)}…` : String(p))).join('.');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

interface Item {
  value: unknown;
  key: string | number;
  parent: Item | null;
  depth: number;
}

/** The path of an item, built only when a problem is found (each item keeps its parent, not a copy of its path). */
function pathOf(item: Item, ...more: string[]): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Item | null = item; at; at = at.parent) path.unshift(at.key);
  return [...path, ...more];
}

/**
 * The first problem in a parsed value under `root` (`body`, `params`, `querystring`): nesting past `maxDepth`, a
 * `__proto__` key (or `constructor.prototype`), or a string (key or value) that breaks the string rule. Iterative, so
 * a hostile depth cannot overflow the stack here.
 */
export function findInputProblem(value: unknown, root: string, maxDepth = MAX_JSON_DEPTH): InputProblem | null {
  const stack: Item[] = [{ value, key: root, parent: null, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      const problem = stringProblem(v);
      if (problem) return { field: fieldName(pathOf(item)), message: problem };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return { field: fieldName(pathOf(item)), message: `nests objects and arrays deeper than ${maxDepth} levels; send a flatter document` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: i, parent: item, depth });
      continue;
    }
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const child = (v as Record<string, unknown>)[key];
      if (key === PROTOTYPE_KEY) return { field: fieldName(pathOf(item, key)), message: 'the key "__proto__" is refused (it would change object prototypes); rename it' };
      if (key === 'constructor' && child !== null && typeof child === 'object' && Object.hasOwn(child, 'prototype')) {
        return { field: fieldName(pathOf(item, key, 'prototype')), message: 'the key "constructor.prototype" is refused (it would change object prototypes); rename it' };
      }
      const keyProblem = stringProblem(key);
      if (keyProblem) return { field: fieldName(pathOf(item, key)), message: `key ${keyProblem}` };
      stack.push({ value: child, key, parent: item, depth });
    }
  }
  return null;
}
