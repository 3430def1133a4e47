// Thread drafts, published thread versions and widgets on PostgreSQL: rules documents kept verbatim.
import type { RulesRepository, RulesSource, ThreadVersion } from '../store.port.ts';
import { isoTimestamp } from '../timestamps.ts';
import { iso, transaction, type Queryable } from './connection.ts';
import type { PgDb } from './turn-scope.ts';

interface SourceRow {
  id: string;
  source: string;
  updated_at: Date;
}

interface VersionRow {
  thread_id: string;
  version: number;
  source: string;
  published_at: Date;
  active: boolean;
}

const toSource = (r: SourceRow): RulesSource => ({ id: r.id, source: r.source, updatedAt: iso(r.updated_at) });
const toVersion = (r: VersionRow): ThreadVersion => ({ threadId: r.thread_id, version: r.version, source: r.source, publishedAt: iso(r.published_at), active: r.active });

const SELECT_VERSION = `
  SELECT v.thread_id, v.version, v.source, v.published_at, (a.version IS NOT NULL) AS active
  FROM thread_versions v LEFT JOIN thread_active a ON a.thread_id = v.thread_id AND a.version = v.version`;

/** In the same transaction (or statement) as the change it announces; see RulesRepository. */
const BUMP = 'UPDATE rules_generation SET n = n + 1 WHERE id = 1';

const SET_ACTIVE = 'INSERT INTO thread_active (thread_id, version) VALUES ($1, $2) ON CONFLICT (thread_id) DO UPDATE SET version = excluded.version';

async function versionOf(q: Queryable, id: string, version: number): Promise<ThreadVersion | null> {
  const row = (await q.query<VersionRow>(`${SELECT_VERSION} WHERE v.thread_id = $1 AND v.version = $2`, [id, version])).rows[0];
  return row ? toVersion(row) : null;
}

export class PostgresRules implements RulesRepository {
  constructor(private readonly db: PgDb) {}

  async generation(): Promise<number> {
    return Number((await this.db.query<{ n: string }>('SELECT n FROM rules_generation WHERE id = 1')).rows[0]!.n);
  }

  async putThreadDraft(id: string, source: string, now: string): Promise<RulesSource> {
    const at = isoTimestamp(now, 'now');
    await this.db.query(
      `INSERT INTO thread_drafts (thread_id, source, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (thread_id) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at`,
      [id, source, at],
    );
    return { id, source, updatedAt: at };
  }

  async getThreadDraft(id: string): Promise<RulesSource | null> {
    const row = (await this.db.query<SourceRow>('SELECT thread_id AS id, source, updated_at FROM thread_drafts WHERE thread_id = $1', [id])).rows[0];
    return row ? toSource(row) : null;
  }

  /**
   * FOR UPDATE on the draft serialises publishers of one thread (there is no version without a draft), so
   * max(version) + 1, read after the lock, is never picked twice.
   */
  async publishThread(id: string, now: string): Promise<ThreadVersion | null> {
    const at = isoTimestamp(now, 'now');
    return transaction(this.db, async (c) => {
      const draft = (await c.query<{ source: string }>('SELECT source FROM thread_drafts WHERE thread_id = $1 FOR UPDATE', [id])).rows[0];
      if (!draft) return null;
      const next = (await c.query<{ n: number }>('SELECT coalesce(max(version), 0)::int + 1 AS n FROM thread_versions WHERE thread_id = $1', [id])).rows[0]!.n;
      await c.query('INSERT INTO thread_versions (thread_id, version, source, published_at) VALUES ($1, $2, $3, $4)', [id, next, draft.source, at]);
      await c.query(SET_ACTIVE, [id, next]);
      await c.query(BUMP);
      return versionOf(c, id, next);
    });
  }

  async listThreadVersions(id: string): Promise<ThreadVersion[]> {
    return (await this.db.query<VersionRow>(`${SELECT_VERSION} WHERE v.thread_id = $1 ORDER BY v.version`, [id])).rows.map(toVersion);
  }

  getThreadVersion(id: string, version: number): Promise<ThreadVersion | null> {
    return versionOf(this.db, id, version);
  }

  async getActiveThreadVersion(id: string): Promise<ThreadVersion | null> {
    const row = (await this.db.query<VersionRow>(`${SELECT_VERSION} WHERE v.thread_id = $1 AND a.version IS NOT NULL`, [id])).rows[0];
    return row ? toVersion(row) : null;
  }

  async activateThreadVersion(id: string, version: number): Promise<ThreadVersion | null> {
    return transaction(this.db, async (c) => {
      if (!(await versionOf(c, id, version))) return null;
      await c.query(SET_ACTIVE, [id, version]);
      await c.query(BUMP);
      return versionOf(c, id, version);
    });
  }

  async listThreadIds(): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>('SELECT thread_id AS id FROM thread_drafts UNION SELECT thread_id FROM thread_versions ORDER BY 1');
    return rows.rows.map((r) => r.id);
  }

  async putWidget(id: string, source: string, now: string): Promise<RulesSource> {
    const at = isoTimestamp(now, 'now');
    // One statement: the upsert and the generation commit together (a data-modifying CTE runs either way).
    await this.db.query(
      `WITH bump AS (${BUMP})
       INSERT INTO widgets (id, source, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at`,
      [id, source, at],
    );
    return { id, source, updatedAt: at };
  }

  async getWidget(id: string): Promise<RulesSource | null> {
    const row = (await this.db.query<SourceRow>('SELECT id, source, updated_at FROM widgets WHERE id = $1', [id])).rows[0];
    return row ? toSource(row) : null;
  }

  async listWidgets(): Promise<RulesSource[]> {
    return (await this.db.query<SourceRow>('SELECT id, source, updated_at FROM widgets ORDER BY id')).rows.map(toSource);
  }

  async deleteWidget(id: string): Promise<boolean> {
    const r = await this.db.query(`WITH gone AS (DELETE FROM widgets WHERE id = $1 RETURNING id), bump AS (${BUMP} AND EXISTS (SELECT 1 FROM gone)) SELECT count(*)::int AS n FROM gone`, [id]);
    return (r.rows[0] as { n: number }).n > 0;
  }
}
