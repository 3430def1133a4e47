// Graceful shutdown: the gate that sheds requests while draining, and the drain itself (keep listening, close idle connections, wait, close).
import type { FastifyInstance } from 'fastify';
import { ConnectionTracker } from './connections.ts';
import { HttpError } from './error-catalogue.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set once `close()` started: readiness fails and new requests are shed with 503 shutting_down. */
    shuttingDown: { value: boolean };
  }
}

/** Routes that keep answering normally while the service drains (liveness must not flap during shutdown). */
export const ALWAYS_SERVED = new Set(['/healthz']);

/**
 * Marks the app as shutting down when `close()` starts and answers new requests with 503 `shutting_down`
 * in our error shape. Needs `return503OnClosing: false` on the fastify instance: otherwise fastify sheds
 * them itself with its own body, before any hook runs.
 */
export function registerShutdownGate(app: FastifyInstance): void {
  const state = { value: false };
  app.decorate('shuttingDown', state);
  app.addHook('preClose', async () => {
    state.value = true;
  });
  // Callback hooks (every request passes them): no promise per request.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!state.value || (request.routeOptions.url && ALWAYS_SERVED.has(request.routeOptions.url))) return done();
    done(new HttpError('shutting_down'));
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    // Every answer while draining (shed, /healthz, or a request in flight) tells keep-alive clients to reconnect,
    // which lands them on another instance; node closes the connection after it.
    if (state.value) reply.header('connection', 'close');
    done(null, payload);
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Graceful shutdown: marks the app as shutting down (readiness 503, new requests 503 shutting_down, /healthz
     * 200) while it keeps listening, closes idle connections at once, waits for the requests in flight, then
     * closes the app (the store is the caller's to close).
     */
    drain: () => Promise<void>;
    connections: ConnectionTracker;
  }
}

export function registerDrain(app: FastifyInstance): void {
  const connections = new ConnectionTracker(app.server);
  app.decorate('connections', connections);
  // Also when close() is called directly (tests): the idle connections must not hold server.close() open.
  app.addHook('preClose', async () => connections.close());
  let draining: Promise<void> | null = null;
  app.decorate('drain', () =>
    (draining ??= (async () => {
      app.shuttingDown.value = true;
      await connections.drain();
      await app.close();
    })()),
  );
}

