// The onboarding report on SQLite: two aggregate queries per UTC day over an index on created_at, never a state loaded.
import type { Database } from 'better-sqlite3';
import { buildOnboardingReport, reportDays, type ReportGroup, type ReportMessages } from '../onboarding-report.ts';
import type { OnboardingReport, ReportQuery, ReportRepository } from '../store.port.ts';
import { isoTimestamp } from '../timestamps.ts';

type Range = { from: string; to: string; widgetId: string | null };

const IN_RANGE = 'c.created_at >= @from AND c.created_at < @to AND (@widgetId IS NULL OR c.widget_id = @widgetId)';
// created_at is canonical ISO text (timestamps.ts), so its first ten characters are the UTC day.
const DAY = 'substr(c.created_at, 1, 10)';

export class SqliteReports implements ReportRepository {
  private readonly groups;
  private readonly messages;
  private readonly snapshot;

  constructor(db: Database) {
    this.groups = db.prepare<Range, ReportGroup>(
      `SELECT ${DAY} AS day, c.scenario, c.auth_status AS authStatus, c.onboarding_type AS onboardingType, count(*) AS count
       FROM conversations c WHERE ${IN_RANGE}
       GROUP BY day, c.scenario, c.auth_status, c.onboarding_type`,
    );
    this.messages = db.prepare<Range, ReportMessages>(
      `SELECT ${DAY} AS day, count(*) AS customer, coalesce(sum(t.trusted = 1), 0) AS trusted
       FROM timeline_entries t JOIN conversations c ON c.id = t.conversation_id
       WHERE t.sender = 'customer' AND ${IN_RANGE}
       GROUP BY day`,
    );
    // One read transaction, so both queries see the same commits.
    this.snapshot = db.transaction((range: Range) => ({ groups: this.groups.all(range), messages: this.messages.all(range) }));
  }

  async onboarding(q: ReportQuery): Promise<OnboardingReport> {
    const range: Range = { from: isoTimestamp(q.from, 'from'), to: isoTimestamp(q.to, 'to'), widgetId: q.widgetId ?? null };
    const days = reportDays(range.from, range.to);
    const { groups, messages } = this.snapshot.deferred(range);
    return buildOnboardingReport(range, days, groups, messages);
  }
}
