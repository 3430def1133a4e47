// The built-in intent matcher (keywords, phrases, bounded patterns) and the compile-time check that keeps patterns linear.
import type { IntentMatcherDoc } from './thread.schema.ts';

export const MAX_PATTERN_LENGTH = 200;
/** Patterns only ever see this much of a message, so even a polynomial pattern has a small bound. */
export const PATTERN_INPUT_LIMIT = 2000;
/** Measured: two overlapping unbounded quantifiers (`\\s*\\s*x`) take over a second on 2,000 characters; one takes a few ms. */
export const MAX_UNBOUNDED_QUANTIFIERS = 1;
/** Bounded quantifiers multiply the ways to split a text too (`a?a?a?…` is exponential): their ranges' product is capped. */
export const MAX_BOUNDED_COMBINATIONS = 1000;

export interface CompiledIntent {
  name: string;
  keywords: string[];
  phrases: string[];
  patterns: RegExp[];
}

export interface IntentMatch {
  name: string;
  confidence: number;
  /** Which matcher fired: `keyword:<word>`, `phrase:<phrase>` or `pattern:<index>`. */
  matcher: string;
}

/**
 * Why a pattern could backtrack catastrophically (or is not a valid pattern), or null when it is safe.
 * Conservative by design: a quantified group may hold neither a quantifier nor an alternation, since
 * telling `(a|b)+` from `(a|aa)+` needs real automata theory; authors can use keywords or phrases instead.
 */
export function unsafePatternReason(src: string): string | null {
  if (src.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(src, 'iu');
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`;
  }
  if (/\\[1-9]|\\k</.test(src)) return 'backreferences are not allowed';
  if (/\(\?<?[=!]/.test(src)) return 'lookahead and lookbehind are not allowed';
  // Each open group records whether it holds a quantifier or an alternation.
  const groups: { risky: boolean }[] = [];
  let lastGroupRisky = false;
  let unbounded = 0;
  let combinations = 1;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    let atomEnd = false;
    if (c === '\\') {
      i += 1;
      atomEnd = true;
      lastGroupRisky = false;
    } else if (c === '[') {
      // Skip the class: quantifier characters inside it are literals.
      for (i += 1; i < src.length && src[i] !== ']'; i++) if (src[i] === '\\') i += 1;
      atomEnd = true;
      lastGroupRisky = false;
    } else if (c === '(') {
      groups.push({ risky: false });
      if (src[i + 1] === '?') i += src[i + 2] === '<' ? src.indexOf('>', i) - i : 2;
      continue;
    } else if (c === ')') {
      const g = groups.pop();
      lastGroupRisky = g?.risky ?? false;
      if (lastGroupRisky && groups.length) groups[groups.length - 1]!.risky = true;
      atomEnd = true;
    } else if (c === '|') {
      if (groups.length) groups[groups.length - 1]!.risky = true;
      continue;
    } else {
      atomEnd = !'*+?{'.includes(c);
      if (atomEnd) lastGroupRisky = false;
    }
    if (atomEnd) {
      const q = quantifierAt(src, i + 1);
      if (!q) continue;
      if (q.repeats && lastGroupRisky) return 'a repeated group holds a quantifier or an alternation (nested quantifiers such as (a+)+ or (a|aa)+ can backtrack catastrophically)';
      if (q.unbounded && ++unbounded > MAX_UNBOUNDED_QUANTIFIERS) return 'more than one unbounded quantifier (*, +, {n,} or a range wider than {0,20}) can backtrack for too long';
      if (!q.unbounded && (combinations *= q.max + 1) > MAX_BOUNDED_COMBINATIONS) return `the bounded quantifiers (?, {n,m}) allow more than ${MAX_BOUNDED_COMBINATIONS} combinations`;
      if (groups.length) groups[groups.length - 1]!.risky = true;
      i += q.length;
      lastGroupRisky = false;
    }
  }
  return null;
}

/** The quantifier starting at `i`, if any: `repeats` when it allows more than one repetition. */
function quantifierAt(src: string, i: number): { length: number; repeats: boolean; unbounded: boolean; max: number } | null {
  const c = src[i];
  let length = 0;
  let repeats = true;
  let unbounded = true;
  let max = Infinity;
  if (c === '*' || c === '+') length = 1;
  else if (c === '?') [length, repeats, unbounded, max] = [1, false, false, 1];
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
    if (!m) return null;
    length = m[0].length;
    max = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    repeats = max > 1;
    // A wide bounded range backtracks like an unbounded one.
    unbounded = max > 20;
  } else return null;
  if (src[i + length] === '?') length += 1; // lazy form
  return { length, repeats, unbounded, max };
}

/** Lower-cases and collapses whitespace, so phrases match however the customer spaced their words. */
export function normaliseText(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

const WORD = /[\p{L}\p{N}_]/u;

/** Whole-word search without building a regular expression from the author's text. */
function hasWord(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    const before = at > 0 ? text[at - 1]! : ' ';
    const after = at + word.length < text.length ? text[at + word.length]! : ' ';
    if (!WORD.test(before) && !WORD.test(after)) return true;
  }
  return false;
}

export function compileIntent(name: string, doc: IntentMatcherDoc): CompiledIntent {
  return {
    name,
    keywords: (doc.keywords ?? []).map(normaliseText),
    phrases: (doc.phrases ?? []).map(normaliseText),
    patterns: (doc.patterns ?? []).map((p) => new RegExp(p, 'iu')),
  };
}

/** The first intent (in file order) that fires; within one, the surer matchers (phrase, pattern) before keywords. */
export function matchIntent(intents: readonly CompiledIntent[], text: string): IntentMatch | null {
  if (!intents.length) return null;
  const norm = normaliseText(text);
  const head = text.slice(0, PATTERN_INPUT_LIMIT);
  for (const intent of intents) {
    const phrase = intent.phrases.find((p) => norm.includes(p));
    if (phrase !== undefined) return { name: intent.name, confidence: 1, matcher: `phrase:${phrase}` };
    const pattern = intent.patterns.findIndex((p) => p.test(head));
    if (pattern !== -1) return { name: intent.name, confidence: 1, matcher: `pattern:${pattern}` };
    const keyword = intent.keywords.find((k) => hasWord(norm, k));
    if (keyword !== undefined) return { name: intent.name, confidence: 0.8, matcher: `keyword:${keyword}` };
  }
  return null;
}
