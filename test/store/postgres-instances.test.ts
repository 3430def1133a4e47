// What only PostgreSQL shows: several pools (instances) on one schema migrate once, race on profiles, turns and seeding.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { RulesRegistry } from '../../src/runtime/rules-registry.ts';
import { migratePostgres } from '../../src/store/postgres/migrate.ts';
import { POSTGRES_MIGRATIONS } from '../../src/store/migrations/postgres.ts';
import { SQLITE_MIGRATIONS } from '../../src/store/migrations/sqlite.ts';
import { openPostgresStore, type PostgresStore } from '../../src/store/postgres/store.ts';
import { at, create, stateWith } from './contract/fixtures.ts';
import { assertPostgresUp, PG_URL, SKIP_POSTGRES, SKIP_REASON, sql, testSchemas } from './postgres-env.ts';

const schemas = testSchemas();
const open = (schema: string, max = 3) => openPostgresStore({ connectionString: PG_URL, schema, pool: { max } });

/** `n` stores on one schema, as `n` instances would have; closed when `fn` settles. */
async function instances<T>(n: number, fn: (stores: PostgresStore[], schema: string) => Promise<T>): Promise<T> {
  const schema = schemas();
  const stores = await Promise.all(Array.from({ length: n }, () => open(schema)));
  try {
    return await fn(stores, schema);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
}

describe.skipIf(SKIP_POSTGRES)(`PostgreSQL store across instances${SKIP_POSTGRES ? ` (${SKIP_REASON})` : ''}`, () => {
  beforeAll(assertPostgresUp);

  describe('migrations', () => {
    it('has the same versions and names as the SQLite list', () => {
      expect(POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name }))).toEqual(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })));
    });

    it('migrates a fresh schema once when eight instances open it at the same moment', async () => {
      await instances(8, async (stores, schema) => {
        const rows = await sql<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version', [], schema);
        expect(rows).toEqual(POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name })));
        // Every instance works on the same tables.
        await create(stores[0]!, 'c1');
        expect((await stores[7]!.conversations.get('c1'))?.version).toBe(1);
        expect((await sql<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = $1 AND tablename = 'conversations'", [schema]))[0]!.n).toBe(1);
      });
    });

    it('refuses a schema migrated by a newer threadgate, and changes nothing', async () => {
      const schema = schemas();
      await (await open(schema)).close();
      await sql("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')", [], schema);
      await expect(open(schema)).rejects.toMatchObject({ code: 'schema_too_new', message: expect.stringContaining(`schema version 99, newer than this threadgate knows (${POSTGRES_MIGRATIONS.length})`) });
      expect((await sql<{ v: number }>('SELECT max(version) AS v FROM schema_migrations', [], schema))[0]!.v).toBe(99);
    });

    it('rolls a failing migration back whole, recording nothing', async () => {
      const schema = schemas();
      const pool = new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      try {
        await migratePostgres(pool, schema);
        const v = POSTGRES_MIGRATIONS.length + 1;
        const broken = [...POSTGRES_MIGRATIONS, { version: v, name: 'broken', sql: 'CREATE TABLE half (id TEXT); INSERT INTO nowhere VALUES (1);' }];
        await expect(migratePostgres(pool, schema, broken)).rejects.toThrow(/nowhere/);
        expect(await sql("SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'half'", [schema])).toEqual([]);
        const next = [...POSTGRES_MIGRATIONS, { version: v, name: 'add notes', sql: 'CREATE TABLE notes (id TEXT PRIMARY KEY)' }];
        expect(await migratePostgres(pool, schema, next)).toEqual({ applied: [v], version: v });
        expect(await migratePostgres(pool, schema, next)).toEqual({ applied: [], version: v });
      } finally {
        await pool.end();
      }
    });

    it('upgrades a version 2 schema with rows: agent lines allowed, lines kept, profile ids filled in from the states', async () => {
      const schema = schemas();
      const pool = new pg.Pool({ connectionString: PG_URL, options: `-c search_path=${schema}` });
      try {
        await migratePostgres(pool, schema, POSTGRES_MIGRATIONS.slice(0, 2));
        const insert = `INSERT INTO conversations (id, widget_id, thread_id, thread_version, version, state, status, scenario, auth_status, onboarding_type, created_at, updated_at)
          VALUES ($1, 'w1', 't1', 1, 1, $2, 'active', 'visitor', 'anonymous', 'none', now(), now())`;
        await pool.query(insert, ['matched', JSON.stringify({ profile: { match: 'matched', id: 'p-1' } })]);
        await pool.query(insert, ['visitor', JSON.stringify({ profile: { match: 'none', id: null } })]);
        const line = "INSERT INTO timeline_entries (conversation_id, turn, party, sender, text, trusted, at) VALUES ('matched', 1, 0, $1, 'x', NULL, now())";
        await pool.query(line, ['bot']);
        await expect(pool.query(line, ['agent'])).rejects.toThrow(/timeline_entries_sender_check/);
        expect(await migratePostgres(pool, schema)).toMatchObject({ applied: [3, 4, 5, 6, 7, 8] });
        await pool.query(line, ['agent']);
        await expect(pool.query(line, ['robot'])).rejects.toThrow(/timeline_entries_sender_check/);
        expect((await pool.query('SELECT sender FROM timeline_entries ORDER BY seq')).rows).toEqual([{ sender: 'bot' }, { sender: 'agent' }]);
        // Migration 7: the timeline's only index is its key (conversation_id, seq), and seq still numbers on.
        const indexes = await pool.query("SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'timeline_entries'", [schema]);
        expect(indexes.rows.map((r) => r.indexdef as string)).toEqual([expect.stringMatching(/UNIQUE INDEX timeline_entries_pkey .*\(conversation_id, seq\)/)]);
        expect((await pool.query('SELECT id, profile_id FROM conversations ORDER BY id')).rows).toEqual([
          { id: 'matched', profile_id: 'p-1' },
          { id: 'visitor', profile_id: null },
        ]);
      } finally {
        await pool.end();
      }
    });

    it('refuses a schema name that is not a plain identifier', async () => {
      await expect(open('x; DROP SCHEMA public')).rejects.toMatchObject({ code: 'value_invalid' });
    });
  });

  describe('races between instances', () => {
    it('makes one profile when four instances meet one new email at the same time', async () => {
      await instances(4, async (stores) => {
        const made = await Promise.all(
          Array.from({ length: 24 }, (_, i) => stores[i % 4]!.profiles.create({ id: `p${i}`, name: null, emails: [i % 2 ? 'New@Example.com' : 'new@example.com'], phones: ['+14155550123'], externalId: null })),
        );
        expect(new Set(made.map((p) => p.id)).size).toBe(1);
        expect(await stores[0]!.profiles.list(100)).toHaveLength(1);
        expect(made[0]).toMatchObject({ emails: ['new@example.com'], phones: ['+14155550123'] });
      });
    });

    it('never leaves a half profile when drafts race on keys in opposite orders', async () => {
      await instances(2, async (stores) => {
        const made = await Promise.all(
          Array.from({ length: 10 }, (_, i) => stores[i % 2]!.profiles.create({ id: `p${i}`, name: null, emails: i % 2 ? ['a@example.com', 'b@example.com'] : ['b@example.com', 'a@example.com'], phones: [], externalId: null })),
        );
        expect(new Set(made.map((p) => p.id)).size).toBe(1);
        expect(await stores[1]!.profiles.list(100)).toHaveLength(1);
      });
    });

    it('lets exactly one of many turns read at one version win across instances, and applies an idempotency key once', async () => {
      await instances(3, async (stores) => {
        await create(stores[0]!, 'c1');
        const commit = (s: PostgresStore, i: number, key: string | null) =>
          s.conversations.commitTurn({
            conversationId: 'c1',
            expectedVersion: 1,
            state: stateWith({ status: 'active' }),
            entries: [{ party: 0, from: 'customer', text: `t${i}`, trusted: false, at: at(1) }],
            idempotency: key ? { scope: 'turn:c1', record: { key, requestHash: 'h', status: 200, body: { i }, createdAt: at(1) } } : null,
            now: at(1),
          });
        const results = await Promise.all(Array.from({ length: 12 }, (_, i) => commit(stores[i % 3]!, i, 'same-key')));
        expect(results.filter((r) => r.ok)).toEqual([{ ok: true, version: 2 }]);
        // The losers either saw the record (replay) or lost on the version: none applied anything.
        for (const r of results.filter((r) => !r.ok)) expect(['idempotent_replay', 'version_conflict']).toContain(r.ok ? '' : r.reason);
        expect(await stores[2]!.conversations.timeline('c1')).toHaveLength(1);
        expect((await commit(stores[1]!, 99, 'same-key')).ok).toBe(false);
      });
    });

    it('publishes each thread once when two instances seed the same rules folder at the same time', async () => {
      await instances(2, async (stores) => {
        const seed = (s: PostgresStore) => s.exclusively('seed-rules', () => new RulesRegistry(s, { SHOP_JWT_SECRET: 'seed-test:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA' }).seedFromDir('rules', at(0)));
        const reports = await Promise.all([seed(stores[0]!), seed(stores[1]!)]);
        expect(reports.flatMap((r) => r.published)).toEqual([{ threadId: 'returns', version: 1 }]);
        expect(await stores[1]!.rules.listThreadVersions('returns')).toHaveLength(1);
      });
    });

    it('runs exclusively() one instance at a time, and releases the lock when the work fails', async () => {
      await instances(3, async (stores) => {
        let inside = 0;
        let most = 0;
        const work = async () => {
          most = Math.max(most, ++inside);
          await new Promise((r) => setTimeout(r, 30));
          inside--;
        };
        await expect(stores[0]!.exclusively('job', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
        await Promise.all(stores.flatMap((s) => [s.exclusively('job', work), s.exclusively('job', work)]));
        expect(most).toBe(1);
      });
    });
  });

  describe('beyond the contract', () => {
    it('stamps profiles created by the directory, which passes no time, with the database clock', async () => {
      await instances(1, async ([store], schema) => {
        // The database's own clock before and after bounds the stamp: no comparison with this process's clock.
        const dbNow = async () => (await sql<{ now: Date }>('SELECT clock_timestamp() AS now', [], schema))[0]!.now.getTime();
        const before = await dbNow();
        await store!.profiles.create({ id: 'p1', name: null, emails: ['a@example.com'], phones: [], externalId: null });
        const after = await dbNow();
        await store!.profiles.put({ id: 'p2' }, at(0));
        const rows = await sql<{ id: string; created_at: Date }>('SELECT id, created_at FROM profiles ORDER BY id', [], schema);
        expect(rows[0]!.created_at.getTime()).toBeGreaterThanOrEqual(before);
        expect(rows[0]!.created_at.getTime()).toBeLessThanOrEqual(after);
        expect(rows[1]!.created_at.toISOString()).toBe(at(0));
      });
    });

    it('refuses a key ring edited into something invalid in the database', async () => {
      await instances(1, async ([store], schema) => {
        await sql("INSERT INTO key_rings (name, data) VALUES ('issuer', $1)", [JSON.stringify({ keys: [{ kid: 'x' }] })], schema);
        await expect(store!.keyRings.load('issuer')).rejects.toMatchObject({ code: 'jwt_config_invalid' });
      });
    });

    it('sorts profile ids bytewise, as SQLite does, whatever the database locale', async () => {
      await instances(1, async ([store]) => {
        for (const id of ['b', 'B', 'a', '_x']) await store!.profiles.put({ id }, at(0));
        expect((await store!.profiles.list(10)).map((p) => p.id)).toEqual(['B', '_x', 'a', 'b']);
      });
    });
  });
});
