// Side-by-side diff of two thread sources (any two versions, or the draft against the active one) with @codemirror/merge.
import { yaml } from '@codemirror/lang-yaml';
import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'preact/hooks';
import { cspNonce } from './YamlEditor.tsx';

export function DiffView({ a, b }: { a: string; b: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const readOnly = [cspNonce, basicSetup, yaml(), EditorState.readOnly.of(true), EditorView.editable.of(false)];
    const view = new MergeView({
      parent: host.current!,
      a: { doc: a, extensions: readOnly },
      b: { doc: b, extensions: readOnly },
      // Long unchanged stretches fold away, so a one-line change in a 100-step thread is found at once.
      collapseUnchanged: { margin: 3, minSize: 6 },
      gutter: true,
      highlightChanges: true,
    });
    return () => view.destroy();
  }, [a, b]);
  return <div class="diff" ref={host} data-testid="diff" />;
}
