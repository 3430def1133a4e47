// Admin report routes: onboarding scenarios, identity and trusted-message share over a time range.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdSchema } from '../../core/thread.schema.ts';
import { HttpError } from '../error-catalogue.ts';

const DEFAULT_RANGE_MS = 30 * 86_400_000;
const IsoDateTime = z.iso.datetime({ offset: true });

const ReportQuery = z
  .object({
    from: IsoDateTime.optional().describe('Start (inclusive), ISO 8601; default: 30 days before `to`.'),
    to: IsoDateTime.optional().describe('End (exclusive), ISO 8601; default: now.'),
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
      schema: { summary: 'Onboarding report: conversations started in [from, to) by scenario, auth status and onboarding type, and the trusted share of customer messages', tags: ['reports'], querystring: ReportQuery },
    },
    async (request) => {
      const q = request.query;
      // Defaults come from the app clock, not Date.now(), so tests and replays see the same window.
      const to = q.to ? new Date(q.to) : clock();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - DEFAULT_RANGE_MS);
      if (from.getTime() >= to.getTime()) {
        const message = `from (${from.toISOString()}) must be before to (${to.toISOString()}).`;
        throw new HttpError('validation_failed', `Invalid request: querystring.from: ${message}`, { issues: [{ field: 'querystring.from', message }] });
      }
      return reports.onboarding({ from: from.toISOString(), to: to.toISOString(), ...(q.widgetId ? { widgetId: q.widgetId } : {}) });
    },
  );
};
