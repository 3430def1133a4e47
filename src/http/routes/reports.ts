// Admin report routes: onboarding scenarios, identity and trusted-message share over a time range, in total and per UTC day.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdSchema } from '../../core/thread.schema.ts';
import { REPORT_MAX_DAYS, reportDayCount } from '../../store/onboarding-report.ts';
import { assertRangeOrder, QueryInstant, queryInvalid } from '../query-time.ts';
import { OnboardingReportSchema } from '../schemas/onboarding-report.ts';

const DEFAULT_RANGE_MS = 30 * 86_400_000;
const EARLIEST_INSTANT = Date.parse('0001-01-01T00:00:00Z');

const ReportQuery = z
  .object({
    from: QueryInstant.optional().describe('Start (inclusive): ISO 8601, or a date (UTC midnight); default: 30 days before `to`.'),
    to: QueryInstant.optional().describe('End (exclusive): ISO 8601, or a date (UTC midnight); default: now.'),
    widgetId: IdSchema.optional().describe('Only conversations on this widget.'),
  })
  .strict();

export const reportRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { clock } = app.services;
  const { reports } = app.services.store;

  app.get(
    '/v1/reports/onboarding',
    {
      config: { roles: ['admin'] },
      schema: {
        summary: 'Onboarding report: conversations started in [from, to) by scenario, auth status and onboarding type, and the trusted share of customer messages, in total and per UTC day',
        tags: ['reports'],
        querystring: ReportQuery,
        response: { 200: OnboardingReportSchema },
      },
    },
    async (request) => {
      const q = request.query;
      // Defaults come from the app clock, not Date.now(), so tests and replays see the same window.
      const to = q.to ?? clock().toISOString();
      // A `to` in the first days of year 1 would default `from` out of the stores' years; start at year 1 then.
      const from = q.from ?? new Date(Math.max(Date.parse(to) - DEFAULT_RANGE_MS, EARLIEST_INSTANT)).toISOString();
      assertRangeOrder(from, to);
      const days = reportDayCount(Date.parse(from), Date.parse(to));
      if (days > REPORT_MAX_DAYS) throw queryInvalid('from', `[from, to) covers ${days} UTC days; a report covers at most ${REPORT_MAX_DAYS} (byDay has one entry per day).`);
      return reports.onboarding({ from, to, ...(q.widgetId ? { widgetId: q.widgetId } : {}) });
    },
  );
};
