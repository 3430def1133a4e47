// Whether this instance can commit right now, as its last writes and a committed probe say: readiness follows it, not only a ping.
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.port.ts';
import { storeFailure } from './store-failure.ts';

/** How long one failed write keeps the instance out of rotation when no write has succeeded since. */
export const WRITE_FAILURE_WINDOW_MS = 30_000;
/** A probe that committed is trusted this long (real time): a public, unlimited /readyz must not cost an fsync per call. */
const PROBE_FRESH_MS = 1000;
/** Damaged pages do not heal: one such failure keeps the instance out of rotation until it is restarted on a restored file. */
const CORRUPT = /^(SQLITE_CORRUPT.*|SQLITE_NOTADB|XX001|XX002)$/;

export type Readiness = { ready: true } | { ready: false; message: string; log: string };

export class StoreHealth {
  private failedAt: number | null = null;
  /** Whether the latest write the store saw failed: order, not timestamps, which a test clock may not move. */
  private lastFailed = false;
  private corrupt: string | null = null;
  private probedAt = -Infinity;
  private probing: Promise<Readiness> | null = null;

  constructor(private readonly now: () => number) {}

  /** A request failed with a store failure; `reason` is storeFailure's (SQLITE_FULL, a SQLSTATE, connection_lost). */
  failed(reason?: string): void {
    this.failedAt = this.now();
    this.lastFailed = true;
    // A failure since the last probe: that probe's success says nothing any more.
    this.probedAt = -Infinity;
    if (reason && CORRUPT.test(reason)) this.corrupt ??= reason;
  }

  succeeded(): void {
    this.lastFailed = false;
  }

  /** A ping can answer while every commit fails (disk full, damaged pages): the last write decides. */
  canWrite(): boolean {
    if (this.corrupt) return false;
    if (!this.lastFailed || this.failedAt === null) return true;
    return this.now() - this.failedAt >= WRITE_FAILURE_WINDOW_MS;
  }

  /**
   * Readiness beyond the ping: not while the last writes failed (for WRITE_FAILURE_WINDOW_MS) or the database was
   * found damaged; otherwise a committed probe write decides, so a full disk keeps the instance out of rotation for
   * as long as it is full, not 30 s. Concurrent probes share one write.
   */
  readiness(store: Pick<Store, 'probeWrite'>, isoNow: string): Promise<Readiness> {
    if (this.corrupt) {
      return Promise.resolve({ ready: false, message: 'The database has damaged pages: restore it from a backup, then restart the instance.', log: `readiness: database damaged (${this.corrupt})` });
    }
    if (!this.canWrite()) {
      return Promise.resolve({
        ready: false,
        message: 'The database answers, but the last writes failed (store_unavailable): disk full, an I/O error or damaged pages. Ready again after a write succeeds, or 30 s after the last failure.',
        log: 'readiness: the last writes failed',
      });
    }
    if (performance.now() - this.probedAt < PROBE_FRESH_MS) return Promise.resolve({ ready: true });
    return (this.probing ??= store
      .probeWrite(isoNow)
      .then(
        (): Readiness => {
          this.probedAt = performance.now();
          this.succeeded();
          return { ready: true };
        },
        (err: unknown): Readiness => {
          const failure = storeFailure(err);
          this.failed(failure?.reason);
          return { ready: false, message: 'The database answers, but refuses to commit a write: disk full, a read-only file or an I/O error.', log: `readiness: probe write failed (${failure?.reason ?? (err as Error)?.name})` };
        },
      )
      .finally(() => {
        this.probing = null;
      }));
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
  app.addHook('onResponse', (request, reply, done) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.routeOptions.config?.roles && reply.statusCode < 500) app.storeHealth.succeeded();
    done();
  });
}
