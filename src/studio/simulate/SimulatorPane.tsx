// The simulator beside the graph: set up who the customer is, chat as them, change their identity at any moment, and export what happened as a transcript.
import { useEffect, useState } from 'preact/hooks';
import type { ProfileRecord } from '../../core/events.ts';
import type { TurnTrace } from '../../core/outputs.ts';
import { api, ApiError, listWidgets, type WidgetSummary } from '../api.ts';
import { Confirm, Notice } from '../ui.tsx';
import { ChatLog } from './ChatLog.tsx';
import { CustomerControls } from './CustomerControls.tsx';
import { exportTranscript } from './export-transcript.ts';
import { identityText, SCENARIO_HINT } from './labels.ts';
import { scenarioLabel } from '../conversations/labels.ts';
import { act, currentState, newSimulation, type SimAction, type SimSetup, type Simulation } from './session.ts';
import { SetupForm } from './SetupForm.tsx';

interface Props {
  threadId: string;
  /** The editor's text: the simulation runs the draft as it is, saved or not. */
  text: string;
  steps: string[];
  lookupNames: string[];
  /** The trace of the turn selected in the chat (the last one by default), for the graph. */
  onTrace: (trace: TurnTrace | null) => void;
}

type Start = Extract<SimAction, { kind: 'start' }>;

function ExportDialog({ sim, onClose }: { sim: Simulation; onClose: () => void }) {
  const name = `${sim.setup.threadId} on ${sim.setup.widget.id}: simulated ${new Date(sim.setup.clock).toISOString().slice(0, 16).replace('T', ' ')}`;
  const { yaml, problems } = exportTranscript(sim, name);
  const [copied, setCopied] = useState(false);
  const file = `${sim.setup.threadId}-${sim.setup.widget.id}-simulated.yaml`;
  const [saveName, setSaveName] = useState(file.replace(/\.yaml$/, '').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80));
  const [saved, setSaved] = useState<{ kind: 'ok' | 'error'; text: string; exists?: boolean } | null>(null);
  const save = async (replace: boolean) => {
    try {
      const r = await api<{ file: string; replaced: boolean }>('PUT', `/v1/transcripts/${encodeURIComponent(saveName)}${replace ? '?replace=true' : ''}`, { yaml });
      setSaved({ kind: 'ok', text: `${r.replaced ? 'Replaced' : 'Saved'} ${r.file} in the server's transcripts folder; Coverage and threadgate test on that folder replay it.` });
    } catch (err) {
      const e = err as ApiError;
      setSaved({ kind: 'error', text: e.message, exists: e.code === 'transcript_exists' });
    }
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([yaml], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <Confirm title="Export as a transcript" action="Download" onCancel={onClose} onConfirm={download}>
      <p class="hint">
        Save it under <code>test/conversations/</code>; <code>threadgate test</code> replays it against the rules folder (save the draft there too).
      </p>
      {problems.map((p) => (
        <Notice kind="error">{p}</Notice>
      ))}
      <textarea class="sim-export" data-testid="sim-export" readOnly rows={16} value={yaml} spellcheck={false} />
      <div class="sim-row sim-save">
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard?.writeText(yaml).then(() => setCopied(true), () => setCopied(false));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <span class="spacer" />
        <label>
          Save on the server as
          <input name="transcript-name" value={saveName} onInput={(e) => setSaveName((e.target as HTMLInputElement).value)} />
          .yaml
        </label>
        <button type="button" data-testid="sim-save" disabled={!/^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/.test(saveName)} onClick={() => void save(false)}>
          Save to the transcripts folder
        </button>
      </div>
      {saved && <Notice kind={saved.kind}>{saved.text}</Notice>}
      {saved?.exists && (
        <button type="button" class="danger" onClick={() => void save(true)}>
          Replace {saveName}.yaml
        </button>
      )}
    </Confirm>
  );
}

