// Versions of a thread: the list, a side-by-side diff of any two (or the draft), and rollback with a confirmation of what it affects.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getDraft, getVersion, listVersions, rollback, type VersionSummary } from '../api.ts';
import { DiffView } from '../editor/DiffView.tsx';
import { Confirm, Link, Notice, when } from '../ui.tsx';

type Side = 'draft' | number;
const sideName = (s: Side) => (s === 'draft' ? 'draft' : `v${s}`);

export function VersionsPage({ id }: { id: string }) {
  const [versions, setVersions] = useState<VersionSummary[] | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const [a, setA] = useState<Side | null>(null);
  const [b, setB] = useState<Side | null>(null);
  const [texts, setTexts] = useState<{ a: string; b: string } | null>(null);
  const [target, setTarget] = useState<VersionSummary | null>(null);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async () => {
    const vs = await listVersions(id);
    setVersions(vs);
    const d = await getDraft(id).then(
      (r) => r.source,
      (e: unknown) => (e instanceof ApiError && e.code === 'draft_not_found' ? null : Promise.reject(e)),
    );
    setDraft(d);
    return { vs, d };
  };

  useEffect(() => {
    load()
      .then(({ vs, d }) => {
        // The question an admin asks first: what would publishing the draft change against what runs now?
        const active = vs.find((v) => v.active);
        setA(active?.version ?? vs[0]?.version ?? null);
        setB(d !== null ? 'draft' : (vs[vs.length - 1]?.version ?? null));
      })
      .catch((e: Error) => setNotice({ kind: 'error', text: e.message }));
  }, [id]);

  useEffect(() => {
    if (a === null || b === null) return;
    const read = (s: Side) => (s === 'draft' ? Promise.resolve(draft ?? '') : getVersion(id, s).then((v) => v.source));
    Promise.all([read(a), read(b)]).then(([ta, tb]) => setTexts({ a: ta, b: tb }), (e: Error) => setNotice({ kind: 'error', text: e.message }));
  }, [a, b, draft]);

  const doRollback = async () => {
    if (!target) return;
    setBusy(true);
    try {
      const v = await rollback(id, target.version);
      setNotice({ kind: 'ok', text: `v${v.version} is active again: new conversations start on it; conversations in progress keep the version they started on.` });
      await load();
    } catch (e) {
      setNotice({ kind: 'error', text: `Not rolled back: ${(e as Error).message}` });
    } finally {
      setBusy(false);
      setTarget(null);
    }
  };

  if (!versions) return notice ? <Notice kind="error">{notice.text}</Notice> : <div class="loading">Loading versions…</div>;
  const sides: Side[] = [...(draft !== null ? (['draft'] as Side[]) : []), ...versions.map((v) => v.version).reverse()];
  const picker = (value: Side | null, set: (s: Side) => void, label: string) => (
    <label class="picker">
      {label}{' '}
      <select aria-label={label} value={value === null ? '' : String(value)} onChange={(e) => {
        const v = (e.target as HTMLSelectElement).value;
        set(v === 'draft' ? 'draft' : Number(v));
      }}>
        {sides.map((s) => (
          <option value={String(s)}>
            {sideName(s)}
            {typeof s === 'number' && versions.find((v) => v.version === s)?.active ? ' (active)' : ''}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div class="versions-page">
      <div class="toolbar">
        <div class="crumbs">
          <Link to="/">Threads</Link> / <Link to={`/threads/${id}`}>{id}</Link> / <b>versions</b>
        </div>
      </div>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <div class="versions-layout">
        <table class="list versions" data-testid="versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Published</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...versions].reverse().map((v) => (
              <tr key={v.version} data-version={v.version} class={v.active ? 'active-row' : ''}>
                <td class="strong">v{v.version}</td>
                <td class="small">{when(v.publishedAt)}</td>
                <td>{v.active ? <span class="pill ok">active</span> : <span class="muted small">inactive</span>}</td>
                <td class="actions">
                  {!v.active && (
                    <button type="button" onClick={() => setTarget(v)}>
                      Roll back to v{v.version}…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="diff-block">
          <div class="diff-head">
            {picker(a, setA, 'Left')}
            {picker(b, setB, 'Right')}
            {texts && texts.a === texts.b && <span class="muted small">identical</span>}
          </div>
          {texts ? <DiffView a={texts.a} b={texts.b} /> : <div class="loading">Loading…</div>}
        </div>
      </div>
      {target && (
        <Confirm title={`Roll back ${id} to v${target.version}?`} action={`Make v${target.version} active`} danger onCancel={() => setTarget(null)} onConfirm={() => void doRollback()} busy={busy}>
          <p>
            <b>New conversations</b> will start on v{target.version} (published {when(target.publishedAt)}) instead of v{versions.find((v) => v.active)?.version}.
          </p>
          <p>Conversations already in progress are not affected: they keep the version they started on. The draft is not changed.</p>
        </Confirm>
      )}
    </div>
  );
}
