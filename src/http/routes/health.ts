// Liveness, readiness and Prometheus metrics for orchestrators and scrapers; public, and free of customer data.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { HttpError } from '../error-catalogue.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics.ts';
import { HealthStatusSchema, MetricsTextAnswer } from '../schemas/platform-answers.ts';

export const healthRoutes: FastifyPluginAsync = async (root) => {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const { store } = app.services;

  app.get(
    '/healthz',
    {
      schema: { summary: 'Liveness: 200 while the process runs', tags: ['platform'], response: { 200: HealthStatusSchema } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { errors: ['not_ready', 'shutting_down'] },
      schema: {
        summary: 'Readiness: 200 when the database answers and commits a probe write (and the last writes succeeded); 503 not_ready or shutting_down otherwise',
        tags: ['platform'],
        response: { 200: HealthStatusSchema },
      },
    },
    async (request) => {
      if (app.shuttingDown.value) throw new HttpError('shutting_down');
      try {
        await store.ping();
      } catch (err) {
        // The cause goes to the log (its type only), never to the answer.
        request.log.warn({ err: { type: (err as Error)?.name } }, 'readiness: store ping failed');
        throw new HttpError('not_ready');
      }
      const readiness = await app.storeHealth.readiness(store, app.services.clock().toISOString());
      if (!readiness.ready) {
        request.log.warn(readiness.log);
        throw new HttpError('not_ready', readiness.message);
      }
      // Close may have started while the ping ran: an in-flight probe must not report ready.
      if (app.shuttingDown.value) throw new HttpError('shutting_down');
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text format 0.0.4): turn counts and durations, token rejections by reason, HTTP answers by route',
        tags: ['platform'],
        response: { 200: MetricsTextAnswer },
      },
    },
    async (_request, reply) => reply.type(PROMETHEUS_CONTENT_TYPE).send(app.metrics.render()),
  );
};
