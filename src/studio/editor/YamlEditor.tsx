// CodeMirror 6 for thread and widget YAML: highlighting, schema completion and hover, and the server's diagnostics at line and column.
import { autocompletion } from '@codemirror/autocomplete';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import { Decoration, EditorView, MatchDecorator, ViewPlugin, WidgetType, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';
import type { Issue } from '../api.ts';
import { threadCompletion, threadHover, type FileFacts } from './schema-assist.ts';

/** The per-page CSP nonce the server wrote into index.html; CodeMirror's style elements need it under style-src. */
export const cspNonce = EditorView.cspNonce.of(document.querySelector<HTMLMetaElement>('meta[name=tg-csp-nonce]')?.content ?? '');

class Masked extends WidgetType {
  override eq() {
    return true;
  }
  toDOM() {
    const span = document.createElement('span');
    span.className = 'cm-masked-secret';
    span.textContent = '•••••••• (secret in the file: hidden)';
    return span;
  }
}

// `secret: <literal>` (not `secret: { env: NAME }`): the value stays in the text, so saving keeps it, but is never drawn.
const secretMatcher = new MatchDecorator({
  regexp: /(\b(?:secret|publicKey)\s*:\s*)(["']?)([^\s{"'#][^"'#\n]*)\2/g,
  decorate: (add, from, _to, match) => {
    const start = from + match[1]!.length;
    if (match[1]!.startsWith('publicKey')) return; // a public key is not a secret
    add(start, start + match[2]!.length * 2 + match[3]!.length, Decoration.replace({ widget: new Masked() }));
  },
});
export const maskSecrets = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = secretMatcher.createDeco(view);
    }
    update(u: ViewUpdate) {
      this.decorations = secretMatcher.updateDeco(u, this.decorations);
    }
  },
  { decorations: (v) => v.decorations, provide: (p) => EditorView.atomicRanges.of((view) => view.plugin(p)?.decorations ?? Decoration.none) },
);

export interface EditorHandle {
  /** Moves the cursor to a line and scrolls it into view (from a graph node or a diagnostic in the list). */
  reveal: (line: number, column?: number) => void;
  setText: (text: string) => void;
}

interface Props {
  initial: string;
  /** Asked (debounced) for every problem of the current text; the result is drawn in the gutter and handed to onIssues. */
  check: (text: string) => Promise<Issue[]>;
  onChange: (text: string) => void;
  onIssues: (issues: Issue[], text: string) => void;
  /** Thread files get completion and hover; widget files only highlighting and diagnostics. */
  fileFacts?: () => FileFacts;
  handle?: (h: EditorHandle) => void;
  label: string;
  /** Widget files: draw inline JWT secrets as dots (the studio never shows a secret's value). */
  hideSecrets?: boolean;
}

/** An issue's line/column as a document range: the rest of the token at that column, or the whole line. */
export function issueRange(state: EditorState, i: Issue): { from: number; to: number } {
  const lineNo = Math.min(Math.max(i.line ?? 1, 1), state.doc.lines);
  const line = state.doc.line(lineNo);
  const from = Math.min(line.from + Math.max((i.column ?? 1) - 1, 0), line.to);
  const token = /^[^\s,{}[\]]+/.exec(state.doc.sliceString(from, line.to));
  const to = token ? from + token[0].length : line.to;
  return to > from ? { from, to } : { from: line.from, to: line.to };
}

export function YamlEditor({ initial, check, onChange, onIssues, fileFacts, handle, label, hideSecrets }: Props) {
  const host = useRef<HTMLDivElement>(null);
  // The callbacks change every render; the editor is built once, so it reads them through refs.
  const cbs = useRef({ check, onChange, onIssues, fileFacts });
  cbs.current = { check, onChange, onIssues, fileFacts };

  useEffect(() => {
    const source = async (view: EditorView): Promise<Diagnostic[]> => {
      const text = view.state.doc.toString();
      let issues: Issue[];
      try {
        issues = await cbs.current.check(text);
      } catch (err) {
        issues = [{ code: 'check_failed', message: `Could not check the file: ${(err as Error).message}`, severity: 'error', line: 1, column: 1 }];
      }
      // The text may have changed while the server answered; CodeMirror drops stale results itself, we do too.
      if (view.state.doc.toString() !== text) return [];
      cbs.current.onIssues(issues, text);
      return issues.map((i) => ({ ...issueRange(view.state, i), severity: i.severity === 'warning' ? 'warning' : 'error', message: `${i.message} [${i.code}]`, source: i.code }));
    };
    const extensions: Extension[] = [
      cspNonce,
      basicSetup,
      yaml(),
      EditorState.tabSize.of(2),
      linter(source, { delay: 600 }),
      lintGutter(),
      EditorView.contentAttributes.of({ 'aria-label': label }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) cbs.current.onChange(u.state.doc.toString());
      }),
    ];
    if (hideSecrets) extensions.push(maskSecrets);
    if (cbs.current.fileFacts) {
      const facts = () => cbs.current.fileFacts!();
      extensions.push(autocompletion({ override: [threadCompletion(facts)], activateOnTyping: true }), threadHover);
    }
    const view = new EditorView({ parent: host.current!, state: EditorState.create({ doc: initial, extensions }) });
    handle?.({
      reveal: (line, column = 1) => {
        const l = view.state.doc.line(Math.min(Math.max(line, 1), view.state.doc.lines));
        const pos = Math.min(l.from + column - 1, l.to);
        view.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
        view.focus();
      },
      setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    });
    return () => view.destroy();
  }, []);

  return <div class="editor" ref={host} />;
}
