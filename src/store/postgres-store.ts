// The shared store for several instances: PostgreSQL behind the Store port, via a pg connection pool.
import pg from 'pg';
import { parseKeyRing, type KeyRingData } from '../auth/key-ring.ts';
import type { ProfileRecord } from '../core/events.ts';
import type { ProfileDraft } from '../core/outputs.ts';
import type { ContactKeys } from '../profiles/profile-directory.ts';
import { ADVISORY_NAMESPACE, migratePostgres } from './migrate-postgres.ts';
import { clientConfig, createPool, type PostgresConnectOptions } from './postgres-connection.ts';
import { PostgresConversations } from './postgres-conversations.ts';
import { PostgresProfiles } from './postgres-profiles.ts';
import { postgresOnboardingReport } from './postgres-report.ts';
import { PostgresRules } from './postgres-rules.ts';
import type { ConversationStart, CreateResult, NewConversation } from './store.port.ts';
import type { PutResult } from './store.port.ts';
import type {
  CommitResult,
  ConversationRecord,
  IdempotencyRecord,
  OnboardingReport,
  ReportQuery,
  RulesSource,
  Store,
  ThreadVersion,
  TimelineEntry,
  TurnCommit,
} from './store.port.ts';

export type PostgresStoreOptions = PostgresConnectOptions;

/** True for the URLs that select PostgreSQL (`postgres://…`, `postgresql://…`). */
export const isPostgresUrl = (url: string | undefined): url is string => !!url && /^postgres(ql)?:\/\//i.test(url);

/** Opens a pool and migrates the schema (once across instances); fails when the database cannot be reached. */
export async function openPostgresStore(opts: PostgresStoreOptions): Promise<PostgresStore> {
  const pool = createPool(opts);
  try {
    await migratePostgres(pool, opts.schema);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return new PostgresStore(pool, opts);
}

/** Stateless apart from the pool: any number of instances share one database and stay correct through transactions. */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private readonly conversations: PostgresConversations;
  private readonly profiles: PostgresProfiles;
  private readonly rules: PostgresRules;
  private closed: Promise<void> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PostgresConnectOptions,
  ) {
    this.conversations = new PostgresConversations(pool);
    this.profiles = new PostgresProfiles(pool);
    this.rules = new PostgresRules(pool);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the PostgreSQL store is closed');
    await this.pool.query('SELECT 1');
  }

  close(): Promise<void> {
    return (this.closed ??= this.pool.end());
  }

  /**
   * Runs `fn` while holding a session-level advisory lock named `name` (per schema), so only one instance at a
   * time does it: used to seed the rules folder at start. The lock lives on its own connection, outside the
   * pool, so `fn` can use the whole pool (even one of size 1) meanwhile; it is released when `fn` settles,
   * or by the server if this process dies.
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

  putThreadDraft(id: string, source: string, now: string): Promise<RulesSource> {
    return this.rules.putThreadDraft(id, source, now);
  }
  getThreadDraft(id: string): Promise<RulesSource | null> {
    return this.rules.getThreadDraft(id);
  }
  publishThread(id: string, now: string): Promise<ThreadVersion | null> {
    return this.rules.publishThread(id, now);
  }
  listThreadVersions(id: string): Promise<ThreadVersion[]> {
    return this.rules.listThreadVersions(id);
  }
  getThreadVersion(id: string, version: number): Promise<ThreadVersion | null> {
    return this.rules.getThreadVersion(id, version);
  }
  getActiveThreadVersion(id: string): Promise<ThreadVersion | null> {
    return this.rules.getActiveThreadVersion(id);
  }
  activateThreadVersion(id: string, version: number): Promise<ThreadVersion | null> {
    return this.rules.activateThreadVersion(id, version);
  }
  listThreadIds(): Promise<string[]> {
    return this.rules.listThreadIds();
  }

  putWidget(id: string, source: string, now: string): Promise<RulesSource> {
    return this.rules.putWidget(id, source, now);
  }
  getWidget(id: string): Promise<RulesSource | null> {
    return this.rules.getWidget(id);
  }
  listWidgets(): Promise<RulesSource[]> {
    return this.rules.listWidgets();
  }
  deleteWidget(id: string): Promise<boolean> {
    return this.rules.deleteWidget(id);
  }

  find(keys: ContactKeys): Promise<ProfileRecord | null> {
    return this.profiles.find(keys);
  }
  create(draft: ProfileDraft): Promise<ProfileRecord> {
    return this.profiles.create(draft);
  }
  getProfile(id: string): Promise<ProfileRecord | null> {
    return this.profiles.get(id);
  }
  putProfile(profile: ProfileRecord, now: string): Promise<PutResult> {
    return this.profiles.put(profile, now);
  }
  listProfiles(limit: number, after?: string): Promise<ProfileRecord[]> {
    return this.profiles.list(limit, after);
  }

  createConversation(record: NewConversation, start?: ConversationStart): Promise<CreateResult> {
    return this.conversations.create(record, start);
  }
  getConversation(id: string): Promise<ConversationRecord | null> {
    return this.conversations.get(id);
  }
  commitTurn(commit: TurnCommit): Promise<CommitResult> {
    return this.conversations.commit(commit);
  }
  getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null> {
    return this.conversations.getIdempotency(scope, key);
  }
  timeline(conversationId: string, opts?: { party?: number }): Promise<TimelineEntry[]> {
    return this.conversations.timeline(conversationId, opts);
  }

  onboardingReport(q: ReportQuery): Promise<OnboardingReport> {
    return postgresOnboardingReport(this.pool, q);
  }

  /** Validated on the way out too: a ring edited by hand in the database must not sign with a broken key. */
  async loadKeyRing(name: string): Promise<KeyRingData | null> {
    const row = (await this.pool.query<{ data: unknown }>('SELECT data FROM key_rings WHERE name = $1', [name])).rows[0];
    return row ? parseKeyRing(row.data) : null;
  }
  async saveKeyRing(name: string, ring: KeyRingData): Promise<void> {
    // updated_at from the database clock: saveKeyRing is given no `now`.
    await this.pool.query('INSERT INTO key_rings (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = now()', [
      name,
      JSON.stringify(parseKeyRing(ring)),
    ]);
  }
}
