// The plan of a party's timeline page in both stores: the ordered (conversation_id, seq) range, never a scan of the whole conversation and a sort.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainIn } from '../../bench/pg-helpers.ts';
import { timelineExplain } from '../../src/store/postgres/timeline-statement.ts';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { planTimelinePage, timelineSql } from '../../src/store/timeline-page.ts';
import { create } from './contract/fixtures.ts';
import { assertPostgresUp, PG_URL, SKIP_POSTGRES, SKIP_REASON, sql, testSchemas } from './postgres-env.ts';
import { tempFolders } from './temp-files.ts';

const tempDir = tempFolders();
const schemas = testSchemas();

const COLUMNS = 'widget_id, thread_id, thread_version, version, state, status, scenario, auth_status, onboarding_type, profile_id, created_at, updated_at';

/**
 * Many short conversations (copies of 'long' at its start) with 2 entries each, then 5,000 entries for 'long'
 * alternating between parties 0 and 1; `n` is a series of integers in both stores' dialects.
 */
const copies = (series: (count: number) => string) => `
  INSERT INTO conversations (id, ${COLUMNS}) SELECT 'short-' || n, ${COLUMNS} FROM conversations, ${series(500)} WHERE id = 'long';
  INSERT INTO timeline_entries (conversation_id, turn, party, sender, text, trusted, at)
    SELECT 'short-' || (n % 500 + 1), 1, 0, 'customer', 'hi', NULL, '2026-11-23T10:00:00.000Z' FROM ${series(1000)}`;
const longOne = (series: (count: number) => string) => `
  INSERT INTO timeline_entries (conversation_id, turn, party, sender, text, trusted, at)
    SELECT 'long', n, n % 2, 'customer', 'hi', NULL, '2026-11-23T10:00:00.000Z' FROM ${series(5000)}`;
const pgSeries = (count: number) => `generate_series(1, ${count}) AS s(n)`;
const sqliteSeries = (count: number) => `(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${count}) SELECT n FROM s)`;

describe('timeline page plan, SQLite', () => {
  it('reads one party on the conversation index, with no sort', async () => {
    const path = join(tempDir(), 'threadgate.db');
    const store = await openSqliteStore({ path });
    await create(store, 'long');
    const raw = new Database(path);
    raw.exec(copies(sqliteSeries));
    raw.exec('ANALYZE');
    raw.exec(longOne(sqliteSeries));
    for (const q of [{ limit: 17, party: 1 }, { limit: 17, party: 1, before: 4000 }, { limit: 17, party: 0, after: 10 }]) {
      const text = timelineSql(planTimelinePage(q), () => '?');
      const args = [...['long', q.party], ...('before' in q ? [q.before] : []), ...('after' in q ? [q.after] : []), 18];
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan, plan).toContain('USING INDEX timeline_entries_conversation (conversation_id=?');
      expect(plan, plan).not.toMatch(/TEMP B-TREE/);
    }
    raw.close();
    await store.close();
  });
});

describe.skipIf(SKIP_POSTGRES)(`timeline page plan, PostgreSQL${SKIP_POSTGRES ? ` (${SKIP_REASON})` : ''}`, () => {
  let store: PostgresStore;
  let schema: string;

  beforeAll(async () => {
    await assertPostgresUp();
    schema = schemas();
    store = await openPostgresStore({ connectionString: PG_URL, schema, pool: { max: 2 } });
    await create(store, 'long');
    await sql(copies(pgSeries), [], schema);
    await sql('ANALYZE', [], schema);
    await sql(longOne(pgSeries), [], schema);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
  });

  it('reads one party of a long conversation the statistics call short on its key, in order, with no sort', async () => {
    for (const q of [{ limit: 17, party: 1 }, { limit: 17, party: 1, before: 4000 }, { limit: 17, party: 0, after: 10 }]) {
      const { sql: statement, rowsAt } = timelineExplain('long', q, 'FORMAT JSON');
      const plan = JSON.stringify((await explainIn<unknown>(schema, statement, rowsAt, PG_URL))[0]);
      expect(plan, plan).toContain('"Node Type":"Index Scan"');
      expect(plan, plan).toContain('"Index Name":"timeline_entries_pkey"');
      expect(plan, plan).not.toContain('"Node Type":"Sort"');
      expect(plan, plan).not.toContain('Bitmap');
    }
  });

  it('reads the page right', async () => {
    const page = await store.conversations.timelinePage('long', { limit: 3, party: 1 });
    expect(page.entries.map((e) => e.turn)).toEqual([4995, 4997, 4999]);
    expect(page.hasMore).toBe(true);
  });
});
