// Parses thread and widget sources (YAML or JSON text) and compiles them, with line-precise errors.
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { RULES_MAX_DEPTH, tooDeep } from './nesting.ts';
import { ThreadgateError } from './errors.ts';
import { compile, type CompiledThread } from './compile.ts';
import { compileWidget, type CompiledWidget } from './compile-widget.ts';
import { issueAt, type Locate, type PathKey } from './zod-issues.ts';

export interface ParsedSource {
  doc: unknown;
  locate: Locate;
}

/** The deepest node that exists on `path`, so a missing field points at its parent object. */
function nearestNode(doc: Document, path: readonly PathKey[]): Node | null {
  let node: unknown = doc.contents;
  let found: Node | null = (doc.contents as Node | null) ?? null;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      // Point at the key (`b:` of `steps.b`), where an author looks for the field, not at its value.
      found = (pair.key as Node) ?? found;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (!item) break;
      node = item;
      if (item && typeof item === 'object' && 'range' in (item as object)) found = item as Node;
    } else break;
  }
  return found;
}

/** Rules files and transcripts are a few KiB; a larger file is refused before the parser spends time on it. */
export const MAX_SOURCE_CHARS = 1024 * 1024;
/** Deeper nesting than this is refused (RULES_MAX_DEPTH): real threads stay under 15, and the parser and compiler recurse. */
export const MAX_SOURCE_DEPTH = RULES_MAX_DEPTH;
/** Aliases a document may expand; yaml's own default would let a few levels of aliased lists explode. */
export const MAX_ALIAS_COUNT = 100;

const TOO_DEEP = `the file nests deeper than ${RULES_MAX_DEPTH} levels; rules files need only a few`;

/** The depth of a composed YAML tree, counted without recursion and stopped at `limit` + 1. */
function nodeDepthOver(doc: Document, limit: number): Node | null {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth + 1 > limit) return node as Node;
    for (const item of node.items) {
      if (isMap(node)) {
        const pair = item as { key: unknown; value: unknown };
        stack.push({ node: pair.key, depth: depth + 1 }, { node: pair.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return null;
}

const isStackOverflow = (err: unknown): boolean => err instanceof RangeError || /call stack/i.test(String((err as Error)?.message ?? ''));

/**
 * Parses YAML (JSON is valid YAML) keeping positions; a syntax error throws `yaml_invalid` with its line. Size, depth
 * and alias expansion are bounded, and every refusal is a plain sentence: never the parser's internal error text.
 */
export function parseSource(text: string, file?: string): ParsedSource {
  const at = (line: number, column: number) => ({ ...(file ? { file } : {}), line, column });
  const refuse = (message: string, line = 1, column = 1): never => {
    throw ThreadgateError.fromIssues([{ code: 'yaml_invalid', message, ...at(line, column) }]);
  };
  if (text.length > MAX_SOURCE_CHARS) refuse(`the file has ${text.length} characters; a rules file or transcript has at most ${MAX_SOURCE_CHARS}`);
  const lines = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  } catch (err) {
    if (isStackOverflow(err)) refuse(TOO_DEEP);
    throw err;
  }
  const locate: Locate = (path) => {
    const node = nearestNode(doc, path);
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  if (doc.errors.length) {
    // yaml catches its own stack overflow on deep input and reports it as a syntax error: say what it means instead.
    const overflow = doc.errors.find((e) => isStackOverflow(e));
    if (overflow) {
      const pos = lines.linePos(overflow.pos[0]);
      refuse(TOO_DEEP, pos.line, pos.col);
    }
    const issues = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { code: 'yaml_invalid' as const, message: e.message.split('\n')[0] ?? 'invalid YAML', ...at(pos.line, pos.col) };
    });
    throw ThreadgateError.fromIssues(issues);
  }
  const deep = nodeDepthOver(doc, MAX_SOURCE_DEPTH);
  if (deep) {
    const pos = deep.range ? lines.linePos(deep.range[0]) : { line: 1, col: 1 };
    refuse(TOO_DEEP, pos.line, pos.col);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // yaml throws a plain ReferenceError when aliases would expand past the bound (an alias bomb): bad input, not a fault.
    if (isStackOverflow(err)) refuse(TOO_DEEP);
    if (err instanceof ReferenceError && /unresolved alias/i.test(err.message)) refuse('an alias (*name) names no anchor (&name) set before it');
    if (err instanceof ReferenceError) refuse(`aliases expand too far (more than ${MAX_ALIAS_COUNT} alias uses); write the repeated parts out or use fewer aliases`);
    throw err;
  }
  // An alias of a deep anchor inside another deep list nests deeper than either: checked once expanded.
  const deepAt = tooDeep(value, RULES_MAX_DEPTH);
  if (deepAt) {
    const pos = locate(deepAt);
    refuse(TOO_DEEP, pos?.line, pos?.column);
  }
  return { doc: value, locate };
}

export type LoadedDocument = { kind: 'thread'; thread: CompiledThread } | { kind: 'widget'; widget: CompiledWidget };

/** Parses and compiles one rules file by its `kind` (thread or widget). */
export function loadSource(text: string, file?: string): LoadedDocument {
  const { doc, locate } = parseSource(text, file);
  const ctx = { ...(file ? { file } : {}), locate };
  const kind = typeof doc === 'object' && doc !== null ? (doc as { kind?: unknown }).kind : undefined;
  if (kind === 'thread') return { kind, thread: compile(doc, ctx) };
  if (kind === 'widget') return { kind, widget: compileWidget(doc, ctx) };
  throw ThreadgateError.fromIssues([
    issueAt('kind_unknown', ['kind'], `a rules file needs \`kind: thread\` or \`kind: widget\`${kind === undefined ? '' : `, not ${JSON.stringify(kind)}`}`, ctx),
  ]);
}
