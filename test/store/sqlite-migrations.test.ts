// SQLite migrations: applied once, recorded, atomic, and a newer database is refused.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateSqlite } from '../../src/store/sqlite/migrate.ts';
import { assertMigrationList } from '../../src/store/migrations/migration.ts';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.ts';
import { openSqliteDatabase } from '../../src/store/sqlite/connection.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import { tempFolders } from './temp-files.ts';

const tempDir = tempFolders();
const recorded = (db: Database.Database) => db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as { version: number; name: string; applied_at: string }[];

describe('SQLite migrations', () => {
  it('records every migration once on a fresh database', () => {
    const db = openSqliteDatabase(':memory:');
    expect(recorded(db).map(({ version, name }) => ({ version, name }))).toEqual(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    expect(recorded(db)[0]!.applied_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    db.close();
  });

  it('applies nothing when the database is current, on the same connection or on reopening', () => {
    const path = join(tempDir(), 'db.sqlite');
    const db = openSqliteDatabase(path);
    const first = recorded(db);
    expect(migrateSqlite(db)).toEqual({ applied: [], version: SQLITE_MIGRATIONS.length });
    db.close();
    const again = openSqliteDatabase(path);
    expect(recorded(again)).toEqual(first);
    again.close();
  });

  it('applies only the migrations added since, in order', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, SQLITE_MIGRATIONS);
    const next = [...SQLITE_MIGRATIONS, { version: SQLITE_MIGRATIONS.length + 1, name: 'add notes', sql: 'CREATE TABLE notes (id TEXT PRIMARY KEY)' }];
    expect(migrateSqlite(db, next)).toEqual({ applied: [next.length], version: next.length });
    expect(recorded(db).at(-1)).toMatchObject({ version: next.length, name: 'add notes' });
    db.close();
  });

  it('upgrades a version 1 database with rows in it: the conversation list indexes replace the created_at ones', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, SQLITE_MIGRATIONS.slice(0, 1));
    db.prepare(
      `INSERT INTO conversations (id, widget_id, thread_id, thread_version, version, state, status, scenario, auth_status, onboarding_type, created_at, updated_at)
       VALUES ('c1', 'w1', 't1', 1, 1, '{}', 'active', 'visitor', 'anonymous', 'none', '2026-11-23T10:00:00.000Z', '2026-11-23T10:00:00.000Z')`,
    ).run();
    expect(migrateSqlite(db, SQLITE_MIGRATIONS.slice(0, 2))).toMatchObject({ applied: [2] });
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'conversations' AND sql IS NOT NULL ORDER BY name").pluck().all();
    expect(indexes).toEqual(['conversations_created_at_id', 'conversations_scenario_created_at_id', 'conversations_status_created_at_id', 'conversations_widget_created_at_id']);
    expect(db.prepare('SELECT count(*) FROM conversations').pluck().get()).toBe(1);
    db.close();
  });

  it('upgrades a version 2 database with rows: agent lines allowed, every line and seq kept, profile ids filled in from the states', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrateSqlite(db, SQLITE_MIGRATIONS.slice(0, 2));
    const insert = db.prepare(
      `INSERT INTO conversations (id, widget_id, thread_id, thread_version, version, state, status, scenario, auth_status, onboarding_type, created_at, updated_at)
       VALUES (?, 'w1', 't1', 1, 1, ?, 'active', 'visitor', 'anonymous', 'none', '2026-11-23T10:00:00.000Z', '2026-11-23T10:00:00.000Z')`,
    );
    insert.run('matched', JSON.stringify({ profile: { match: 'matched', id: 'p-1' } }));
    insert.run('visitor', JSON.stringify({ profile: { match: 'none', id: null } }));
    const line = db.prepare("INSERT INTO timeline_entries (conversation_id, turn, party, sender, text, trusted, at) VALUES ('matched', 1, 0, ?, ?, ?, '2026-11-23T10:00:00.000Z')");
    for (const [sender, text, trusted] of [['customer', 'hi', 1], ['bot', 'hello', null], ['system', 'gone', null]] as const) line.run(sender, text, trusted);
    // The last line is deleted before the upgrade: its seq (3) must still never come back.
    db.prepare("DELETE FROM timeline_entries WHERE text = 'gone'").run();
    expect(() => line.run('agent', 'too early', null)).toThrow(/CHECK constraint/);

    expect(migrateSqlite(db)).toMatchObject({ applied: [3, 4, 5, 6, 7, 8] });
    expect(db.prepare('SELECT seq, sender, text, trusted FROM timeline_entries ORDER BY seq').all()).toEqual([
      { seq: 1, sender: 'customer', text: 'hi', trusted: 1 },
      { seq: 2, sender: 'bot', text: 'hello', trusted: null },
    ]);
    line.run('agent', 'Please log in', null);
    expect(db.prepare("SELECT seq FROM timeline_entries WHERE sender = 'agent'").pluck().get()).toBe(4);
    expect(() => line.run('robot', 'x', null)).toThrow(/CHECK constraint/);
    expect(db.prepare('SELECT id, profile_id FROM conversations ORDER BY id').all()).toEqual([
      { id: 'matched', profile_id: 'p-1' },
      { id: 'visitor', profile_id: null },
    ]);
    // Deleting a conversation still takes its lines with it (the rebuilt table kept its foreign key).
    db.prepare("DELETE FROM conversations WHERE id = 'matched'").run();
    expect(db.prepare('SELECT count(*) FROM timeline_entries').pluck().get()).toBe(0);
    db.close();
  });

  it('rolls a failing migration back whole, recording nothing', () => {
    const db = new Database(':memory:');
    migrateSqlite(db, SQLITE_MIGRATIONS);
    const v = SQLITE_MIGRATIONS.length + 1;
    const broken = [...SQLITE_MIGRATIONS, { version: v, name: 'broken', sql: 'CREATE TABLE half (id TEXT); INSERT INTO nowhere VALUES (1);' }];
    expect(() => migrateSqlite(db, broken)).toThrow(/nowhere/);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get()).toEqual({ n: 0 });
    expect(recorded(db).map((r) => r.version)).not.toContain(v);
    db.close();
  });

  it('refuses a database whose schema is newer than the code, and leaves it untouched', async () => {
    const path = join(tempDir(), 'future.db');
    (await openSqliteStore({ path })).close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')").run();
    raw.close();
    await expect(openSqliteStore({ path })).rejects.toMatchObject({
      code: 'schema_too_new',
      message: expect.stringContaining(`schema version 99, newer than this threadgate knows (${SQLITE_MIGRATIONS.length})`),
    });
    const after = new Database(path);
    expect(recorded(after).map((r) => r.version)).toEqual([...SQLITE_MIGRATIONS.map((m) => m.version), 99]);
    after.close();
  });

  it('refuses a migration list with a gap or out of order', () => {
    const sql = 'SELECT 1';
    expect(() => assertMigrationList([{ version: 1, name: 'a', sql }, { version: 3, name: 'c', sql }])).toThrow(/version 3/);
    expect(() => assertMigrationList([{ version: 2, name: 'b', sql }])).toThrow(/without gaps/);
    expect(() => assertMigrationList(SQLITE_MIGRATIONS)).not.toThrow();
  });
});