export function SimulatorPane({ threadId, text, steps, lookupNames, onTrace }: Props) {
  const [widgets, setWidgets] = useState<WidgetSummary[]>([]);
  const [sim, setSim] = useState<Simulation | null>(null);
  const [start, setStart] = useState<Start | null>(null);
  const [selected, setSelected] = useState(-1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState('');
  const [exporting, setExporting] = useState(false);
  const [setupOpen, setSetupOpen] = useState(true);

  useEffect(() => {
    listWidgets().then(setWidgets, (e: Error) => setError(e.message));
  }, []);
  const turn = sim && selected >= 0 ? (sim.turns[selected] ?? null) : null;
  useEffect(() => onTrace(turn?.trace ?? null), [turn]);

  const run = async (base: Simulation, a: SimAction) => {
    setBusy(true);
    setError(null);
    try {
      const next = await act(base, a);
      setSim(next);
      setSelected(next.turns.length - 1);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const begin = (setup: SimSetup, s: Start) => {
    setStart(s);
    setSetupOpen(false);
    void run(newSimulation(setup), s);
  };

  if (setupOpen || !sim) {
    return (
      <div class="sim-pane" data-testid="simulator">
        <SetupForm threadId={threadId} threadSource={text} steps={steps} lookupNames={lookupNames} widgets={widgets} initial={sim && start ? { setup: sim.setup, start } : null} onStart={begin} />
        {error && <Notice kind="error">{error}</Notice>}
      </div>
    );
  }
  const state = currentState(sim);
  const stale = sim.setup.threadSource !== text;
  const profiles: ProfileRecord[] = [...sim.setup.profiles, ...sim.created.filter((c) => !sim.setup.profiles.some((p) => p.id === c.id))];
  return (
    <div class="sim-pane" data-testid="simulator">
      <div class="sim-head">
        {state && (
          <>
            <span class={`pill scenario-${state.scenario}`} data-testid="sim-scenario" data-scenario={state.scenario} title={SCENARIO_HINT[state.scenario]}>
              {scenarioLabel(state.scenario)}
            </span>
            <span class="small" data-testid="sim-identity">
              {identityText(state)}
            </span>
            <span class="muted small">
              {state.status} · step {state.step ?? '—'} · {new Date(sim.nowMs).toISOString().slice(11, 19)} UTC
            </span>
          </>
        )}
        <div class="spacer" />
        <button type="button" onClick={() => setSetupOpen(true)}>
          Restart…
        </button>
        <button type="button" onClick={() => setExporting(true)} disabled={sim.turns.length === 0} data-testid="sim-export-open">
          Export transcript
        </button>
      </div>
      {stale && <Notice kind="info">The draft changed since this simulation started; Restart to run the new text.</Notice>}
      <ChatLog turns={sim.turns} selected={selected} onSelect={setSelected} onAct={(a) => void run(sim, a)} busy={busy} loginUrl={sim.setup.widget.loginUrl} />
      {error && <Notice kind="error">{error}</Notice>}
      {state && (
        <form
          class="sim-composer"
          onSubmit={(e) => {
            e.preventDefault();
            if (!message.trim()) return;
            const text = message;
            setMessage('');
            void run(sim, { kind: 'message', text });
          }}
        >
          <input name="message" placeholder="Write as the customer…" value={message} disabled={busy || state.status === 'closed'} onInput={(e) => setMessage((e.target as HTMLInputElement).value)} />
          <button type="submit" class="primary" disabled={busy || !message.trim() || state.status === 'closed'}>
            Send
          </button>
        </form>
      )}
      {state && <CustomerControls state={state} nowMs={sim.nowMs} hasJwt={sim.setup.widget.hasJwt} profiles={profiles} busy={busy} onAct={(a) => void run(sim, a)} />}
      {exporting && <ExportDialog sim={sim} onClose={() => setExporting(false)} />}
    </div>
  );
}
