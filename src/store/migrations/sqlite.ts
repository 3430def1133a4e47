// The SQLite schema as an ordered list of migrations; append new ones, never edit an applied one.
import type { Migration } from './migration.ts';

/** SQLite's clock, for audit columns written by port methods that carry no `now` (profile create, key rings). */
const DB_NOW = `(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        widget_id TEXT NOT NULL,
        thread_id TEXT NOT NULL,
        thread_version INTEGER NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        state TEXT NOT NULL CHECK (json_valid(state)),
        status TEXT NOT NULL,
        scenario TEXT NOT NULL,
        auth_status TEXT NOT NULL,
        onboarding_type TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- Reports select conversations by creation time, overall or for one widget.
      CREATE INDEX conversations_created_at ON conversations (created_at);
      CREATE INDEX conversations_widget_created_at ON conversations (widget_id, created_at);

      CREATE TABLE timeline_entries (
        -- AUTOINCREMENT: a seq is never reused, so it orders entries across turns and connections.
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        turn INTEGER NOT NULL,
        party INTEGER NOT NULL,
        sender TEXT NOT NULL CHECK (sender IN ('customer', 'bot', 'system')),
        text TEXT NOT NULL,
        trusted INTEGER CHECK (trusted IN (0, 1)),
        at TEXT NOT NULL
      );
      CREATE INDEX timeline_entries_conversation ON timeline_entries (conversation_id, seq);

      CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        name TEXT,
        external_id TEXT UNIQUE,
        attributes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
        created_at TEXT NOT NULL DEFAULT ${DB_NOW},
        updated_at TEXT NOT NULL DEFAULT ${DB_NOW}
      );
      -- One row per contact key: the primary keys make "one profile per email/phone" hold across connections.
      CREATE TABLE profile_emails (
        email TEXT PRIMARY KEY,
        profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
        position INTEGER NOT NULL
      );
      CREATE INDEX profile_emails_profile ON profile_emails (profile_id, position);
      CREATE TABLE profile_phones (
        phone TEXT PRIMARY KEY,
        profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
        position INTEGER NOT NULL
      );
      CREATE INDEX profile_phones_profile ON profile_phones (profile_id, position);

      CREATE TABLE thread_drafts (
        thread_id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE thread_versions (
        thread_id TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        source TEXT NOT NULL,
        published_at TEXT NOT NULL,
        PRIMARY KEY (thread_id, version)
      );
      -- The foreign key makes activating a version that was never published impossible.
      CREATE TABLE thread_active (
        thread_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        FOREIGN KEY (thread_id, version) REFERENCES thread_versions (thread_id, version)
      );

      CREATE TABLE widgets (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE idempotency (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status INTEGER NOT NULL,
        body TEXT NOT NULL CHECK (json_valid(body)),
        created_at TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      );
      -- For pruning old records later.
      CREATE INDEX idempotency_created_at ON idempotency (created_at);

      CREATE TABLE key_rings (
        name TEXT PRIMARY KEY,
        data TEXT NOT NULL CHECK (json_valid(data)),
        updated_at TEXT NOT NULL DEFAULT ${DB_NOW}
      );
    `,
  },
  {
    version: 2,
    name: 'conversation list indexes',
    // The admin list pages newest first by keyset (created_at desc, id desc), overall or filtered; each index ends in
    // (created_at, id) so a page is a walk down one index from the cursor, never a sort. The two created_at indexes
    // of version 1 are replaced, not kept: the new ones serve the reports' range scans as well.
    sql: `
      DROP INDEX conversations_created_at;
      DROP INDEX conversations_widget_created_at;
      CREATE INDEX conversations_created_at_id ON conversations (created_at, id);
      CREATE INDEX conversations_widget_created_at_id ON conversations (widget_id, created_at, id);
      CREATE INDEX conversations_scenario_created_at_id ON conversations (scenario, created_at, id);
      CREATE INDEX conversations_status_created_at_id ON conversations (status, created_at, id);
    `,
  },
  {
    version: 3,
    name: 'agent lines in the timeline',
    // SQLite cannot change a CHECK constraint in place: the table is rebuilt with 'agent' allowed, rows and seqs
    // copied as they are. The AUTOINCREMENT high-water mark moves with it (sqlite_sequence), so a seq of a line
    // deleted before the upgrade is still never reused; DROP TABLE removes the old mark, RENAME renames the new one.
    sql: `
      CREATE TABLE timeline_entries_v3 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        turn INTEGER NOT NULL,
        party INTEGER NOT NULL,
        sender TEXT NOT NULL CHECK (sender IN ('customer', 'agent', 'bot', 'system')),
        text TEXT NOT NULL,
        trusted INTEGER CHECK (trusted IN (0, 1)),
        at TEXT NOT NULL
      );
      INSERT INTO timeline_entries_v3 (seq, conversation_id, turn, party, sender, text, trusted, at)
        SELECT seq, conversation_id, turn, party, sender, text, trusted, at FROM timeline_entries;
      DELETE FROM sqlite_sequence WHERE name = 'timeline_entries_v3';
      INSERT INTO sqlite_sequence (name, seq) SELECT 'timeline_entries_v3', seq FROM sqlite_sequence WHERE name = 'timeline_entries';
      DROP TABLE timeline_entries;
      ALTER TABLE timeline_entries_v3 RENAME TO timeline_entries;
      CREATE INDEX timeline_entries_conversation ON timeline_entries (conversation_id, seq);
    `,
  },
  {
    version: 4,
    name: 'conversation profile column',
    // The profile a conversation was last matched to, for a profile's past conversations (newest first by keyset, as
    // the admin list). Filled from the stored states; no foreign key, since profiles are written in their own
    // transactions before the turn that matched them. Partial: visitors' conversations have none.
    sql: `
      ALTER TABLE conversations ADD COLUMN profile_id TEXT;
      UPDATE conversations SET profile_id = json_extract(state, '$.profile.id');
      CREATE INDEX conversations_profile_created_at_id ON conversations (profile_id, created_at, id) WHERE profile_id IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'readiness probe row',
    // One row /readyz rewrites in a committed transaction: a ping answers while a full disk refuses every commit.
    sql: `
      CREATE TABLE readiness_probe (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        probed_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'rules generation',
    // One counter every widget and thread-activation change increments in its own transaction: a runtime that read
    // the same number with a conversation may keep using the widget and thread it compiled at that number.
    sql: `
      CREATE TABLE rules_generation (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        n INTEGER NOT NULL
      );
      INSERT INTO rules_generation (id, n) VALUES (1, 0);
    `,
  },
  {
    version: 7,
    name: 'timeline keyed by conversation',
    // PostgreSQL re-keys its timeline (migrations/postgres.ts). Here seq is the rowid and the (conversation_id, seq)
    // index already serves every page as a range (SQLite's planner takes it for the equality), so nothing changes.
    sql: `SELECT 1;`,
  },
  {
    version: 8,
    name: 'profile conversation stamps',
    // PostgreSQL stamps each profile's set of conversations so instances can reuse a count (migrations/postgres.ts).
    // Here one connection holds the file's counts and PRAGMA data_version tells it of any other writer, so nothing changes.
    sql: `SELECT 1;`,
  },
];
