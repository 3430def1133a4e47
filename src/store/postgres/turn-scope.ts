// The connection a turn runs on: one pooled client holding the turn's transaction, found by every store query of the turn through AsyncLocalStorage.
import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { TurnLockResult } from '../store.port.ts';

/** What every repository queries through: a pool or a client (both pg's Pool and PoolClient fit). */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** lock_not_available: the lock_timeout of the transaction expired while waiting. */
const LOCK_TIMEOUT = '55P03';

const pgCode = (err: unknown): string | undefined => (err as { code?: unknown })?.code as string | undefined;

/** One running turn: its client (while `open`), what its first round trip read, and a counter for savepoint names. */
export interface TurnContext {
  readonly client: pg.PoolClient;
  /** Cleared before COMMIT, so a query started after the turn's `fn` settled goes to the pool, never into the ended transaction. */
  open: boolean;
  /** The results of every statement of the lock query (BEGIN included) and what they were read for, to consume once. */
  prefetched: { key: string; results: pg.QueryResult[] } | null;
  /** Answers a repository derived from `prefetched` for later calls of the same turn, by a key of its own. */
  readonly memo: Map<string, unknown>;
  savepoints: number;
}

/** Thrown when COMMIT answered but did not commit (the transaction had failed inside `fn`): the turn is not acknowledged. */
export class TurnNotCommitted extends Error {
  constructor(command: string | undefined) {
    super(`the turn's transaction did not commit (the server answered ${command ?? 'nothing'} to COMMIT): nothing of it was applied`);
  }
}

/**
 * The pool plus the turn that is running in this async context, if any. Outside a turn `query` goes to the pool;
 * inside one, to the turn's client, so a turn never asks the pool for a second connection while it holds one (with
 * a pool of N, N turns holding a connection each and waiting for another would never finish).
 */
export class PgDb implements Queryable {
  private readonly turns = new AsyncLocalStorage<TurnContext>();

  constructor(readonly pool: pg.Pool) {}

  /** The running turn of this store in this async context; null outside one or once it has ended. */
  turn(): TurnContext | null {
    const ctx = this.turns.getStore();
    return ctx?.open ? ctx : null;
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> {
    const q: Queryable = this.turn()?.client ?? this.pool;
    return q.query<R>(text, values);
  }

  /**
   * Checks out one connection, sends `lockSql` (BEGIN, settings, the lock and any reads: several statements in one
   * simple query, one round trip; its results kept as `prefetched` under `key`), runs `fn` with that connection as
   * the turn's, and COMMITs when `fn` returns. A
   * throw of `fn` (or a failed lock query) rolls back; a COMMIT that fails or reports ROLLBACK rejects, so the
   * caller never acknowledges a turn that is not durable. lock_timeout while locking answers `lock_timeout`.
   */
  async runTurn<T>(key: string, lockSql: (client: pg.PoolClient) => string, fn: () => Promise<T>): Promise<TurnLockResult<T>> {
    const client = await this.pool.connect();
    let broken = false;
    // A checked-out client whose connection drops emits 'error'; unheard it would crash the process. The query fails too.
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    const ctx: TurnContext = { client, open: true, prefetched: null, memo: new Map(), savepoints: 0 };
    let ended = false;
    try {
      try {
        ctx.prefetched = { key, results: (await client.query(lockSql(client))) as unknown as pg.QueryResult[] };
      } catch (err) {
        if (pgCode(err) === LOCK_TIMEOUT) return { ok: false, reason: 'lock_timeout' };
        throw err;
      }
      const value = await this.turns.run(ctx, fn);
      ctx.open = false;
      ended = true; // a failed COMMIT ends the transaction as well (or the connection, which is then destroyed)
      let done: pg.QueryResult;
      try {
        done = await client.query('COMMIT');
      } catch (err) {
        // A server error (a deferred constraint) ended the transaction; without a code the connection failed and
        // whether the server committed is unknown: never reuse it.
        if (pgCode(err) === undefined) broken = true;
        throw err;
      }
      // COMMIT of a transaction that had an error inside `fn` (caught there) answers ROLLBACK instead of failing.
      if (done.command !== 'COMMIT') throw new TurnNotCommitted(done.command);
      return { ok: true, value };
    } finally {
      ctx.open = false;
      ctx.prefetched = null;
      if (!ended) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection itself failed: destroyed below, which ends the session and its lock
        }
      }
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}
