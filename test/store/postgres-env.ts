// Where the PostgreSQL tests find their server, and fresh schemas for them: never skipped without saying why.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';

export const PG_URL = process.env.THREADGATE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Set explicitly to skip the PostgreSQL suites (they are then reported as skipped, with this reason). */
export const SKIP_POSTGRES = process.env.THREADGATE_SKIP_POSTGRES === '1';
export const SKIP_REASON = 'THREADGATE_SKIP_POSTGRES=1 is set: PostgreSQL tests skipped on request';

export const START_HINT =
  `PostgreSQL does not answer at ${PG_URL}. Start it with ` +
  '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` (or point THREADGATE_TEST_DATABASE_URL at a server), ' +
  'or set THREADGATE_SKIP_POSTGRES=1 to skip these tests on purpose.';

/** Fails (never skips) when the server is down, with the command that starts it. */
export async function assertPostgresUp(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(`${START_HINT} (${(err as Error).message})`);
  } finally {
    await client.end().catch(() => {});
  }
}

export const newSchemaName = (): string => `tg_test_${randomBytes(6).toString('hex')}`;

/** Drops every schema handed out by `schemas()` once the file's tests are over. */
export function testSchemas(): () => string {
  const made: string[] = [];
  afterAll(async () => {
    if (made.length === 0) return;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      for (const s of made) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    } finally {
      await client.end();
    }
  });
  return () => {
    const s = newSchemaName();
    made.push(s);
    return s;
  };
}

/** Runs one statement on its own connection (to look behind a store's back). */
export async function sql<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, params: unknown[] = [], schema?: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: PG_URL, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}
