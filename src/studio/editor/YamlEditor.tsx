// CodeMirror 6 for thread and widget YAML: highlighting, schema completion and hover, and the server's diagnostics at line and column.
import { autocompletion } from '@codemirror/autocomplete';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';
import type { Issue } from '../api.ts';
import { threadCompletion, threadHover, type FileFacts } from './schema-assist.ts';

/** The per-page CSP nonce the server wrote into index.html; CodeMirror's style elements need it under style-src. */
export const cspNonce = EditorView.cspNonce.of(document.querySelector<HTMLMetaElement>('meta[name=tg-csp-nonce]')?.content ?? '');

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

export function YamlEditor({ initial, check, onChange, onIssues, fileFacts, handle, label }: Props) {
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
