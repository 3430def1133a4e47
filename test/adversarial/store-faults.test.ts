// Store faults answer 503 store_unavailable with Retry-After, are counted, and leave nothing half-written; bugs stay 500.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeFailure } from '../../src/http/store-failure.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/store.ts';
import { auth, buildTestApp, type TestApp } from '../http/helpers.ts';

describe('SQLite disk full', () => {
  let dir: string;
  let store: SqliteStore;
  let t: TestApp;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tg-store-full-'));
    store = await openSqliteStore({ path: join(dir, 'threadgate.db') });
    t = await buildTestApp({ store });
  });
  afterAll(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a turn that cannot be written is 503 store_unavailable with Retry-After, counted, and nothing of it is stored', async () => {
    const started = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
    expect(started.statusCode).toBe(201);
    const id = started.json().conversationId as string;
    const before = (await store.conversations.timeline(id)).length;
    // SQLite's own limit on the file size: every write past it fails with SQLITE_FULL, exactly as on a full disk.
    const db = (store as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    const filler = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'message', text: 'x'.repeat(9000) } });
    expect(filler.statusCode).toBe(503);
    expect(filler.json()).toMatchObject({ code: 'store_unavailable' });
    expect(Number(filler.headers['retry-after'])).toBeGreaterThan(0);
    expect(filler.body).not.toMatch(/SQLITE|stack/);
    expect((await store.conversations.timeline(id)).length).toBe(before);
    const metrics = await t.app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/threadgate_store_failures_total\{reason="SQLITE_FULL"\} [1-9]/);
    // The ping still answers, but readiness follows the failed write.
    const notReady = await t.app.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ code: 'not_ready', message: expect.stringContaining('the last writes failed') });
    // Room again: the service goes on where it was, and is ready after the next write.
    db.pragma('max_page_count = 1073741823');
    const after = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'message', text: 'hello' } });
    expect(after.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
  });
});

describe('readiness after failed writes', () => {
  it('is ready again 30 s after the last failure when no write came since (the app clock, no sleeping)', async () => {
    const t = await buildTestApp();
    t.app.storeHealth.failed();
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(503);
    t.clock.advance(31);
    expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    await t.close();
  });
});

describe('what counts as a store failure', () => {
  it('the pg driver refused by a closed port, SQLSTATE connection classes and a dropped connection; not a plain bug', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: 1, user: 'x', database: 'x', connectionTimeoutMillis: 2000 });
    const refused = await client.connect().then(() => null, (e: unknown) => e);
    expect(storeFailure(refused)).toMatchObject({ reason: 'ECONNREFUSED' });
    expect(storeFailure(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toMatchObject({ reason: '57P01' });
    expect(storeFailure(new Error('Connection terminated unexpectedly'))).toMatchObject({ reason: 'connection_lost' });
    expect(storeFailure(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }))).toMatchObject({ reason: 'SQLITE_FULL' });
    expect(storeFailure(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBeNull();
    expect(storeFailure(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeNull();
  });
});
