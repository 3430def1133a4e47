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

/** Parses YAML (JSON is valid YAML) keeping positions; a syntax error throws `yaml_invalid` with its line. */
export function parseSource(text: string, file?: string): ParsedSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const locate: Locate = (path) => {
    const node = nearestNode(doc, path);
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = lines.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const tooDeepMessage = `the file nests deeper than ${RULES_MAX_DEPTH} levels; rules files need only a few`;
  if (doc.errors.length) {
    const issues = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      // The parser gives up on very deep nesting with the engine's stack-overflow text: say what is wrong instead.
      const deep = /call stack/i.test(e.message);
      return {
        code: 'yaml_invalid' as const,
        message: deep ? tooDeepMessage : (e.message.split('\n')[0] ?? 'invalid YAML'),
        ...(file ? { file } : {}),
        line: pos.line,
        column: pos.col,
      };
    });
    throw ThreadgateError.fromIssues(issues);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml throws a plain ReferenceError when aliases would expand past the bound (an alias bomb), and the engine a
    // RangeError on nesting it cannot follow: bad input, not a fault, and neither text is for the author.
    const message = e instanceof RangeError ? tooDeepMessage : 'aliases expand too far (more than 100 alias uses); write the repeated parts out or use fewer aliases';
    throw ThreadgateError.fromIssues([{ code: 'yaml_invalid', message, ...(file ? { file } : {}), line: 1, column: 1 }]);
  }
  const deepAt = tooDeep(value, RULES_MAX_DEPTH);
  if (deepAt) {
    const pos = locate(deepAt);
    throw ThreadgateError.fromIssues([{ code: 'yaml_invalid', message: tooDeepMessage, ...(file ? { file } : {}), line: pos?.line ?? 1, column: pos?.column ?? 1 }]);
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
