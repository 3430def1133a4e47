// The onboarding report on PostgreSQL: two aggregate queries per UTC day in one snapshot, never a state loaded.
import { buildOnboardingReport, reportDays, type ReportGroup, type ReportMessages } from '../onboarding-report.ts';
import type { OnboardingReport, ReportQuery, ReportRepository } from '../store.port.ts';
import { isoTimestamp } from '../timestamps.ts';
import { transaction } from './connection.ts';
import type { PgDb } from './turn-scope.ts';

const IN_RANGE = 'c.created_at >= $1 AND c.created_at < $2 AND ($3::text IS NULL OR c.widget_id = $3)';
// The UTC day whatever the session's TimeZone, in the same shape as SQLite's substr of canonical ISO text.
const DAY = `to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;

export class PostgresReports implements ReportRepository {
  constructor(private readonly db: PgDb) {}

  onboarding(q: ReportQuery): Promise<OnboardingReport> {
    return onboardingReport(this.db, q);
  }
}

async function onboardingReport(db: PgDb, q: ReportQuery): Promise<OnboardingReport> {
  const range = { from: isoTimestamp(q.from, 'from'), to: isoTimestamp(q.to, 'to') };
  const days = reportDays(range.from, range.to);
  const params = [range.from, range.to, q.widgetId ?? null];
  // REPEATABLE READ: both queries see the same commits, as SQLite's single read transaction does.
  const { groups, messages } = await transaction(
    db,
    async (c) => {
      const groups = await c.query<ReportGroup>(
        `SELECT ${DAY} AS day, c.scenario, c.auth_status AS "authStatus", c.onboarding_type AS "onboardingType", count(*)::int AS count
         FROM conversations c WHERE ${IN_RANGE}
         GROUP BY 1, c.scenario, c.auth_status, c.onboarding_type`,
        params,
      );
      const messages = await c.query<ReportMessages>(
        `SELECT ${DAY} AS day, count(*)::int AS customer, count(*) FILTER (WHERE t.trusted)::int AS trusted
         FROM timeline_entries t JOIN conversations c ON c.id = t.conversation_id
         WHERE t.sender = 'customer' AND ${IN_RANGE}
         GROUP BY 1`,
        params,
      );
      return { groups: groups.rows, messages: messages.rows };
    },
    { isolation: 'REPEATABLE READ', readOnly: true },
  );
  return buildOnboardingReport(range, days, groups, messages);
}
