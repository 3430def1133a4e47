// The embedded store: one SQLite file (or :memory:) behind the Store port, via better-sqlite3.
import type { Database } from 'better-sqlite3';
import { parseKeyRing, type KeyRingData } from '../auth/key-ring.ts';
import type { ProfileRecord } from '../core/events.ts';
import type { ProfileDraft } from '../core/outputs.ts';
import type { ContactKeys } from '../profiles/profile-directory.ts';
import { openSqliteDatabase } from './sqlite-connection.ts';
import { SqliteConversations } from './sqlite-conversations.ts';
import type { ConversationStart, CreateResult, NewConversation, PutResult } from './store.port.ts';
import { SqliteProfiles } from './sqlite-profiles.ts';
import { SqliteReport } from './sqlite-report.ts';
import { SqliteRules } from './sqlite-rules.ts';
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

/**
 * better-sqlite3 is synchronous: each method runs to completion before it returns its promise, so two
 * calls on one instance never interleave. Transactions (IMMEDIATE for writes) are what keep several
 * instances or processes on one file correct.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly conversations: SqliteConversations;
  private readonly profiles: SqliteProfiles;
  private readonly rules: SqliteRules;
  private readonly report: SqliteReport;
  private readonly selectOne;
  private readonly keyRing;
  private readonly upsertKeyRing;

  constructor(private readonly db: Database) {
    this.conversations = new SqliteConversations(db);
    this.profiles = new SqliteProfiles(db);
    this.rules = new SqliteRules(db);
    this.report = new SqliteReport(db);
    this.selectOne = db.prepare('SELECT 1');
    this.keyRing = db.prepare<[string], string>('SELECT data FROM key_rings WHERE name = ?').pluck();
    // updated_at from SQLite's clock: saveKeyRing is given no `now`.
    this.upsertKeyRing = db.prepare<[string, string]>(
      `INSERT INTO key_rings (name, data) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET data = excluded.data, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`,
    );
  }

  async ping(): Promise<void> {
    this.selectOne.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async putThreadDraft(id: string, source: string, now: string): Promise<RulesSource> {
    return this.rules.putThreadDraft(id, source, now);
  }
  async getThreadDraft(id: string): Promise<RulesSource | null> {
    return this.rules.getThreadDraft(id);
  }
  async publishThread(id: string, now: string): Promise<ThreadVersion | null> {
    return this.rules.publishThread(id, now);
  }
  async listThreadVersions(id: string): Promise<ThreadVersion[]> {
    return this.rules.listThreadVersions(id);
  }
  async getThreadVersion(id: string, version: number): Promise<ThreadVersion | null> {
    return this.rules.getThreadVersion(id, version);
  }
  async getActiveThreadVersion(id: string): Promise<ThreadVersion | null> {
    return this.rules.getActiveThreadVersion(id);
  }
  async activateThreadVersion(id: string, version: number): Promise<ThreadVersion | null> {
    return this.rules.activateThreadVersion(id, version);
  }
  async listThreadIds(): Promise<string[]> {
    return this.rules.listThreadIds();
  }

  async putWidget(id: string, source: string, now: string): Promise<RulesSource> {
    return this.rules.putWidget(id, source, now);
  }
  async getWidget(id: string): Promise<RulesSource | null> {
    return this.rules.getWidget(id);
  }
  async listWidgets(): Promise<RulesSource[]> {
    return this.rules.listWidgets();
  }
  async deleteWidget(id: string): Promise<boolean> {
    return this.rules.deleteWidget(id);
  }

  async find(keys: ContactKeys): Promise<ProfileRecord | null> {
    return this.profiles.find(keys);
  }
  async create(draft: ProfileDraft): Promise<ProfileRecord> {
    return this.profiles.create(draft);
  }
  async getProfile(id: string): Promise<ProfileRecord | null> {
    return this.profiles.get(id);
  }
  async putProfile(profile: ProfileRecord, now: string): Promise<PutResult> {
    return this.profiles.put(profile, now);
  }
  async listProfiles(limit: number, after?: string): Promise<ProfileRecord[]> {
    return this.profiles.list(limit, after);
  }

  async createConversation(record: NewConversation, start?: ConversationStart): Promise<CreateResult> {
    return this.conversations.create(record, start);
  }
  async getConversation(id: string): Promise<ConversationRecord | null> {
    return this.conversations.get(id);
  }
  async commitTurn(commit: TurnCommit): Promise<CommitResult> {
    return this.conversations.commit(commit);
  }
  async getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null> {
    return this.conversations.getIdempotency(scope, key);
  }
  async timeline(conversationId: string, opts?: { party?: number }): Promise<TimelineEntry[]> {
    return this.conversations.timeline(conversationId, opts);
  }

  async onboardingReport(q: ReportQuery): Promise<OnboardingReport> {
    return this.report.onboardingReport(q);
  }

  /** Validated on the way out too: a ring edited by hand in the database must not sign with a broken key. */
  async loadKeyRing(name: string): Promise<KeyRingData | null> {
    const data = this.keyRing.get(name);
    return data === undefined ? null : parseKeyRing(JSON.parse(data));
  }
  async saveKeyRing(name: string, ring: KeyRingData): Promise<void> {
    this.upsertKeyRing.run(name, JSON.stringify(parseKeyRing(ring)));
  }
}
