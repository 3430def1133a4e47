// The lock that makes a conversation's turns wait for each other across instances: an advisory transaction lock on a lock-pool connection.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { TurnLockResult } from '../store.port.ts';
import { pgCode } from './connection.ts';

/** The first key of every turn lock; migrations and `exclusively` use ADVISORY_NAMESPACE, so the two never meet. */
export const TURN_LOCK_NAMESPACE = 0x7474; // "tt"

/** lock_not_available: the lock_timeout of the transaction expired while waiting. */
const LOCK_TIMEOUT = '55P03';

/**
 * The second key: 32 bits of a hash of the schema and the conversation id. Two conversations that share a key only
 * wait for each other now and then (a holder never waits for a second turn lock, so that cannot deadlock).
 */
export function turnLockKey(scope: string, conversationId: string): number {
  return createHash('sha256').update(`${scope}\0${conversationId}`).digest().readInt32BE(0);
}

/**
 * Holds the lock while `fn` runs. The connection comes from `lockPool`, never from the pool `fn` reads and writes
 * through, so turns waiting here cannot starve the one holding the lock. The transaction writes nothing: ending it
 * releases the lock, and so does the server when the connection dies.
 */
export async function withTurnLock<T>(lockPool: pg.Pool, key: number, waitMs: number, fn: () => Promise<T>): Promise<TurnLockResult<T>> {
  const client = await lockPool.connect();
  let broken = false;
  // A checked-out client whose connection drops emits 'error' (see transaction()); unheard it would crash the process.
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    // lock_timeout 0 would mean "wait for ever": at least 1 ms.
    const ms = Math.max(1, Math.ceil(waitMs));
    try {
      // One round trip; both numbers are integers of ours, so several statements in one simple query are safe.
      await client.query(`BEGIN; SELECT set_config('lock_timeout', '${ms}ms', true); SELECT pg_advisory_xact_lock(${TURN_LOCK_NAMESPACE}, ${key})`);
    } catch (err) {
      if (pgCode(err) === LOCK_TIMEOUT) return { ok: false, reason: 'lock_timeout' };
      throw err;
    }
    return { ok: true, value: await fn() };
  } finally {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true; // destroyed below, which ends the session and its lock
    }
    client.removeListener('error', onError);
    client.release(broken);
  }
}
