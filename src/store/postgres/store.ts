// The shared store for several instances: PostgreSQL behind the Store port, via a pg connection pool.
import pg from 'pg';
import type { Store } from '../store.port.ts';
import { StoreError } from '../store-error.ts';
import { clientConfig, createPool, pgCode, type PostgresConnectOptions } from './connection.ts';
import { PostgresConversations } from './conversations.ts';
import { PostgresKeyRings } from './key-rings.ts';
import { ADVISORY_NAMESPACE, migratePostgres } from './migrate.ts';
import { PostgresProfiles } from './profiles.ts';
import { PostgresReports } from './reports.ts';
import { PostgresRules } from './rules.ts';
import { PgDb } from './turn-scope.ts';

export type PostgresStoreOptions = PostgresConnectOptions;

/** Opens a pool and migrates the schema (once across instances); fails when the database cannot be reached. */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = createPool(opts);
  try {
    await migratePostgres(pool, opts.schema);
  } catch (err) {
    await pool.end();
    throw unusable(opts.connectionString, err);
  }
  return new PostgresStore(pool, opts);
}

/** Where the URL points, for a message: host, port and database, never the user's password. */
function where(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || '5432'}/${decodeURIComponent(url.pathname.slice(1)) || '(default database)'}`;
  } catch {
    return 'the DATABASE_URL';
  }
}

/** A start-up failure said as what to do, naming the server; errors of ours (schema_too_new, …) pass unchanged. */
function unusable(connectionString: string, err: unknown): unknown {
  if (err instanceof StoreError) return err;
  const code = pgCode(err) ?? '';
  const at = `PostgreSQL at ${where(connectionString)}`;
  const say = (what: string) => new StoreError('database_unusable', `${at}: ${what} (${code || (err as Error)?.message?.split('\n')[0] || 'unknown error'})`);
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(code) || /timeout|terminated/i.test(String((err as Error)?.message))) {
    return say('cannot be reached: check the host and port in DATABASE_URL, that the server runs, and that this machine may connect to it');
  }
  if (code === '28P01' || code === '28000') return say('refused the login: check the user and password in DATABASE_URL (and pg_hba.conf)');
  if (code === '3D000') return say('has no such database: create it (createdb) or fix its name in DATABASE_URL');
  if (code === '42501') return say('refused the permission to create threadgate\'s tables: make the user own the database or the schema (THREADGATE_DATABASE_SCHEMA)');
  if (code.startsWith('53')) return say('is out of resources (connections, disk or memory): see the server\'s log');
  return err;
}

/** Stateless apart from the pool: any number of instances share one database and stay correct through transactions. */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly conversations: PostgresConversations;
  readonly rules: PostgresRules;
  readonly profiles: PostgresProfiles;
  readonly reports: PostgresReports;
  readonly keyRings: PostgresKeyRings;
  private closed: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PostgresConnectOptions,
  ) {
    // Every repository queries through one PgDb, so a running turn's queries all find the turn's connection.
    const db = new PgDb(pool);
    this.conversations = new PostgresConversations(db, opts.schema ?? '(search_path)');
    this.rules = new PostgresRules(db);
    this.profiles = new PostgresProfiles(db);
    this.reports = new PostgresReports(db);
    this.keyRings = new PostgresKeyRings(db);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the PostgreSQL store is closed');
    await this.pool.query('SELECT 1');
  }

  async probeWrite(now: string): Promise<void> {
    if (this.closed) throw new Error('the PostgreSQL store is closed');
    // One statement is its own committed transaction: a full disk or a read-only standby refuses it as a turn.
    await this.pool.query('INSERT INTO readiness_probe (id, probed_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at', [now]);
  }

  close(): Promise<void> {
    return (this.closed ??= this.pool.end());
  }

  /**
   * Holds a session-level advisory lock named `name` (per schema) while `fn` runs, so only one instance at a
   * time does it. The lock lives on its own connection, outside the pool, so `fn` can use the whole pool (even
   * one of size 1) meanwhile; it is released when `fn` settles, or by the server if this process dies.
   */
  async exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const client = new pg.Client(clientConfig(this.opts));
    client.on('error', () => {});
    await client.connect();
    try {
      const key = `${name}:${this.opts.schema ?? '(search_path)'}`;
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [ADVISORY_NAMESPACE, key]);
      return await fn();
    } finally {
      // Ending the session releases the lock too; no explicit unlock needed.
      await client.end();
    }
  }
}
