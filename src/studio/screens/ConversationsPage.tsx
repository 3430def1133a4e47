// The conversations screen: every conversation newest first from GET /v1/conversations, filtered by widget, scenario, status, auth status and dates kept in the URL, a page at a time.
import { useEffect, useState } from 'preact/hooks';
import { listWidgets, type WidgetSummary } from '../api.ts';
import { listConversations } from '../conversations/conversation-api.ts';
import type { ConversationSummary } from '../conversations/conversation-types.ts';
import { addDays, AUTH_STATUSES, isDay, SCENARIO_LABELS, SCENARIOS, scenarioLabel, STATUSES, words } from '../conversations/labels.ts';
import { rememberListSearch, useUrlQuery, type QueryValues } from '../conversations/url-query.ts';
import { Link, Notice, when } from '../ui.tsx';
import '../conversations/conversations.css';

const FILTERS = ['widgetId', 'scenario', 'status', 'authStatus', 'from', 'to'] as const;

/** The API's query for the filters in the URL. `to` is the last day shown (inclusive); the API's `to` is exclusive. */
function apiQuery(q: QueryValues): Record<string, string | undefined> {
  const limit = Number(q.limit);
  return {
    widgetId: q.widgetId,
    scenario: q.scenario,
    status: q.status,
    authStatus: q.authStatus,
    from: isDay(q.from) ? q.from : undefined,
    to: isDay(q.to) ? addDays(q.to, 1) : undefined,
    limit: Number.isInteger(limit) && limit >= 1 && limit <= 100 ? String(limit) : undefined,
  };
}

function Select({ label, name, value, options, onChange }: { label: string; name: string; value: string; options: [string, string][]; onChange: (v: string) => void }) {
  return (
    <label>
      {label}
      <select name={name} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {options.map(([v, text]) => (
          <option value={v}>{text}</option>
        ))}
      </select>
    </label>
  );
}

export function ConversationsPage() {
  const [q, setQuery] = useUrlQuery();
  const [widgets, setWidgets] = useState<WidgetSummary[]>([]);
  const [rows, setRows] = useState<ConversationSummary[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const params = apiQuery(q);
  const key = JSON.stringify(params);
  rememberListSearch(location.search);

  useEffect(() => {
    listWidgets().then(setWidgets, () => setWidgets([]));
  }, []);

  useEffect(() => {
    let current = true;
    setRows(null);
    setError(null);
    listConversations(params).then(
      (page) => {
        if (!current) return;
        setRows(page.conversations);
        setNext(page.nextCursor);
      },
      (e: Error) => current && setError(e.message),
    );
    return () => {
      current = false;
    };
  }, [key]);

  const more = async () => {
    if (!next) return;
    setBusy(true);
    try {
      const page = await listConversations({ ...params, cursor: next });
      setRows((r) => [...(r ?? []), ...page.conversations]);
      setNext(page.nextCursor);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const set = (name: string, value: string) => setQuery({ ...q, [name]: value });
  const any = (label: string): [string, string] => ['', label];
  return (
    <div class="admin-page" data-testid="conversations-page">
      <div class="page-head">
        <h2>Conversations</h2>
        <span class="muted">Newest first. Scenarios follow the onboarding seed, from most ideal (signed in when the chat started) to most undesired (signed in as someone else).</span>
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Select label="Widget" name="widgetId" value={q.widgetId ?? ''} onChange={(v) => set('widgetId', v)} options={[any('All widgets'), ...widgets.map((w): [string, string] => [w.id, w.id])]} />
        <Select label="Scenario" name="scenario" value={q.scenario ?? ''} onChange={(v) => set('scenario', v)} options={[any('All scenarios'), ...SCENARIOS.map((s): [string, string] => [s, SCENARIO_LABELS[s]])]} />
        <Select label="Status" name="status" value={q.status ?? ''} onChange={(v) => set('status', v)} options={[any('All statuses'), ...STATUSES.map((s): [string, string] => [s, words(s)])]} />
        <Select label="Auth status" name="authStatus" value={q.authStatus ?? ''} onChange={(v) => set('authStatus', v)} options={[any('Any identity'), ...AUTH_STATUSES.map((s): [string, string] => [s, s])]} />
        <label>
          From
          <input type="date" name="from" value={q.from ?? ''} onChange={(e) => set('from', (e.target as HTMLInputElement).value)} />
        </label>
        <label>
          To (inclusive)
          <input type="date" name="to" value={q.to ?? ''} onChange={(e) => set('to', (e.target as HTMLInputElement).value)} />
        </label>
        <div class="filter-actions">
          <button type="button" disabled={!FILTERS.some((f) => q[f])} onClick={() => setQuery(q.limit ? { limit: q.limit } : {})}>
            Clear filters
          </button>
        </div>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {!rows && !error && <div class="loading">Loading conversations…</div>}
      {rows && rows.length === 0 && <div class="empty">No conversation matches these filters.</div>}
      {rows && rows.length > 0 && (
        <table class="list conversations" data-testid="conversations">
          <thead>
            <tr>
              <th>Conversation</th>
              <th>Widget</th>
              <th>Scenario</th>
              <th>Status</th>
              <th>Auth status</th>
              <th class="num" title="trusted / customer messages">Trusted / customer</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id} data-conversation={c.id} data-scenario={c.scenario}>
                <td class="id">
                  <Link to={`/conversations/${encodeURIComponent(c.id)}`}>{c.id}</Link>
                </td>
                <td>{c.widgetId}</td>
                <td>
                  <span class={`pill scenario-${c.scenario}`}>{scenarioLabel(c.scenario)}</span>
                </td>
                <td>
                  <span class={`pill status-${c.status}`}>{words(c.status)}</span>
                </td>
                <td>
                  <span class={`pill auth-${c.authStatus}`}>{c.authStatus}</span>
                </td>
                <td class="num" data-trusted={c.trustedMessages} data-customer={c.customerMessages}>
                  {c.trustedMessages} / {c.customerMessages}
                </td>
                <td class="muted small">{when(c.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows && rows.length > 0 && (
        <div class="list-foot">
          <span class="muted" data-testid="shown">
            {rows.length} shown{next ? '' : ' · all of them'}
          </span>
          {next && (
            <button type="button" class="primary" onClick={() => void more()} disabled={busy}>
              {busy ? 'Loading…' : 'Load more'}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
