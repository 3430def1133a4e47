// Thread Studio's entry: the key screen, the threads and widgets lists, a new thread from a template, and the lazily loaded editing screens.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, forgetKey, hasKey, listThreads, listVersions, listWidgets, putDraft, setKey, type ThreadSummary, type VersionSummary, type WidgetSummary } from './api.ts';
import { Confirm, lazyScreen, Link, navigate, Notice, usePath, when } from './ui.tsx';
import './styles.css';

const ThreadPage = lazyScreen<{ id: string }>(() => import('./screens/ThreadPage.tsx').then((m) => m.ThreadPage));
const VersionsPage = lazyScreen<{ id: string }>(() => import('./screens/VersionsPage.tsx').then((m) => m.VersionsPage));
const WidgetPage = lazyScreen<{ id: string }>(() => import('./screens/WidgetPage.tsx').then((m) => m.WidgetPage));
// Conversations and reports (issue #14, part 2).
const ConversationsPage = lazyScreen<Record<string, never>>(() => import('./screens/ConversationsPage.tsx').then((m) => m.ConversationsPage));
const ConversationPage = lazyScreen<{ segment: string }>(() => import('./screens/ConversationPage.tsx').then((m) => m.ConversationPage));
const ReportsPage = lazyScreen<Record<string, never>>(() => import('./screens/ReportsPage.tsx').then((m) => m.ReportsPage));

function KeyScreen({ reason, onReady }: { reason: string | null; onReady: () => void }) {
  const [key, setValue] = useState('');
  const [error, setError] = useState<string | null>(reason);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const k = key.trim();
    if (!k) return;
    setBusy(true);
    setKey(k);
    try {
      // Any admin route tells whether the key is known and has the admin role.
      await listThreads();
      onReady();
    } catch (err) {
      forgetKey();
      if (err instanceof ApiError && err.status === 401) setError('This key is not valid. Use an admin key from the keys file (data/api-keys.json, role "admin").');
      else if (err instanceof ApiError && err.status === 403) setError(`This key is valid but lacks the admin role, so it cannot author threads. ${err.message}`);
      else setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="key-screen">
      <form class="key-card" onSubmit={submit}>
        <h1>
          <span class="brand">threadgate</span> Thread Studio
        </h1>
        <p>Paste an admin API key. It is kept in this tab only (sessionStorage) and sent as a Bearer header; it is never put in a URL.</p>
        <label for="admin-key">Admin API key</label>
        <input id="admin-key" type="password" autocomplete="off" spellcheck={false} placeholder="tg_admin_…" value={key} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
        {error && (
          <Notice kind="error">
            <span data-testid="key-error">{error}</span>
          </Notice>
        )}
        <button type="submit" class="primary" disabled={busy || !key.trim()}>
          {busy ? 'Checking…' : 'Open the studio'}
        </button>
        <p class="hint">
          On a development server the key is in <code>data/api-keys.json</code> (the entry with <code>"role": "admin"</code>).
        </p>
      </form>
    </main>
  );
}

interface ThreadRow extends ThreadSummary {
  active: VersionSummary | null;
  versions: number;
}

/** "unpublished changes" when the draft was saved after the active version was published. */
function draftState(t: ThreadRow): { text: string; cls: string } {
  if (!t.draftUpdatedAt) return { text: 'no draft', cls: 'muted' };
  if (!t.active) return { text: 'draft, never published', cls: 'warn' };
  return Date.parse(t.draftUpdatedAt) > Date.parse(t.active.publishedAt) ? { text: 'unpublished changes', cls: 'warn' } : { text: 'same as published', cls: 'ok' };
}

const TEMPLATE = (id: string) => `kind: thread
id: ${id}
title: ${id.replace(/[-_]/g, ' ')}
start: greet

steps:
  greet:
    next:
      - name: signed in
        when: { fact: auth.trusted, operator: equal, value: true }
        goto: welcome_back
      - name: visitor
        goto: welcome

  welcome_back:
    say: "Hi {{auth.firstName | there}}! You're signed in."
    next: ask_topic

  welcome:
    say: Hi! How can I help?
    next: ask_topic

  ask_topic:
    ask: { slot: topic, type: text, prompt: What can I help you with? }
    next: agent

  agent:
    say: Let me connect you with one of our agents.
    action: { type: handoff, queue: general, note: "Auth: {{auth.status}}." }
`;

