// Branch coverage in the studio: the thread's transcripts (the server's folder, or files uploaded here) replayed against the editor's text, with the uncovered branches listed.
import { useEffect, useState } from 'preact/hooks';
import type { CoverageAnswer, CoverageBranch } from '../../replay/coverage-answer.ts';
import { api, ApiError } from '../api.ts';
import { Notice } from '../ui.tsx';

interface Props {
  threadId: string;
  text: string;
  onCoverage: (c: CoverageAnswer | null) => void;
  onPick: (b: CoverageBranch) => void;
}

interface Upload {
  name: string;
  source: string;
}

const pct = (c: { covered: number; total: number }) => (c.total ? Math.round((1000 * c.covered) / c.total) / 10 : 100);

export function describeBranch(b: CoverageBranch): string {
  const what = b.kind === 'on_fail' ? 'onFail' : b.name ? `branch "${b.name}"` : b.kind === 'default' ? `default branch #${b.index}` : `branch #${b.index}`;
  return `${b.step} → ${b.to} (${what})`;
}

export function CoveragePane({ threadId, text, onCoverage, onPick }: Props) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [answer, setAnswer] = useState<CoverageAnswer | null>(null);
  const [ranText, setRanText] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const runCoverage = async (files: Upload[] = uploads) => {
    setBusy(true);
    setError(null);
    try {
      const body = { thread: text, ...(files.length ? { transcripts: files } : {}) };
      const a = await api<CoverageAnswer>('POST', `/v1/threads/${encodeURIComponent(threadId)}/coverage`, { json: body });
      setAnswer(a);
      setRanText(text);
      onCoverage(a);
    } catch (err) {
      setAnswer(null);
      onCoverage(null);
      setError(err instanceof ApiError && err.issues.length ? `${err.message} ${err.issues.map((i) => i.message).join('; ')}` : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => {
    void runCoverage();
    return () => onCoverage(null);
  }, []);

  const addFiles = async (list: FileList | null) => {
    if (!list) return;
    const read = await Promise.all([...list].map(async (f) => ({ name: f.name, source: await f.text() })));
    const next = [...uploads.filter((u) => !read.some((r) => r.name === u.name)), ...read];
    setUploads(next);
    await runCoverage(next);
  };
  const uncovered = answer?.branches.filter((b) => b.hits === 0) ?? [];

  return (
    <div class="coverage-pane" data-testid="coverage">
      <div class="coverage-head">
        <h3>Branch coverage</h3>
        <div class="spacer" />
        <button type="button" onClick={() => void runCoverage()} disabled={busy}>
          {busy ? 'Running…' : 'Run again'}
        </button>
      </div>
      <p class="hint">
        Replays {uploads.length ? `the ${uploads.length} uploaded transcript${uploads.length > 1 ? 's' : ''}` : "the server's transcripts folder (THREADGATE_TRANSCRIPTS_DIR)"} against the text in the editor; the graph shows covered branches green and uncovered ones red. The same numbers as <code>threadgate test --coverage</code>.
      </p>
      <label class="coverage-upload">
        Upload transcripts (.yaml) instead
        <input type="file" accept=".yaml,.yml" multiple onChange={(e) => void addFiles((e.target as HTMLInputElement).files)} />
      </label>
      {uploads.length > 0 && (
        <button type="button" class="ghost" onClick={() => (setUploads([]), void runCoverage([]))}>
          Use the server's folder again
        </button>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {answer && (
        <>
          {ranText !== text && <Notice kind="info">The text changed since this run; Run again to update.</Notice>}
          <div class="coverage-summary" data-testid="coverage-summary" data-covered={answer.covered} data-total={answer.total}>
            <b>
              {answer.covered}/{answer.total}
            </b>{' '}
            branches covered ({pct(answer)}%) by {answer.transcripts.length} transcript{answer.transcripts.length === 1 ? '' : 's'}
            {/* SVG attributes, not a style attribute: the studio's CSP allows no inline styles. */}
            <svg class="coverage-bar" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">
              <rect width="100" height="6" class="coverage-track" />
              <rect width={pct(answer)} height="6" class="coverage-fill" />
            </svg>
          </div>
          <h4>Not covered ({uncovered.length})</h4>
          <ul class="coverage-list" data-testid="coverage-uncovered">
            {uncovered.map((b) => (
              <li>
                <button type="button" class="link" onClick={() => onPick(b)} data-branch-id={b.id}>
                  {describeBranch(b)}
                </button>
              </li>
            ))}
            {uncovered.length === 0 && <li class="muted">Every branch is taken by at least one transcript.</li>}
          </ul>
          <h4>Transcripts</h4>
          <ul class="coverage-list" data-testid="coverage-transcripts">
            {answer.transcripts.map((t) => (
              <li data-ok={String(t.ok)}>
                <span class={`pill ${t.ok ? 'ok' : 'bad'}`}>{t.ok ? 'pass' : t.issues.length ? 'cannot run' : `${t.failures} failed`}</span> {t.name}
                {t.issues.length > 0 && <div class="muted small">{t.issues.map((i) => i.message).join('; ')}</div>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
