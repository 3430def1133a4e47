// Opens a SQLite file (or :memory:) with the settings threadgate relies on, then migrates it.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../store-error.ts';
import { migrateSqlite } from './migrate.ts';

export const MEMORY = ':memory:';
/** How long a just-created, still empty database file is taken for a concurrent opener's. */
export const EMPTY_FILE_GRACE_MS = 10_000;

/**
 * - WAL (files only; :memory: has no journal file): readers never block the writer.
 * - synchronous FULL: the WAL is fsynced at every commit, so an acknowledged turn survives a crash
 *   or power loss, not only a killed process (NORMAL could lose the last commits on power loss).
 * - foreign_keys: off by default in SQLite, per connection.
 * - busy_timeout: a second connection waits for the write lock instead of failing with SQLITE_BUSY.
 */
export function openSqliteDatabase(path: string, synchronous: 'full' | 'normal' = 'full'): Database.Database {
  const memory = path === MEMORY;
  if (!memory) {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    // SQLite would take a zero-length file as a new, empty database, and every earlier conversation would 404.
    // A file another process created a moment ago (instances starting together) is empty too, so only an empty
    // file older than EMPTY_FILE_GRACE_MS is refused.
    const st = existsSync(path) ? statSync(path) : null;
    if (st && st.isFile() && st.size === 0 && Date.now() - st.mtimeMs > EMPTY_FILE_GRACE_MS) {
      throw new StoreError('database_unusable', `the database file ${resolve(path)} is empty (0 bytes), so it holds no threadgate data: restore it from a backup, or remove it to start with an empty database.`);
    }
  }
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (err) {
    throw unusable(path, err);
  }
  try {
    // First, so the journal-mode switch and the migrations wait for another opener instead of failing.
    db.pragma('busy_timeout = 5000');
    if (!memory) {
      const mode = switchToWal(db);
      if (mode !== 'wal') throw new Error(`SQLite refused WAL mode for ${path} (got "${String(mode)}").`);
    }
    db.pragma(`synchronous = ${synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    migrateSqlite(db);
    return db;
  } catch (err) {
    db.close();
    throw unusable(path, err);
  }
}

/** SQLite's own failures at open, said with the file and what to do; anything else goes on as it was. */
function unusable(path: string, err: unknown): unknown {
  const code = (err as { code?: string }).code;
  const file = resolve(path);
  if (code === 'SQLITE_NOTADB') return new StoreError('database_unusable', `${file} is not a threadgate database (not a SQLite file): point THREADGATE_DATABASE at the right file, or move this one away.`);
  if (code === 'SQLITE_CORRUPT') return new StoreError('database_unusable', `${file} is corrupted: restore it from a backup (docs/operations.md, Backups).`);
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return new StoreError('database_unusable', `${file} cannot be opened for writing (${code}): the file or its folder is read-only or not the service's; threadgate needs to write the file and its -wal and -shm files beside it.`);
  }
  return err;
}

/**
 * Switching a fresh file to WAL needs an exclusive lock, and SQLite answers SQLITE_BUSY at once (without
 * the busy handler) when another process opens the same file at that moment: retry for up to 10 s.
 */
function switchToWal(db: Database.Database): unknown {
  const deadline = Date.now() + 10_000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
    try {
      return db.pragma('journal_mode = WAL', { simple: true });
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
      Atomics.wait(pause, 0, 0, wait);
    }
  }
}