function NewThread({ existing, onClose }: { existing: string[]; onClose: () => void }) {
  const [id, setId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const valid = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(id);
  const create = async () => {
    if (existing.includes(id)) return setError(`A thread "${id}" exists already; open it from the list.`);
    try {
      await putDraft(id, TEMPLATE(id));
      navigate(`/threads/${id}`);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Confirm title="New thread from a template" action="Create draft" onCancel={onClose} onConfirm={() => void create()} busy={!valid}>
      <label for="new-id">Thread id</label>
      <input id="new-id" value={id} placeholder="billing" onInput={(e) => setId((e.target as HTMLInputElement).value.trim())} />
      <p class="hint">Letters, digits, _ or -, starting with a letter. The template greets signed-in customers and visitors differently, asks for the topic and hands off; nothing goes live until you publish.</p>
      {error && <Notice kind="error">{error}</Notice>}
    </Confirm>
  );
}

function Home() {
  const [threads, setThreads] = useState<ThreadRow[] | null>(null);
  const [widgets, setWidgets] = useState<WidgetSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  useEffect(() => {
    Promise.all([listThreads(), listWidgets()])
      .then(async ([ts, ws]) => {
        setWidgets(ws);
        const rows = await Promise.all(
          ts.map(async (t) => {
            const versions = t.activeVersion === null ? [] : await listVersions(t.id).catch(() => []);
            return { ...t, active: versions.find((v) => v.active) ?? null, versions: versions.length };
          }),
        );
        setThreads(rows);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!threads) return <div class="loading">Loading threads…</div>;
  return (
    <div class="home">
      <section>
        <div class="section-head">
          <h2>Threads</h2>
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            New thread
          </button>
        </div>
        <table class="list" data-testid="threads">
          <thead>
            <tr>
              <th>Thread</th>
              <th>Active version</th>
              <th>Draft</th>
              <th>Started by widgets</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {threads.map((t) => {
              const d = draftState(t);
              const starters = widgets.filter((w) => w.thread === t.id);
              return (
                <tr key={t.id} data-thread={t.id}>
                  <td>
                    <Link to={`/threads/${t.id}`} class="strong">
                      {t.id}
                    </Link>
                  </td>
                  <td>{t.active ? <span title={`published ${when(t.active.publishedAt)}`}>v{t.active.version} of {t.versions}</span> : <span class="muted">not published</span>}</td>
                  <td>
                    <span class={`pill ${d.cls}`}>{d.text}</span>
                    {t.draftUpdatedAt && <span class="muted small"> saved {when(t.draftUpdatedAt)}</span>}
                  </td>
                  <td>{starters.length ? starters.map((w) => <span class="chip">{w.id}</span>) : <span class="muted">none</span>}</td>
                  <td class="actions">
                    <Link to={`/threads/${t.id}`}>Edit</Link>
                    {t.active && <Link to={`/threads/${t.id}/versions`}>Versions</Link>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section>
        <div class="section-head">
          <h2>Widgets</h2>
        </div>
        <table class="list" data-testid="widgets">
          <thead>
            <tr>
              <th>Widget</th>
              <th>Name</th>
              <th>Onboarding</th>
              <th>Starts thread</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {widgets.map((w) => (
              <tr key={w.id} data-widget={w.id}>
                <td>
                  <Link to={`/widgets/${w.id}`} class="strong">
                    {w.id}
                  </Link>
                </td>
                <td>{w.name ?? <span class="muted">—</span>}</td>
                <td>
                  <span class={`pill onboarding-${w.onboarding ?? 'none'}`}>{w.onboarding ?? '?'}</span>
                </td>
                <td>{w.thread ? <Link to={`/threads/${w.thread}`}>{w.thread}</Link> : '—'}</td>
                <td class="muted small">{when(w.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {creating && <NewThread existing={threads.map((t) => t.id)} onClose={() => setCreating(false)} />}
    </div>
  );
}

function App() {
  const path = usePath();
  const [ready, setReady] = useState(hasKey());
  const [reason, setReason] = useState<string | null>(null);
  useEffect(() => {
    const onFail = (e: Event) => {
      const { status, message } = (e as CustomEvent<{ status: number; message: string }>).detail;
      forgetKey();
      setReason(status === 401 ? 'The key was refused (401). Paste a valid admin key.' : `The key lacks the admin role (403). ${message}`);
      setReady(false);
    };
    window.addEventListener('tg-auth-failed', onFail);
    return () => window.removeEventListener('tg-auth-failed', onFail);
  }, []);
  if (!ready) return <KeyScreen reason={reason} onReady={() => (setReason(null), setReady(true))} />;
  const m = /^\/(threads|widgets)\/([A-Za-z][A-Za-z0-9_-]{0,63})(\/versions)?$/.exec(path);
  let screen;
  if (m?.[1] === 'threads' && m[3]) screen = <VersionsPage key={`v-${m[2]}`} id={m[2]!} />;
  else if (m?.[1] === 'threads') screen = <ThreadPage key={`t-${m[2]}`} id={m[2]!} />;
  else if (m?.[1] === 'widgets' && !m[3]) screen = <WidgetPage key={`w-${m[2]}`} id={m[2]!} />;
  else screen = <Home />;
  // Conversations and reports: kept apart from the routes above.
  const conversation = /^\/conversations(?:\/([^/]{1,300}))?$/.exec(path);
  if (conversation) screen = conversation[1] ? <ConversationPage key={`c-${conversation[1]}`} segment={conversation[1]} /> : <ConversationsPage />;
  if (path === '/reports') screen = <ReportsPage />;
  return (
    <div class="app">
      <header class="topbar">
        <Link to="/" class="brand">
          threadgate <b>Studio</b>
        </Link>
        <nav>
          <Link to="/">Threads &amp; widgets</Link>
          <Link to="/conversations">Conversations</Link>
          <Link to="/reports">Reports</Link>
          <a href="/docs">API docs</a>
        </nav>
        <button
          type="button"
          class="ghost"
          onClick={() => {
            forgetKey();
            setReady(false);
          }}
        >
          Forget key
        </button>
      </header>
      <main class="content">{screen}</main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
