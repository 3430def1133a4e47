// The widget screen: its YAML in CodeMirror with diagnostics as you type, its JWT settings with each secret's source (never a value), save.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { parse } from 'yaml';
import { checkWidget, getWidget, putWidget, type ApiError, type Issue } from '../api.ts';
import { ProblemList } from '../editor/ProblemList.tsx';
import { YamlEditor, type EditorHandle } from '../editor/YamlEditor.tsx';
import { Link, Notice, when } from '../ui.tsx';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface KeyRow {
  kid: string;
  alg: string;
  source: string;
  warn: boolean;
}

/** Where each JWT key comes from, in words; an inline value is named as such and never shown here. */
function jwtKeys(doc: unknown): { keys: KeyRow[]; jwks: string | null; issuer: string | null; audience: string | null } | null {
  if (!isObj(doc) || !isObj(doc.jwt)) return null;
  const jwt = doc.jwt;
  const keys = (Array.isArray(jwt.keys) ? jwt.keys : []).filter(isObj).map((k): KeyRow => {
    const field = (['secret', 'publicKey', 'jwk'] as const).find((f) => k[f] !== undefined);
    const v = field ? k[field] : undefined;
    let source = 'none given';
    let warn = false;
    if (isObj(v) && typeof v.env === 'string') source = `${field} from environment variable ${v.env}`;
    else if (field === 'jwk') source = 'public JWK in the file';
    else if (typeof v === 'string') {
      source = field === 'secret' ? 'secret written in the file (move it to { env: NAME })' : 'PEM public key in the file';
      warn = field === 'secret';
    }
    return { kid: typeof k.kid === 'string' ? k.kid : '(no kid)', alg: String(k.alg ?? '?'), source, warn };
  });
  const str = (x: unknown) => (typeof x === 'string' ? x : null);
  return { keys, jwks: isObj(jwt.jwks) ? str(jwt.jwks.url) : str(jwt.jwksUrl), issuer: str(jwt.issuer), audience: str(jwt.audience) };
}

export function WidgetPage({ id }: { id: string }) {
  const [loaded, setLoaded] = useState<{ source: string; updatedAt: string } | null>(null);
  const [text, setText] = useState('');
  const [saved, setSaved] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [notice, setNotice] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const editor = useRef<EditorHandle | null>(null);

  useEffect(() => {
    getWidget(id).then(
      (w) => {
        setLoaded(w);
        setText(w.source);
        setSaved(w.source);
      },
      (e: Error) => setError(e.message),
    );
  }, [id]);

  const doc = useMemo(() => {
    try {
      return parse(text, { maxAliasCount: 50 }) as unknown;
    } catch {
      return null;
    }
  }, [text]);
  const jwt = jwtKeys(doc);
  const threadId = isObj(doc) && typeof doc.thread === 'string' ? doc.thread : null;

  const save = async () => {
    try {
      const r = await putWidget(id, text);
      setSaved(text);
      setNotice({ kind: 'ok', text: `Widget saved ${when(r.updatedAt)}; new conversations on it use this file.` });
    } catch (e) {
      const err = e as ApiError;
      if (err.issues?.length) setIssues(err.issues.map((i) => ({ ...i, severity: 'error' })));
      setNotice({ kind: 'error', text: `Not saved: ${err.message}` });
    }
  };

  if (error) return <Notice kind="error">{error}</Notice>;
  if (!loaded) return <div class="loading">Loading {id}…</div>;
  return (
    <div class="thread-page">
      <div class="toolbar">
        <div class="crumbs">
          <Link to="/">Widgets</Link> / <b>{id}</b>
          {threadId && (
            <span class="muted small">
              {' '}
              starts <Link to={`/threads/${threadId}`}>{threadId}</Link>
            </span>
          )}
        </div>
        <span class={`pill ${saved !== text ? 'warn' : 'muted'}`}>{saved !== text ? 'unsaved changes' : 'saved'}</span>
        <div class="spacer" />
        <button type="button" class="primary" onClick={() => void save()} disabled={saved === text}>
          Save widget
        </button>
      </div>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <div class="split">
        <div class="pane editor-pane">
          <YamlEditor
            label={`YAML of widget ${id}`}
            hideSecrets
            initial={loaded.source}
            onChange={setText}
            check={async (t) => {
              let tid: string | null = null;
              try {
                const d = parse(t, { maxAliasCount: 50 }) as unknown;
                tid = isObj(d) && typeof d.thread === 'string' ? d.thread : null;
              } catch {
                /* the YAML error comes back from the server with its line */
              }
              return (await checkWidget(t, tid)).issues;
            }}
            onIssues={setIssues}
            handle={(h) => (editor.current = h)}
          />
          <ProblemList
            issues={issues}
            source="compiled with its thread via POST /v1/evaluate; JWT secrets are checked on save"
            onReveal={(line, column) => editor.current?.reveal(line, column)}
          />
        </div>
        <div class="pane side-pane">
          <h3>Onboarding</h3>
          <p>
            <span class={`pill onboarding-${isObj(doc) ? String(doc.onboarding) : 'none'}`}>{isObj(doc) ? String(doc.onboarding ?? '?') : '?'}</span>
          </p>
          <h3>User Identity JWT</h3>
          {!jwt && <p class="muted">No JWT settings: customers are identified by code or form only, never trusted.</p>}
          {jwt && (
            <div data-testid="jwt">
              <p class="small">
                issuer <code>{jwt.issuer ?? '—'}</code> · audience <code>{jwt.audience ?? '—'}</code>
                {jwt.jwks && (
                  <>
                    {' '}
                    · JWKS <code>{jwt.jwks}</code>
                  </>
                )}
              </p>
              <table class="list">
                <thead>
                  <tr>
                    <th>kid</th>
                    <th>alg</th>
                    <th>key source</th>
                  </tr>
                </thead>
                <tbody>
                  {jwt.keys.map((k) => (
                    <tr>
                      <td>
                        <code>{k.kid}</code>
                      </td>
                      <td>{k.alg}</td>
                      <td class={k.warn ? 'warn-text' : ''}>{k.source}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p class="hint">Secret values are never shown by the studio; the server resolves them from its environment when the widget is saved.</p>
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
