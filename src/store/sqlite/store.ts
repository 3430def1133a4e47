// The embedded store: one SQLite file (or :memory:) behind the Store port, via better-sqlite3.
import { resolve } from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Store } from '../store.port.ts';
import { MEMORY, openSqliteDatabase } from './connection.ts';
import { SqliteConversations } from './conversations.ts';
import { SqliteKeyRings } from './key-rings.ts';
import { SqliteProfiles } from './profiles.ts';
import { SqliteReports } from './reports.ts';
import { SqliteRules } from './rules.ts';

export interface SqliteStoreOptions {
  /** A file path (its folder is created) or `:memory:`. */
  path: string;
  /**
   * `full` (default): every commit is fsynced, so an acknowledged turn survives power loss. `normal`: in WAL mode
   * it survives a crash of the process (SIGKILL) but the last commits may be lost on power loss; several times
   * more turns per second on slow disks (docs/performance.md).
   */
  synchronous?: 'full' | 'normal';
}

/** Opens (creating and migrating when needed) the database at `path`. */
export async function openSqliteStore(opts: SqliteStoreOptions): Promise<SqliteStore> {
  return new SqliteStore(openSqliteDatabase(opts.path, opts.synchronous ?? 'full'));
}

/** The tail of the work queued under each key by exclusively(), per process. */
const queues = new Map<string, Promise<unknown>>();
let memoryDatabases = 0;

/**
 * better-sqlite3 is synchronous: each repository call runs to completion before it returns its promise, so two
 * calls on one instance never interleave. Transactions (IMMEDIATE for writes) are what keep several
 * instances or processes on one file correct.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  readonly conversations: SqliteConversations;
  readonly rules: SqliteRules;
  readonly profiles: SqliteProfiles;
  readonly reports: SqliteReports;
  readonly keyRings: SqliteKeyRings;
  private readonly selectOne;
  private readonly writeProbe;
  /** Stores on the same file in this process share a queue; each :memory: database is its own. */
  private readonly queueKey: string;

  constructor(private readonly db: Database) {
    this.conversations = new SqliteConversations(db);
    this.rules = new SqliteRules(db);
    this.profiles = new SqliteProfiles(db);
    this.reports = new SqliteReports(db);
    this.keyRings = new SqliteKeyRings(db);
    this.selectOne = db.prepare('SELECT 1');
    this.writeProbe = db.prepare('INSERT INTO readiness_probe (id, probed_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at');
    this.queueKey = db.memory ? `${MEMORY}#${++memoryDatabases}` : resolve(db.name);
  }

  async ping(): Promise<void> {
    this.selectOne.get();
  }

  async probeWrite(now: string): Promise<void> {
    // A commit appends to the WAL (fsynced), so a full disk or a read-only file fails here as a turn would.
    this.writeProbe.run(now);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /**
   * One call at a time per name and file, in this process. SQLite has no lock that could be held across the
   * awaits of `fn` without also blocking `fn`'s own writes, so processes sharing a file are not coordinated.
   */
  async exclusively<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const key = `${this.queueKey}\0${name}`;
    const before = queues.get(key) ?? Promise.resolve();
    // `before` never rejects (the tail below swallows failures), so a failed call does not block the next.
    const run = before.then(fn);
    const tail = run.catch(() => {});
    queues.set(key, tail);
    try {
      return await run;
    } finally {
      if (queues.get(key) === tail) queues.delete(key);
    }
  }
}
