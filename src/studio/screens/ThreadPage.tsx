// The thread screen: the YAML draft in CodeMirror beside its graph, the server's findings on both, save and publish.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, checkThread, getDraft, getVersion, listVersions, publish, putDraft, type Issue, type VersionSummary } from '../api.ts';
import { YamlEditor, type EditorHandle } from '../editor/YamlEditor.tsx';
import type { FileFacts } from '../editor/schema-assist.ts';
import { ProblemList } from '../editor/ProblemList.tsx';
import { GraphView } from '../graph/GraphView.tsx';
import { threadGraph, type GraphEdge, type ThreadGraph } from '../graph/model.ts';
import type { TurnTrace } from '../../core/outputs.ts';
import { branchEdgesOf, NO_PAINT, paintTrace } from '../simulate/trace-paint.ts';
import { TracePanel } from '../simulate/TracePanel.tsx';
import type { CoverageAnswer } from '../../replay/coverage-answer.ts';
import { paintCoverage } from '../coverage/coverage-paint.ts';
import { Confirm, lazyScreen, Link, Notice, when } from '../ui.tsx';
// The tabs, the trace and coverage colours on the graph, and the lazily loaded panes all use it.
import '../simulate/simulator.css';
import type { SimulatorPane as SimulatorPaneType } from '../simulate/SimulatorPane.tsx';
import type { CoveragePane as CoveragePaneType } from '../coverage/CoveragePane.tsx';

// Loaded on first use: the simulator brings the runtime's directory (libphonenumber, zod), which editing never needs.
const SimulatorPane = lazyScreen<Parameters<typeof SimulatorPaneType>[0]>(() => import('../simulate/SimulatorPane.tsx').then((m) => m.SimulatorPane));
const CoveragePane = lazyScreen<Parameters<typeof CoveragePaneType>[0]>(() => import('../coverage/CoveragePane.tsx').then((m) => m.CoveragePane));

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Step ids, named conditions, slots and lookups the file declares, for completion. */
function fileFactsOf(doc: Obj | null): FileFacts {
  const steps = isObj(doc?.steps) ? doc.steps : {};
  const slots = new Set<string>();
  for (const s of Object.values(steps)) {
    if (!isObj(s)) continue;
    if (isObj(s.ask) && typeof s.ask.slot === 'string') slots.add(s.ask.slot);
    for (const a of Array.isArray(s.action) ? s.action : [s.action]) if (isObj(a) && isObj(a.slots)) for (const k of Object.keys(a.slots)) slots.add(k);
  }
  return {
    steps: Object.keys(steps),
    conditions: isObj(doc?.conditions) ? Object.keys(doc.conditions) : [],
    slots: [...slots],
    lookups: isObj(doc?.lookups) ? Object.keys(doc.lookups) : [],
  };
}

interface Loaded {
  source: string;
  /** Where the text came from: the stored draft, or the active version when there is no draft. */
  origin: string;
  draftUpdatedAt: string | null;
}

