// What the public platform routes answer: liveness and readiness, and the Prometheus text of /metrics.
import { z } from 'zod';

export const HealthStatusSchema = z.strictObject({ status: z.literal('ok') }).meta({ id: 'HealthStatus' });
export type HealthStatus = z.infer<typeof HealthStatusSchema>;

/** /metrics answers text, not JSON: fastify sends a string with its own content type as is, so this only documents it. */
export const MetricsTextAnswer = {
  description: 'Prometheus text format 0.0.4.',
  content: { 'text/plain; version=0.0.4': { schema: z.string().describe('Prometheus text exposition format 0.0.4.') } },
};
export type MetricsText = string;
