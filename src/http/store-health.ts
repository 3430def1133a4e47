// Whether this instance can commit right now, as its last writes say: readiness follows it, not only a ping.
import type { FastifyInstance } from 'fastify';

/** How long one failed write keeps the instance out of rotation when no write has succeeded since. */
export const WRITE_FAILURE_WINDOW_MS = 30_000;

export class StoreHealth {
  private failedAt: number | null = null;
  /** Whether the latest write the store saw failed: order, not timestamps, which a test clock may not move. */
  private lastFailed = false;

  constructor(private readonly now: () => number) {}

  failed(): void {
    this.failedAt = this.now();
    this.lastFailed = true;
  }

  succeeded(): void {
    this.lastFailed = false;
  }

  /** A ping can answer while every commit fails (disk full, damaged pages): the last write decides. */
  canWrite(): boolean {
    if (!this.lastFailed || this.failedAt === null) return true;
    return this.now() - this.failedAt >= WRITE_FAILURE_WINDOW_MS;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    storeHealth: StoreHealth;
  }
}

/** Decorates `app.storeHealth` and marks every keyed write that the store took (any answer but a 5xx) as a success. */
export function registerStoreHealth(app: FastifyInstance): void {
  const clock = app.services.clock;
  app.decorate('storeHealth', new StoreHealth(() => clock().getTime()));
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || !request.routeOptions.config?.roles) return;
    if (reply.statusCode < 500) app.storeHealth.succeeded();
  });
}