export function ThreadPage({ id }: { id: string }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [graph, setGraph] = useState<ThreadGraph | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [doc, setDoc] = useState<Obj | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [checkedText, setCheckedText] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [versions, setVersions] = useState<VersionSummary[]>([]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error' | 'info'; text: string } | null>(null);
  const [confirmPublish, setConfirmPublish] = useState(false);
  const [busy, setBusy] = useState(false);
  const [mode, setMode] = useState<'edit' | 'simulate' | 'coverage'>('edit');
  const [coverage, setCoverage] = useState<CoverageAnswer | null>(null);
  const [picked, setPicked] = useState<string | null>(null);
  const [trace, setTrace] = useState<TurnTrace | null>(null);
  const [edge, setEdge] = useState<GraphEdge | null>(null);
  const editor = useRef<EditorHandle | null>(null);
  const docRef = useRef<Obj | null>(null);
  docRef.current = doc;

  const refreshVersions = () => listVersions(id).then(setVersions, () => setVersions([]));

  useEffect(() => {
    (async () => {
      try {
        const d = await getDraft(id);
        setLoaded({ source: d.source, origin: 'draft', draftUpdatedAt: d.updatedAt });
        setSaved(d.source);
        setText(d.source);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 'draft_not_found')) throw err;
        const vs = await listVersions(id);
        const active = vs.find((v) => v.active);
        if (!active) throw new ApiError(404, 'thread_not_found', `No thread "${id}".`);
        const v = await getVersion(id, active.version);
        setLoaded({ source: v.source, origin: `v${v.version} (no draft yet)`, draftUpdatedAt: null });
        setText(v.source);
      }
      await refreshVersions();
    })().catch((err: Error) => setLoadError(err.message));
  }, [id]);

  // The graph follows the text as typed, a moment after the last keystroke.
  useEffect(() => {
    const t = setTimeout(() => {
      const r = threadGraph(text);
      if (r.ok) {
        setGraph(r.graph);
        setDoc(r.doc);
        setParseError(null);
      } else setParseError(r.line ? `line ${r.line}: ${r.error}` : r.error);
    }, 250);
    return () => clearTimeout(t);
  }, [text]);

  const active = versions.find((v) => v.active) ?? null;
  const dirty = saved !== text;
  const current = checkedText === text;
  const errors = issues.filter((i) => i.severity !== 'warning');
  const warnings = issues.filter((i) => i.severity === 'warning');
  const selectedNode = graph?.nodes.find((n) => n.id === selected) ?? null;
  const selectedIssues = useMemo(() => issues.filter((i) => i.step === selected), [issues, selected]);
  const simulating = mode === 'simulate';
  const covering = mode === 'coverage';
  const paint = useMemo(() => (simulating && graph ? paintTrace(graph, trace) : covering ? paintCoverage(coverage) : NO_PAINT), [simulating, covering, graph, trace, coverage]);

  const save = async (): Promise<boolean> => {
    setBusy(true);
    try {
      const r = await putDraft(id, text);
      setSaved(text);
      setLoaded((l) => (l ? { ...l, origin: 'draft', draftUpdatedAt: r.updatedAt } : l));
      setNotice({ kind: 'ok', text: `Draft saved ${when(r.updatedAt)}. Nothing changes for customers until you publish.` });
      return true;
    } catch (err) {
      const e = err as ApiError;
      if (e.issues?.length) setIssues(e.issues.map((i) => ({ ...i, severity: 'error' })));
      setNotice({ kind: 'error', text: `Not saved: ${e.message}` });
      return false;
    } finally {
      setBusy(false);
    }
  };

  const doPublish = async () => {
    setBusy(true);
    try {
      if (dirty && !(await save())) return;
      const v = await publish(id);
      setNotice({ kind: 'ok', text: `Published v${v.version}: new conversations start on it; conversations in progress keep their version.` });
      await refreshVersions();
    } catch (err) {
      setNotice({ kind: 'error', text: `Not published: ${(err as Error).message}` });
    } finally {
      setBusy(false);
      setConfirmPublish(false);
    }
  };

  if (loadError) return <Notice kind="error">{loadError}</Notice>;
  if (!loaded) return <div class="loading">Loading {id}…</div>;

  const status = !current ? { cls: 'muted', text: 'checking…' } : errors.length ? { cls: 'bad', text: `${errors.length} error${errors.length > 1 ? 's' : ''}` } : warnings.length ? { cls: 'warn', text: `valid · ${warnings.length} warning${warnings.length > 1 ? 's' : ''}` } : { cls: 'ok', text: 'valid' };

  return (
    <div class="thread-page">
      <div class="toolbar">
        <div class="crumbs">
          <Link to="/">Threads</Link> / <b data-testid="thread-id">{id}</b>
          <span class="muted small">
            {' '}
            editing {loaded.origin}
            {active ? ` · v${active.version} active` : ' · not published'}
          </span>
        </div>
        <span class={`pill ${status.cls}`} data-testid="check-status">
          {status.text}
        </span>
        <span class={`pill ${dirty ? 'warn' : 'muted'}`} data-testid="save-state">
          {dirty ? 'unsaved changes' : 'saved'}
        </span>
        <div class="spacer" />
        <Link to={`/threads/${id}/versions`} class="button">
          Versions &amp; diff
        </Link>
        <button type="button" onClick={() => void save()} disabled={busy || !dirty}>
          Save draft
        </button>
        <button type="button" class="primary" onClick={() => setConfirmPublish(true)} disabled={busy || (current && errors.length > 0)} title={errors.length ? 'Fix the errors first' : 'Publish the draft as a new version'}>
          Publish…
        </button>
      </div>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <div class="mode-tabs" role="tablist" aria-label="Left pane">
        <button type="button" role="tab" aria-selected={mode === 'edit'} class={mode === 'edit' ? 'active' : ''} onClick={() => setMode('edit')}>
          YAML
        </button>
        <button type="button" role="tab" aria-selected={simulating} class={simulating ? 'active' : ''} onClick={() => setMode('simulate')} data-testid="tab-simulate">
          Simulate
        </button>
        <button type="button" role="tab" aria-selected={covering} class={covering ? 'active' : ''} onClick={() => setMode('coverage')} data-testid="tab-coverage">
          Coverage
        </button>
        {simulating && <span class="muted small">Click a turn in the chat to see its path on the graph, and a branch for why it was (not) taken.</span>}
        {covering && <span class="muted small">Green branches are taken by at least one transcript, red ones by none.</span>}
      </div>
      <div class={`split${mode !== 'edit' ? ' simulating' : ''}`}>
        {simulating && (
          <div class="pane sim-host">
            <SimulatorPane threadId={id} text={text} steps={graph?.nodes.filter((n) => n.kind !== 'handler').map((n) => n.id) ?? []} lookupNames={isObj(doc?.lookups) ? Object.keys(doc.lookups) : []} onTrace={setTrace} />
          </div>
        )}
        {covering && (
          <div class="pane sim-host">
            <CoveragePane threadId={id} text={text} onCoverage={setCoverage} onPick={(b) => (setSelected(b.step), setPicked(b.step))} />
          </div>
        )}
        <div class="pane editor-pane" hidden={mode !== 'edit'}>
          <YamlEditor
            label={`YAML of thread ${id}`}
            initial={loaded.source}
            onChange={setText}
            check={async (t) => (await checkThread(id, t)).issues}
            onIssues={(list, t) => {
              setIssues(list);
              setCheckedText(t);
            }}
            fileFacts={() => fileFactsOf(docRef.current)}
            handle={(h) => (editor.current = h)}
          />
          <ProblemList
            issues={issues}
            source="from POST /validate and /lint, as you type"
            empty={current ? 'No errors or warnings.' : null}
            onReveal={(line, column) => editor.current?.reveal(line, column)}
          />
        </div>
        <div class="pane graph-pane">
          {parseError && <Notice kind="error">The graph shows the last text that parsed. YAML: {parseError}</Notice>}
          {graph ? (
            <GraphView
              graph={graph}
              issues={issues}
              selected={selected}
              onSelect={setSelected}
              paint={paint}
              focus={simulating ? (trace?.steps.at(-1)?.step ?? null) : covering ? picked : null}
              {...(simulating ? { onEdgeSelect: setEdge, selectedEdge: edge?.id ?? null } : {})}
            />
          ) : (
            <div class="loading">Reading the thread…</div>
          )}
          {simulating && edge && graph && <TracePanel trace={trace} edge={edge} edgeIndex={branchEdgesOf(graph, edge.from).findIndex((e) => e.id === edge.id)} onClose={() => setEdge(null)} />}
          {selectedNode && !(simulating && edge) && (
            <aside class="details" data-testid="step-details">
              <div class="details-head">
                <b>{selectedNode.id}</b>
                <span class="muted small">{selectedNode.detail}</span>
                <div class="spacer" />
                {selectedNode.kind !== 'handler' && (
                  <button type="button" onClick={() => editor.current?.reveal(selectedNode.line)}>
                    Show in editor
                  </button>
                )}
                <button type="button" class="ghost" onClick={() => setSelected(null)} aria-label="Close">
                  ×
                </button>
              </div>
              {selectedIssues.map((i) => (
                <div class={`problem-inline sev-${i.severity === 'warning' ? 'warning' : 'error'}`}>
                  {i.code}: {i.message}
                </div>
              ))}
              <pre class="yaml" data-testid="step-yaml">
                {selectedNode.yaml || describeHandler(selectedNode.id, graph!)}
              </pre>
            </aside>
          )}
        </div>
      </div>
      {confirmPublish && (
        <Confirm title={`Publish ${id}?`} action={`Publish as v${(versions.reduce((m, v) => Math.max(m, v.version), 0) || 0) + 1}`} onCancel={() => setConfirmPublish(false)} onConfirm={() => void doPublish()} busy={busy}>
          <p>
            {dirty ? 'Your changes are saved first. ' : ''}The draft becomes version {(versions.reduce((m, v) => Math.max(m, v.version), 0) || 0) + 1} and is active for <b>new conversations</b> from now on. Conversations already in progress keep the version they started on.
          </p>
          {warnings.length > 0 && <p class="warn-text">The linter reports {warnings.length} warning(s); publishing is allowed.</p>}
        </Confirm>
      )}
    </div>
  );
}

function describeHandler(id: string, graph: ThreadGraph): string {
  const out = graph.edges.filter((e) => e.from === id).map((e) => `→ ${e.to}${e.label ? `  (${e.label})` : ''}`);
  return `${id.replace('on.', 'on: ')}\n${out.join('\n')}`;
}
