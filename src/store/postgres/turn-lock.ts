// The lock that makes a conversation's turns wait for each other across instances: an advisory transaction lock, as SQL for the turn's first round trip.
import { createHash } from 'node:crypto';

/** The first key of every turn lock; migrations and `exclusively` use ADVISORY_NAMESPACE, so the two never meet. */
export const TURN_LOCK_NAMESPACE = 0x7474; // "tt"

/**
 * The second key: 32 bits of a hash of the schema and the conversation id. Two conversations that share a key only
 * wait for each other now and then (a holder never waits for a second turn lock, so that cannot deadlock).
 */
export function turnLockKey(scope: string, conversationId: string): number {
  return createHash('sha256').update(`${scope}\0${conversationId}`).digest().readInt32BE(0);
}

/**
 * BEGIN, lock_timeout for this transaction (what is left of the turn's wait, so a lock held too long fails with
 * 55P03 instead of hanging), the lock, then lock_timeout back to the session's default: the rest of the turn (its
 * row lock, a profile key another turn is inserting) waits as any transaction does, not for the lock's leftover
 * milliseconds. Four statements of one simple query, one round trip; every value is an integer of ours, so no
 * quoting is involved. Ending the transaction releases the lock, and so does the server when the connection dies.
 */
export function turnLockSql(scope: string, conversationId: string, waitMs: number): string {
  // lock_timeout 0 would mean "wait for ever": at least 1 ms; at most what the setting holds.
  const ms = Number.isFinite(waitMs) ? Math.min(2_147_483_647, Math.max(1, Math.ceil(waitMs))) : 2_147_483_647;
  return `BEGIN; SET LOCAL lock_timeout = ${ms}; SELECT pg_advisory_xact_lock(${TURN_LOCK_NAMESPACE}, ${turnLockKey(scope, conversationId)}); SET LOCAL lock_timeout TO DEFAULT`;
}
