// Which thrown errors mean "the database cannot serve right now" (503 store_unavailable), told apart from bugs (500).

/** SQLite's result codes for a full disk, an I/O error, a lock held too long, or damaged pages. */
const SQLITE = /^SQLITE_(FULL|IOERR.*|BUSY.*|LOCKED.*|CORRUPT.*|NOTADB|CANTOPEN.*|READONLY.*|PROTOCOL)$/;
/** PostgreSQL SQLSTATE classes 08 (connection), 53 (resources), 57P (operator intervention: shutdown, restart). */
const PG_SQLSTATE = /^(08\d{3}|53\d{3}|57P0[1-4])$/;
/** Socket failures of the pg driver, and its message when the server drops the connection. */
const NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const PG_GONE = /Connection terminated|connection (timeout|terminated)|Client has encountered a connection error|timeout exceeded when trying to connect/i;

export interface StoreFailure {
  /** For the metric label: the driver's code, or `connection_lost`. */
  reason: string;
  /** Seconds a client should wait before retrying. */
  retryAfter: number;
}

/** A store failure, or null for anything else (which stays a 500). */
export function storeFailure(err: unknown): StoreFailure | null {
  if (typeof err !== 'object' || err === null) return null;
  const code = typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : '';
  if (SQLITE.test(code)) return { reason: code, retryAfter: code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') ? 1 : 5 };
  if (PG_SQLSTATE.test(code)) return { reason: code, retryAfter: 2 };
  if (NET.has(code)) return { reason: code, retryAfter: 2 };
  const message = err instanceof Error ? err.message : '';
  if (PG_GONE.test(message)) return { reason: 'connection_lost', retryAfter: 2 };
  return null;
}
