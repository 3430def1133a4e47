// Thread drafts, published thread versions and widgets on SQLite: rules documents kept verbatim.
import type { Database } from 'better-sqlite3';
import type { RulesRepository, RulesSource, ThreadVersion } from '../store.port.ts';
import { isoTimestamp } from '../timestamps.ts';

interface SourceRow {
  id: string;
  source: string;
  updated_at: string;
}

interface VersionRow {
  thread_id: string;
  version: number;
  source: string;
  published_at: string;
  active: number;
}

const toSource = (r: SourceRow): RulesSource => ({ id: r.id, source: r.source, updatedAt: r.updated_at });
const toVersion = (r: VersionRow): ThreadVersion => ({
  threadId: r.thread_id,
  version: r.version,
  source: r.source,
  publishedAt: r.published_at,
  active: r.active === 1,
});

const SELECT_VERSION = `
  SELECT v.thread_id, v.version, v.source, v.published_at, (a.version IS NOT NULL) AS active
  FROM thread_versions v LEFT JOIN thread_active a ON a.thread_id = v.thread_id AND a.version = v.version`;

/** Synchronous inside (better-sqlite3); publish and activate are IMMEDIATE transactions. */
export class SqliteRules implements RulesRepository {
  private readonly upsertDraft;
  private readonly draft;
  private readonly versions;
  private readonly version;
  private readonly active;
  private readonly nextVersion;
  private readonly insertVersion;
  private readonly setActive;
  private readonly threadIds;
  private readonly upsertWidget;
  private readonly widget;
  private readonly widgets;
  private readonly dropWidget;
  private readonly publishTx;
  private readonly activateTx;
  private readonly readGeneration;
  private readonly bump;
  private readonly putWidgetTx;
  private readonly deleteWidgetTx;

  constructor(db: Database) {
    this.upsertDraft = db.prepare<[string, string, string]>(
      `INSERT INTO thread_drafts (thread_id, source, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (thread_id) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at`,
    );
    this.draft = db.prepare<[string], SourceRow>('SELECT thread_id AS id, source, updated_at FROM thread_drafts WHERE thread_id = ?');
    this.versions = db.prepare<[string], VersionRow>(`${SELECT_VERSION} WHERE v.thread_id = ? ORDER BY v.version`);
    this.version = db.prepare<[string, number], VersionRow>(`${SELECT_VERSION} WHERE v.thread_id = ? AND v.version = ?`);
    this.active = db.prepare<[string], VersionRow>(`${SELECT_VERSION} WHERE v.thread_id = ? AND a.version IS NOT NULL`);
    this.nextVersion = db.prepare<[string], number>('SELECT coalesce(max(version), 0) + 1 FROM thread_versions WHERE thread_id = ?').pluck();
    this.insertVersion = db.prepare<[string, number, string, string]>(
      'INSERT INTO thread_versions (thread_id, version, source, published_at) VALUES (?, ?, ?, ?)',
    );
    this.setActive = db.prepare<[string, number]>(
      'INSERT INTO thread_active (thread_id, version) VALUES (?, ?) ON CONFLICT (thread_id) DO UPDATE SET version = excluded.version',
    );
    this.threadIds = db.prepare<[], string>('SELECT thread_id FROM thread_drafts UNION SELECT thread_id FROM thread_versions ORDER BY 1').pluck();
    this.upsertWidget = db.prepare<[string, string, string]>(
      `INSERT INTO widgets (id, source, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at`,
    );
    this.widget = db.prepare<[string], SourceRow>('SELECT id, source, updated_at FROM widgets WHERE id = ?');
    this.widgets = db.prepare<[], SourceRow>('SELECT id, source, updated_at FROM widgets ORDER BY id');
    this.dropWidget = db.prepare<[string]>('DELETE FROM widgets WHERE id = ?');

    this.readGeneration = db.prepare<[], number>('SELECT n FROM rules_generation WHERE id = 1').pluck();
    this.bump = db.prepare('UPDATE rules_generation SET n = n + 1 WHERE id = 1');

    // Reading max(version) and inserting max+1 must be one locked step, or two publishers pick the same number.
    this.publishTx = db.transaction((id: string, now: string): ThreadVersion | null => {
      const draft = this.draft.get(id);
      if (!draft) return null;
      const next = this.nextVersion.get(id)!;
      this.insertVersion.run(id, next, draft.source, now);
      this.setActive.run(id, next);
      this.bump.run();
      return toVersion(this.version.get(id, next)!);
    });
    this.activateTx = db.transaction((id: string, version: number): ThreadVersion | null => {
      if (!this.version.get(id, version)) return null;
      this.setActive.run(id, version);
      this.bump.run();
      return toVersion(this.version.get(id, version)!);
    });
    // The change and its generation commit together: no reader sees the new widget under the old number.
    this.putWidgetTx = db.transaction((id: string, source: string, at: string) => {
      this.upsertWidget.run(id, source, at);
      this.bump.run();
    });
    this.deleteWidgetTx = db.transaction((id: string): boolean => {
      const gone = this.dropWidget.run(id).changes > 0;
      if (gone) this.bump.run();
      return gone;
    });
  }

  async generation(): Promise<number> {
    return this.readGeneration.get()!;
  }

  async putThreadDraft(id: string, source: string, now: string): Promise<RulesSource> {
    const at = isoTimestamp(now, 'now');
    this.upsertDraft.run(id, source, at);
    return { id, source, updatedAt: at };
  }

  async getThreadDraft(id: string): Promise<RulesSource | null> {
    const row = this.draft.get(id);
    return row ? toSource(row) : null;
  }

  async publishThread(id: string, now: string): Promise<ThreadVersion | null> {
    return this.publishTx.immediate(id, isoTimestamp(now, 'now'));
  }

  async listThreadVersions(id: string): Promise<ThreadVersion[]> {
    return this.versions.all(id).map(toVersion);
  }

  async getThreadVersion(id: string, version: number): Promise<ThreadVersion | null> {
    const row = this.version.get(id, version);
    return row ? toVersion(row) : null;
  }

  async getActiveThreadVersion(id: string): Promise<ThreadVersion | null> {
    const row = this.active.get(id);
    return row ? toVersion(row) : null;
  }

  async activateThreadVersion(id: string, version: number): Promise<ThreadVersion | null> {
    return this.activateTx.immediate(id, version);
  }

  async listThreadIds(): Promise<string[]> {
    return this.threadIds.all();
  }

  async putWidget(id: string, source: string, now: string): Promise<RulesSource> {
    const at = isoTimestamp(now, 'now');
    this.putWidgetTx.immediate(id, source, at);
    return { id, source, updatedAt: at };
  }

  async getWidget(id: string): Promise<RulesSource | null> {
    const row = this.widget.get(id);
    return row ? toSource(row) : null;
  }

  async listWidgets(): Promise<RulesSource[]> {
    return this.widgets.all().map(toSource);
  }

  async deleteWidget(id: string): Promise<boolean> {
    return this.deleteWidgetTx.immediate(id);
  }
}
