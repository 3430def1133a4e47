// The onboarding report as charts: conversations by scenario, auth status and onboarding type, and the trusted share per day, for a date range and a widget.
import { useEffect, useState } from 'preact/hooks';
import { listWidgets, type WidgetSummary } from '../api.ts';
import { BarChart, type Bar } from '../charts/BarChart.tsx';
import { DailyShareChart } from '../charts/DailyShareChart.tsx';
import { getOnboardingReport } from '../conversations/conversation-api.ts';
import type { OnboardingReport } from '../conversations/conversation-types.ts';
import { addDays, AUTH_STATUSES, isDay, ONBOARDING_TYPES, SCENARIO_COLORS, SCENARIO_LABELS, SCENARIOS, today, words } from '../conversations/labels.ts';
import { useUrlQuery } from '../conversations/url-query.ts';
import { Notice } from '../ui.tsx';
import '../conversations/conversations.css';

const AUTH_COLORS: Record<string, string> = { anonymous: '#8a93a3', identified: '#3b6fd1', authenticated: '#1f9d55' };
const ONBOARDING_COLORS: Record<string, string> = { none: '#8a93a3', code: '#2a46a8', form: '#6a2fb0', optional_form: '#17706a' };

/** The range shown: the URL's days (to inclusive), else the 30 days ending today (UTC). */
function range(q: Record<string, string>): { from: string; to: string } {
  const to = isDay(q.to) ? q.to : today();
  const from = isDay(q.from) ? q.from : addDays(to, -29);
  return { from, to };
}

export function ReportsPage() {
  const [q, setQuery] = useUrlQuery();
  const [widgets, setWidgets] = useState<WidgetSummary[]>([]);
  const [report, setReport] = useState<OnboardingReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { from, to } = range(q);
  const widgetId = q.widgetId ?? '';

  useEffect(() => {
    listWidgets().then(setWidgets, () => setWidgets([]));
  }, []);
  useEffect(() => {
    let current = true;
    setError(null);
    // The API's `to` is exclusive: the day after the last day shown.
    getOnboardingReport({ from, to: addDays(to, 1), ...(widgetId ? { widgetId } : {}) }).then(
      (r) => current && setReport(r),
      (e: Error) => {
        if (!current) return;
        setReport(null);
        setError(e.message);
      },
    );
    return () => {
      current = false;
    };
  }, [from, to, widgetId]);

  const set = (name: string, value: string) => setQuery({ ...q, from, to, [name]: value });
  const bars = (counts: Record<string, number>, keys: readonly string[], label: (k: string) => string, colors: Record<string, string>): Bar[] =>
    keys.map((k) => ({ key: k, label: label(k), value: counts[k] ?? 0, color: colors[k] ?? '#8a93a3' }));

  return (
    <div class="admin-page" data-testid="reports-page">
      <div class="page-head">
        <h2>Onboarding report</h2>
        <span class="muted">Conversations started in the range, counted by the scenario, identity and onboarding type they have now.</span>
      </div>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          From
          <input type="date" name="from" value={from} onChange={(e) => set('from', (e.target as HTMLInputElement).value)} />
        </label>
        <label>
          To (inclusive)
          <input type="date" name="to" value={to} onChange={(e) => set('to', (e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Widget
          <select name="widgetId" value={widgetId} onChange={(e) => set('widgetId', (e.target as HTMLSelectElement).value)}>
            <option value="">All widgets</option>
            {widgets.map((w) => (
              <option value={w.id}>{w.id}</option>
            ))}
          </select>
        </label>
        <div class="filter-actions">
          <button type="button" onClick={() => setQuery({})}>
            Last 30 days
          </button>
        </div>
      </form>
      {error && <Notice kind="error">{error}</Notice>}
      {!report && !error && <div class="loading">Counting…</div>}
      {report && (
        <>
          <div class="tiles" data-testid="totals">
            <div class="tile" data-key="conversations" data-count={report.conversations}>
              <div class="value">{report.conversations}</div>
              <div class="label">conversations started</div>
            </div>
            <div class="tile" data-key="customerMessages" data-count={report.customerMessages}>
              <div class="value">{report.customerMessages}</div>
              <div class="label">customer messages</div>
            </div>
            <div class="tile" data-key="trustedMessages" data-count={report.trustedMessages}>
              <div class="value">{report.trustedMessages}</div>
              <div class="label">trusted messages</div>
            </div>
            <div class="tile" data-key="trustedShare" data-count={report.trustedShare}>
              <div class="value">{report.customerMessages ? `${Math.round(report.trustedShare * 1000) / 10}%` : '—'}</div>
              <div class="label">trusted share of customer messages</div>
            </div>
          </div>
          <div class="charts">
            <BarChart
              id="by-scenario"
              title="Conversations by scenario"
              hint="From most ideal (signed in before the chat) to most undesired (signed in as another person); visitors never identified."
              unit="conversations"
              bars={bars(report.byScenario, SCENARIOS, (k) => SCENARIO_LABELS[k as keyof typeof SCENARIO_LABELS], SCENARIO_COLORS)}
            />
            <BarChart id="by-auth-status" title="Conversations by auth status" hint="The identity each conversation has now." unit="conversations" bars={bars(report.byAuthStatus, AUTH_STATUSES, (k) => k, AUTH_COLORS)} />
            <BarChart id="by-onboarding-type" title="Conversations by onboarding type" hint="The onboarding of the widget each conversation started on." unit="conversations" bars={bars(report.byOnboardingType, ONBOARDING_TYPES, words, ONBOARDING_COLORS)} />
            <DailyShareChart days={report.byDay} />
          </div>
        </>
      )}
    </div>
  );
}
