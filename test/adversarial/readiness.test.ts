// /readyz follows whether a turn could commit: a probe write while the disk is full, a latch on damaged pages; the app clock, no sleeping.
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/store.ts';
import { auth, buildTestApp, startConversation, type TestApp } from '../http/helpers.ts';
import { expectRefused } from './hostile.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tg-ready-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const rawDb = (store: SqliteStore) => (store as unknown as { db: Database.Database }).db;

describe('readiness while the database refuses writes', () => {
  it('stays 503 past the 30 s window (the probe write fails again), and is 200 once the probe commits', async () => {
    const store = await openSqliteStore({ path: join(dir, 'read-only.db') });
    const t = await buildTestApp({ store });
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const db = rawDb(store);
    // Every write now fails with SQLITE_READONLY, as on a file that became read-only; pings and reads still answer.
    db.pragma('query_only = ON');
    expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } }), 503, 'store_unavailable');
    expectRefused(await t.app.inject({ url: '/readyz' }), 503, 'not_ready');
    // Nothing comes in while out of rotation: after the window the probe itself finds writes still refused.
    t.clock.advance(31);
    const still = expectRefused(await t.app.inject({ url: '/readyz' }), 503, 'not_ready');
    expect(still.message).toMatch(/refuses to commit a write/);
    t.clock.advance(31);
    expectRefused(await t.app.inject({ url: '/readyz' }), 503, 'not_ready');
    db.pragma('query_only = OFF');
    t.clock.advance(31);
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    await t.close();
  });

  it('the probe is one committed write per second at most, however often /readyz is asked', async () => {
    const store = await openSqliteStore({ path: join(dir, 'probe.db') });
    const t = await buildTestApp({ store });
    const db = rawDb(store);
    // total_changes() counts the rows this connection wrote: 50 answers, one probe row written.
    const changes = () => (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const before = changes();
    const answers = await Promise.all(Array.from({ length: 50 }, () => t.app.inject({ url: '/readyz' })));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(changes() - before).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM readiness_probe').get()).toEqual({ n: 1 });
    await t.close();
  });
});

describe('readiness on damaged pages', () => {
  let t: TestApp;
  let id: string;
  beforeAll(async () => {
    const file = join(dir, 'damaged.db');
    const first = await openSqliteStore({ path: file });
    const seed = await buildTestApp({ store: first });
    id = await startConversation(seed, { widgetId: 'shop-visitor' });
    const root = (rawDb(first).prepare("SELECT rootpage FROM sqlite_master WHERE name = 'conversations'").get() as { rootpage: number }).rootpage;
    const pageSize = Number(rawDb(first).pragma('page_size', { simple: true }));
    await seed.close();
    // Garbage over the conversations table's root page, as a failing disk leaves it; the schema pages stay readable.
    const handle = await open(file, 'r+');
    await handle.write(Buffer.alloc(pageSize, 0x5a), 0, pageSize, (root - 1) * pageSize);
    await handle.close();
    t = await buildTestApp({ store: await openSqliteStore({ path: file }) });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 503 store_unavailable for what touches them, and readiness stays 503 (damage does not heal) until a restart', async () => {
    expectRefused(await t.app.inject({ url: `/v1/conversations/${id}`, headers: auth('runtime') }), 503, 'store_unavailable');
    const ready = expectRefused(await t.app.inject({ url: '/readyz' }), 503, 'not_ready');
    expect(ready.message).toMatch(/damaged pages: restore it from a backup/);
    expect((await t.app.inject({ url: '/metrics' })).body).toMatch(/threadgate_store_failures_total\{reason="SQLITE_CORRUPT[A-Z_]*"\} [1-9]/);
    // A write elsewhere succeeding does not make a damaged file ready, nor does time.
    expect((await t.app.inject({ method: 'PUT', url: '/v1/profiles/p-1', headers: auth('admin'), payload: { name: 'Julie' } })).statusCode).toBe(200);
    t.clock.advance(3600);
    expectRefused(await t.app.inject({ url: '/readyz' }), 503, 'not_ready');
    expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });
});
