// The PostgreSQL schema: the same versions and names as the SQLite list, in PostgreSQL's dialect; append, never edit.
import type { Migration } from './migration.ts';

/**
 * Differences from SQLite, and why:
 * - times are TIMESTAMPTZ (compared as instants, read back as Dates and rewritten with toISOString());
 * - state, attributes and key rings are JSONB; idempotency bodies are JSON, kept verbatim (key order included);
 * - ids that are listed in order use COLLATE "C", so pages sort bytewise as SQLite does, whatever the
 *   database's locale;
 * - timeline seq is an identity column (never reused, like AUTOINCREMENT).
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
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
        state JSONB NOT NULL,
        status TEXT NOT NULL,
        scenario TEXT NOT NULL,
        auth_status TEXT NOT NULL,
        onboarding_type TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      );
      -- Reports select conversations by creation time, overall or for one widget.
      CREATE INDEX conversations_created_at ON conversations (created_at);
      CREATE INDEX conversations_widget_created_at ON conversations (widget_id, created_at);

      CREATE TABLE timeline_entries (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        turn INTEGER NOT NULL,
        party INTEGER NOT NULL,
        sender TEXT NOT NULL CHECK (sender IN ('customer', 'bot', 'system')),
        text TEXT NOT NULL,
        trusted BOOLEAN,
        at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX timeline_entries_conversation ON timeline_entries (conversation_id, seq);

      CREATE TABLE profiles (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT,
        external_id TEXT UNIQUE,
        attributes JSONB NOT NULL DEFAULT '{}',
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      -- One row per contact key: the primary keys make "one profile per email/phone" hold across instances.
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
        thread_id TEXT COLLATE "C" PRIMARY KEY,
        source TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE thread_versions (
        thread_id TEXT COLLATE "C" NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        source TEXT NOT NULL,
        published_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (thread_id, version)
      );
      -- The foreign key makes activating a version that was never published impossible.
      CREATE TABLE thread_active (
        thread_id TEXT COLLATE "C" PRIMARY KEY,
        version INTEGER NOT NULL,
        FOREIGN KEY (thread_id, version) REFERENCES thread_versions (thread_id, version)
      );

      CREATE TABLE widgets (
        id TEXT COLLATE "C" PRIMARY KEY,
        source TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      );

      CREATE TABLE idempotency (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status INTEGER NOT NULL,
        body JSON NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (scope, key)
      );
      -- For pruning old records later.
      CREATE INDEX idempotency_created_at ON idempotency (created_at);

      CREATE TABLE key_rings (
        name TEXT PRIMARY KEY,
        data JSONB NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 2,
    name: 'conversation list indexes',
    // As on SQLite: every index ends in (created_at, id) for the keyset pages of the admin list. The id is COLLATE "C"
    // here so ties on created_at sort bytewise as on SQLite, and the list's ORDER BY (which says COLLATE "C") can
    // walk the index.
    sql: `
      DROP INDEX conversations_created_at;
      DROP INDEX conversations_widget_created_at;
      CREATE INDEX conversations_created_at_id ON conversations (created_at, id COLLATE "C");
      CREATE INDEX conversations_widget_created_at_id ON conversations (widget_id, created_at, id COLLATE "C");
      CREATE INDEX conversations_scenario_created_at_id ON conversations (scenario, created_at, id COLLATE "C");
      CREATE INDEX conversations_status_created_at_id ON conversations (status, created_at, id COLLATE "C");
    `,
  },
  {
    version: 3,
    name: 'agent lines in the timeline',
    // The column constraint of version 1 has PostgreSQL's default name; replaced in place, rows untouched.
    sql: `
      ALTER TABLE timeline_entries DROP CONSTRAINT timeline_entries_sender_check;
      ALTER TABLE timeline_entries ADD CONSTRAINT timeline_entries_sender_check CHECK (sender IN ('customer', 'agent', 'bot', 'system'));
    `,
  },
  {
    version: 4,
    name: 'conversation profile column',
    // As on SQLite: the profile a conversation was last matched to, filled from the stored states, indexed for a
    // profile's pages newest first (id COLLATE "C" as the list's other indexes).
    sql: `
      ALTER TABLE conversations ADD COLUMN profile_id TEXT;
      UPDATE conversations SET profile_id = state->'profile'->>'id';
      CREATE INDEX conversations_profile_created_at_id ON conversations (profile_id, created_at, id COLLATE "C") WHERE profile_id IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'readiness probe row',
    // As on SQLite: the row /readyz rewrites, so readiness proves a commit, not only a connection. Every instance
    // rewrites the same row; the lock is held for one statement.
    sql: `
      CREATE TABLE readiness_probe (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        probed_at TIMESTAMPTZ NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'rules generation',
    // As on SQLite: the counter admin changes to widgets and active threads increment, read with every conversation
    // load so each instance knows, without another query, whether its compiled widget and thread are current.
    sql: `
      CREATE TABLE rules_generation (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        n BIGINT NOT NULL
      );
      INSERT INTO rules_generation (id, n) VALUES (1, 0);
    `,
  },
  {
    version: 7,
    name: 'timeline keyed by conversation',
    // With an index on seq alone, the planner read a long conversation's latest page by walking seq backward and
    // filtering on conversation_id, i.e. through every newer entry of every other conversation (16 ms behind 100k
    // newer rows, measured). Keyed by (conversation_id, seq) only, a page is a range of one index: 0.05 ms.
    // seq stays an identity column, unique as before (IDENTITY never repeats a value).
    sql: `
      ALTER TABLE timeline_entries DROP CONSTRAINT timeline_entries_pkey;
      ALTER TABLE timeline_entries ADD CONSTRAINT timeline_entries_pkey PRIMARY KEY (conversation_id, seq);
      DROP INDEX timeline_entries_conversation;
    `,
  },
  {
    version: 8,
    name: 'profile conversation stamps',
    // A stamp per profile that changes in the same transaction as the set of conversations with that profile_id (or
    // their created_at/id, which place them before or after another): an instance may reuse a count it read at the
    // same stamp instead of counting again (src/store/postgres/profile-counts.ts). Triggers, not the store's own
    // statements, bump it, so every writer bumps it: instances of an older version during a rolling upgrade, later
    // migrations, hand-written SQL. A table of its own, not a column of profiles: conversations.profile_id has no
    // foreign key, so the profile row may not exist. The stamp only grows (greatest) and starts from the clock in
    // microseconds, so a schema dropped and made again under a running instance does not repeat a remembered stamp.
    // The old and the new profile of an update are upserted in one order (COLLATE "C"), so crossing moves never deadlock;
    // two first bumps of one profile meet in ON CONFLICT. The function keeps the search_path it was made with (the
    // schema's), so whatever a writer's search_path the stamps beside these conversations move; static SQL, whose plan
    // plpgsql keeps (a dynamic EXECUTE cost 0.25 ms per insert, this about 0.09 ms).
    sql: `
      CREATE TABLE profile_conversation_stamps (
        profile_id TEXT PRIMARY KEY,
        stamp BIGINT NOT NULL
      );
      CREATE FUNCTION bump_profile_conversation_stamps() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
      DECLARE
        one TEXT;
        two TEXT;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          one := NEW.profile_id;
        ELSIF TG_OP = 'DELETE' THEN
          one := OLD.profile_id;
        ELSIF OLD.profile_id IS NOT DISTINCT FROM NEW.profile_id OR OLD.profile_id IS NULL OR NEW.profile_id IS NULL THEN
          one := coalesce(NEW.profile_id, OLD.profile_id);
        ELSIF OLD.profile_id COLLATE "C" < NEW.profile_id COLLATE "C" THEN
          one := OLD.profile_id;
          two := NEW.profile_id;
        ELSE
          one := NEW.profile_id;
          two := OLD.profile_id;
        END IF;
        IF one IS NOT NULL THEN
          INSERT INTO profile_conversation_stamps AS s (profile_id, stamp) VALUES (one, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
          ON CONFLICT (profile_id) DO UPDATE SET stamp = greatest(s.stamp + 1, EXCLUDED.stamp);
        END IF;
        IF two IS NOT NULL THEN
          INSERT INTO profile_conversation_stamps AS s (profile_id, stamp) VALUES (two, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint)
          ON CONFLICT (profile_id) DO UPDATE SET stamp = greatest(s.stamp + 1, EXCLUDED.stamp);
        END IF;
        RETURN NULL;
      END
      $fn$;
      CREATE TRIGGER conversations_profile_stamp_insert AFTER INSERT ON conversations
        FOR EACH ROW WHEN (NEW.profile_id IS NOT NULL) EXECUTE FUNCTION bump_profile_conversation_stamps();
      CREATE TRIGGER conversations_profile_stamp_update AFTER UPDATE ON conversations
        FOR EACH ROW WHEN (OLD.profile_id IS DISTINCT FROM NEW.profile_id OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.id IS DISTINCT FROM NEW.id)
        EXECUTE FUNCTION bump_profile_conversation_stamps();
      CREATE TRIGGER conversations_profile_stamp_delete AFTER DELETE ON conversations
        FOR EACH ROW WHEN (OLD.profile_id IS NOT NULL) EXECUTE FUNCTION bump_profile_conversation_stamps();
    `,
  },
];
