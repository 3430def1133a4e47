// "Why this branch": the steps a turn passed and, for the chosen step, every condition with the value seen, the operator, the expected value and the result.
import type { BranchTrace, StepTrace, TurnTrace } from '../../core/outputs.ts';
import type { ConditionTrace } from '../../core/rules-engine.ts';
import type { GraphEdge } from '../graph/model.ts';

const show = (v: unknown) => (v === undefined ? '(missing)' : JSON.stringify(v));

function Condition({ c }: { c: ConditionTrace }) {
  if (c.kind === 'fact') {
    return (
      <li class={`cond cond-${c.evaluated ? String(c.result) : 'skipped'}`} data-fact={c.fact}>
        <span class="cond-result">{!c.evaluated ? '–' : c.result ? '✓' : '✗'}</span>
        <code>{c.path ? `${c.fact}.${c.path}` : c.fact}</code>{' '}
        <span class="muted">is</span> <code data-testid="cond-actual">{c.evaluated ? show(c.actual) : 'not evaluated'}</code> <span class="cond-op">{c.operator}</span> <code data-testid="cond-expected">{show(c.expected)}</code>
        {c.name && <span class="muted"> ({c.name})</span>}
        {c.note && <div class="cond-note">{c.note}</div>}
      </li>
    );
  }
  if (c.kind === 'condition') {
    return (
      <li class={`cond cond-${String(c.result)}`}>
        <span class="cond-result">{c.result ? '✓' : '✗'}</span> condition <code>{c.condition}</code>
        <ul>
          <Condition c={c.child} />
        </ul>
      </li>
    );
  }
  return (
    <li class={`cond cond-${String(c.result)}`}>
      <span class="cond-result">{c.result ? '✓' : '✗'}</span> {c.kind}
      {c.name ? ` (${c.name})` : ''}
      <ul>
        {c.children.map((x) => (
          <Condition c={x} />
        ))}
      </ul>
    </li>
  );
}

function Branch({ b, chosen, highlight }: { b: BranchTrace; chosen: boolean; highlight: boolean }) {
  return (
    <div class={`trace-branch${chosen ? ' chosen' : ''}${highlight ? ' highlight' : ''}`} data-branch={b.name ?? `#${b.index}`}>
      <div class="trace-branch-head">
        <b>{b.name ?? (b.default ? 'otherwise' : `branch #${b.index}`)}</b> → {b.goto}
        <span class={`pill ${b.result ? 'ok' : 'muted'}`}>{b.default ? (b.result ? 'default, reached' : 'default') : b.result ? 'held' : 'did not hold'}</span>
        {chosen && <span class="pill accent">taken</span>}
      </div>
      {b.error && <div class="cond-note">{b.error}</div>}
      {b.condition && (
        <ul class="cond-tree">
          <Condition c={b.condition} />
        </ul>
      )}
    </div>
  );
}

/** The step trace the edge starts from in this turn (a handler's branches for an `on.` node). */
function branchesAt(trace: TurnTrace, from: string): { branches: BranchTrace[]; chosen: number | null } | null {
  if (from.startsWith('on.')) {
    const h = trace.handlers.find((x) => `on.${x.event}` === from);
    return h ? { branches: h.branches, chosen: h.chosen } : null;
  }
  const s = [...trace.steps].reverse().find((x: StepTrace) => x.step === from && x.branches);
  return s?.branches ? { branches: s.branches, chosen: s.chosen ?? null } : null;
}

export function TracePanel({ trace, edge, edgeIndex, onClose }: { trace: TurnTrace | null; edge: GraphEdge; edgeIndex: number; onClose: () => void }) {
  const at = trace ? branchesAt(trace, edge.from) : null;
  return (
    <aside class="details trace-panel" data-testid="trace-panel">
      <div class="details-head">
        <b>Why: {edge.from}</b>
        <span class="muted small">in the selected turn</span>
        <div class="spacer" />
        <button type="button" class="ghost" onClick={onClose} aria-label="Close">
          ×
        </button>
      </div>
      {!at ? (
        <p class="trace-empty">
          The selected turn did not decide at <code>{edge.from}</code>
          {edge.kind === 'on_fail' ? ' (an onFail edge is taken after the last invalid answer, with no condition)' : ''}. Pick another turn in the chat, or another branch.
        </p>
      ) : (
        <div class="trace-branches">
          {at.branches.map((b) => (
            <Branch b={b} chosen={at.chosen === b.index} highlight={b.index === edgeIndex} />
          ))}
          {at.chosen === null && <p class="trace-empty">No branch held, so the conversation stayed here (no_branch_matched).</p>}
        </div>
      )}
    </aside>
  );
}
