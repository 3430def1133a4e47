// The pg pool threadgate uses, and the one transaction helper every PostgreSQL write goes through.
import pg from 'pg';
import { StoreError } from '../store-error.ts';
import { PgDb, type Queryable } from './turn-scope.ts';

export interface PostgresPoolOptions {
  /** Connections per instance (default 10); it also bounds the conversations one instance runs turns on at once. Instances × max must stay under the server's max_connections. */
  max?: number;
  /**
   * @deprecated Ignored: there is no separate turn-lock pool any more (a turn runs on one connection of the pool).
   * Kept so options written for the earlier pool still type-check.
   */
  lockMax?: number;
  idleTimeoutMillis?: number;
  connectionTimeoutMillis?: number;
}

export interface PostgresConnectOptions {
  connectionString: string;
  /** A schema to keep every table in (created when missing); the search_path of every connection. */
  schema?: string;
  pool?: PostgresPoolOptions;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Only plain identifiers: the name ends up in a search_path setting and in CREATE SCHEMA, which take no parameters. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new StoreError('value_invalid', `schema "${schema}" must be a plain identifier (letters, digits, _; at most 63).`);
  return schema;
}

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Client settings shared by the pool and the one-off lock connection. */
export function clientConfig(opts: PostgresConnectOptions): pg.ClientConfig {
  const config: pg.ClientConfig = { connectionString: opts.connectionString, connectionTimeoutMillis: opts.pool?.connectionTimeoutMillis ?? 5000 };
  // Set at connection start, so every pooled connection sees the same tables without a query per checkout.
  if (opts.schema) config.options = `-c search_path=${checkSchemaName(opts.schema)}`;
  return config;
}

export function createPool(opts: PostgresConnectOptions): pg.Pool {
  const pool = new pg.Pool({ ...clientConfig(opts), max: opts.pool?.max ?? 10, idleTimeoutMillis: opts.pool?.idleTimeoutMillis ?? 30_000 });
  // An idle connection dropped by the server (restart, failover) must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

export type { Queryable };

/** Thrown inside a transaction to roll it back and still answer a value (a lost race that wrote something). */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

/** serialization_failure, deadlock_detected: PostgreSQL asks to run the transaction again. */
const RETRYABLE = new Set(['40001', '40P01']);

export const pgCode = (err: unknown): string | undefined => (err as { code?: unknown })?.code as string | undefined;

/**
 * BEGIN … COMMIT on one pooled connection; any error rolls everything back. Deadlocks and serialization
 * failures are retried a few times: they mean another instance won a race, not that the input is wrong. Inside a
 * turn (PgDb.runTurn) it is a savepoint of the turn's transaction on the turn's connection instead: its writes
 * commit with the turn, and the turn never needs a second connection. `isolation` applies outside turns only.
 */
export async function transaction<T>(
  db: pg.Pool | PgDb,
  fn: (c: pg.PoolClient) => Promise<T>,
  opts: { isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE'; readOnly?: boolean; attempts?: number } = {},
): Promise<T> {
  const attempts = opts.attempts ?? 5;
  const turn = db instanceof PgDb ? db.turn() : null;
  if (turn) {
    // What the lock query read may be stale after a write.
    turn.prefetched = null;
    turn.memo.clear();
    return savepoint(turn.client, `tg_sp_${++turn.savepoints}`, fn, attempts);
  }
  const pool = db instanceof PgDb ? db.pool : db;
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    // pg-pool listens for errors only on idle clients: a checked-out client whose connection the server drops
    // (pg_terminate_backend, a restart) emits 'error', and unheard that would crash the process. The query fails too,
    // which is what we act on.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query(`BEGIN ISOLATION LEVEL ${opts.isolation ?? 'READ COMMITTED'}${opts.readOnly ? ' READ ONLY' : ''}`);
      const value = await fn(client);
      await client.query('COMMIT');
      return value;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection itself failed: do not hand it back to the pool
      }
      if (err instanceof Rollback) return err.value as T;
      if (!RETRYABLE.has(pgCode(err) ?? '') || attempt >= attempts) throw err;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}

/** `transaction` inside a turn: the same retries and Rollback, undone to the savepoint instead of rolled back whole. */
async function savepoint<T>(client: pg.PoolClient, name: string, fn: (c: pg.PoolClient) => Promise<T>, attempts: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await client.query(`SAVEPOINT ${name}`);
    try {
      const value = await fn(client);
      await client.query(`RELEASE SAVEPOINT ${name}`);
      return value;
    } catch (err) {
      // A failure here leaves the turn's transaction aborted: its COMMIT then reports ROLLBACK and the turn fails.
      await client.query(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
      if (err instanceof Rollback) return err.value as T;
      if (!RETRYABLE.has(pgCode(err) ?? '') || attempt >= attempts) throw err;
    }
  }
}

/** Timestamps come back from TIMESTAMPTZ as Dates; the port speaks canonical ISO strings. */
export const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();
