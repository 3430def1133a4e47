// PostgreSQL faults against a real server: a connection terminated mid-turn, and the server refusing connections.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openPostgresStore } from '../../src/store/postgres/store.ts';
import { auth, buildTestApp, startConversation, type TestApp } from '../http/helpers.ts';
import { assertPostgresUp, PG_URL, SKIP_POSTGRES, SKIP_REASON, testSchemas } from '../store/postgres-env.ts';
import { expectRefused } from './hostile.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const say = (t: TestApp, id: string, text: string) => t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'message', text } });
const customerLines = async (t: TestApp, id: string) =>
  ((await t.app.inject({ url: `/v1/conversations/${id}`, headers: auth('runtime') })).json().timeline as { from: string; text: string }[]).filter((e) => e.from === 'customer').map((e) => e.text);

if (SKIP_POSTGRES) {
  describe.skip(`PostgreSQL faults (${SKIP_REASON})`, () => {
    it.skip(SKIP_REASON, () => {});
  });
} else {
  const schemas = testSchemas();
  beforeAll(assertPostgresUp);

  describe('a connection terminated by the server in the middle of a turn (pg_terminate_backend)', () => {
    let t: TestApp;
    let schema: string;
    beforeAll(async () => {
      schema = schemas();
      t = await buildTestApp({ store: await openPostgresStore({ connectionString: PG_URL, schema, pool: { max: 3 } }) });
    });
    afterAll(async () => {
      await t.close();
    });

    it('answers 503 store_unavailable with Retry-After, applies nothing, counts it, and the next turn works', async () => {
      const id = await startConversation(t, { widgetId: 'shop-visitor' });
      expect((await say(t, id, 'first')).statusCode).toBe(200);
      // Another session holds the conversation's row, so the turn's commit waits on it: a turn provably in flight.
      const locker = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('SELECT id FROM conversations WHERE id = $1 FOR UPDATE', [id]);
        const lockerPid = (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
        const pending = say(t, id, 'lost');
        // The backend waiting for our lock is the store's connection doing this turn: terminate exactly it.
        const waiting = await vi.waitFor(
          async () => {
            const rows = (await locker.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))', [lockerPid])).rows;
            expect(rows).toHaveLength(1);
            return rows[0]!.pid;
          },
          { timeout: 15_000, interval: 20 },
        );
        await locker.query('SELECT pg_terminate_backend($1)', [waiting]);
        const r = await pending;
        expectRefused(r, 503, 'store_unavailable');
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
        await locker.query('ROLLBACK');
      } finally {
        await locker.end();
      }
      expect((await t.app.inject({ url: '/metrics' })).body).toMatch(/threadgate_store_failures_total\{reason="(57P01|connection_lost)"\} 1/);
      // The pool replaces the dead connection: the service goes on, and the lost turn left nothing behind.
      expect((await say(t, id, 'after')).statusCode).toBe(200);
      expect(await customerLines(t, id)).toEqual(['first', 'after']);
      expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    }, 30_000);
  });

  describe('the database refusing connections (every connection dropped, the port closed)', () => {
    let t: TestApp;
    let proxy: TcpProxy;
    beforeAll(async () => {
      const target = new URL(PG_URL);
      proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
      const viaProxy = new URL(PG_URL);
      viaProxy.port = String(proxy.port);
      t = await buildTestApp({ store: await openPostgresStore({ connectionString: viaProxy.toString(), schema: schemas(), pool: { max: 3, connectionTimeoutMillis: 2000 } }) });
    });
    afterAll(async () => {
      await t.close();
      await proxy.close();
    });

    it('answers 503 store_unavailable (never 500), readiness is 503 not_ready, and both recover once it is back', async () => {
      const id = await startConversation(t, { widgetId: 'shop-visitor' });
      expect((await say(t, id, 'before')).statusCode).toBe(200);
      await proxy.cut();
      for (const text of ['during 1', 'during 2']) {
        const r = await say(t, id, text);
        expectRefused(r, 503, 'store_unavailable');
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
      expectRefused(await t.app.inject({ url: `/v1/conversations/${id}`, headers: auth('runtime') }), 503, 'store_unavailable');
      expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } }), 503, 'store_unavailable');
      expectRefused(await t.app.inject({ url: '/readyz' }), 503, 'not_ready');
      expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      await proxy.restore();
      expect((await say(t, id, 'after')).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
      expect(await customerLines(t, id)).toEqual(['before', 'after']);
    }, 30_000);
  });
}
