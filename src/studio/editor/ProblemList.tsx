// The list of errors and warnings under an editor: each one a button that moves the cursor to its line.
import type { ComponentChildren } from 'preact';
import type { Issue } from '../api.ts';

interface Props {
  issues: Issue[];
  /** Where the findings come from, said beside the heading. */
  source: ComponentChildren;
  /** Shown when there is nothing to report (absent: an empty list says nothing). */
  empty?: string | null;
  onReveal: (line: number, column: number) => void;
}

export function ProblemList({ issues, source, empty, onReveal }: Props) {
  return (
    <div class="problems" data-testid="problems">
      <div class="problems-head">
        Problems <span class="muted small">{source}</span>
      </div>
      {issues.length === 0 && empty && <div class="muted small pad">{empty}</div>}
      {issues.map((i) => (
        <button type="button" class={`problem sev-${i.severity === 'warning' ? 'warning' : 'error'}`} onClick={() => onReveal(i.line ?? 1, i.column ?? 1)} data-code={i.code} data-line={i.line ?? ''}>
          <span class="where">
            {i.line ?? 1}:{i.column ?? 1}
          </span>
          <span class="code">{i.code}</span>
          <span class="msg">{i.message}</span>
        </button>
      ))}
    </div>
  );
}
