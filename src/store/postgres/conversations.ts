// Conversations, their timelines and idempotency records on PostgreSQL; a turn commits in one locked transaction.
import type pg from 'pg';
import { planList, toPage, type ListPlan } from '../conversation-list.ts';
import { decodeState } from '../decode-state.ts';
import { StoreError } from '../store-error.ts';
import type {
  CommitResult,
  ConversationCursor,
  ConversationListQuery,
  ConversationPage,
  ConversationRecord,
  ConversationSummary,
  ConversationRepository,
  ConversationStart,
  CreateResult,
  IdempotencyRecord,
  NewConversation,
  NewTimelineEntry,
  TimelineEntry,
  TimelinePage,
  TimelinePageQuery,
  TurnCommit,
  TurnLockResult,
} from '../store.port.ts';
import { planTimelinePage, timelinePageOf, timelineSql } from '../timeline-page.ts';
import { isoTimestamp } from '../timestamps.ts';
import { iso, pgCode, Rollback, transaction, type Queryable } from './connection.ts';
import { turnLockKey, withTurnLock } from './turn-lock.ts';

interface ConversationRow {
  id: string;
  widget_id: string;
  thread_id: string;
  thread_version: number;
  version: number;
  /** JSONB, parsed by pg; validated by decodeState. */
  state: unknown;
  status: ConversationRecord['status'];
  scenario: ConversationRecord['scenario'];
  auth_status: ConversationRecord['authStatus'];
  onboarding_type: ConversationRecord['onboardingType'];
  profile_id: string | null;
  created_at: Date;
  updated_at: Date;
}

type SummaryRow = Omit<ConversationRow, 'state' | 'version'> & { customer_messages: number; trusted_messages: number };

const toSummary = (r: SummaryRow): ConversationSummary => ({
  id: r.id,
  widgetId: r.widget_id,
  threadId: r.thread_id,
  threadVersion: r.thread_version,
  status: r.status,
  scenario: r.scenario,
  authStatus: r.auth_status,
  onboardingType: r.onboarding_type,
  profileId: r.profile_id,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  customerMessages: r.customer_messages,
  trustedMessages: r.trusted_messages,
  trusted: r.trusted_messages > 0,
});

/**
 * The list's SQL with only the conditions asked for, so the planner can walk the index that starts with the
 * filtered column from the cursor. Ties on created_at sort by id COLLATE "C" (bytewise, as on SQLite), the
 * collation the indexes of migration 2 hold the id in.
 */
function listQuery(p: ListPlan): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (v: unknown): string => `$${values.push(v)}`;
  const where = p.equals.map((e) => `c.${e.column} = ${param(e.value)}`);
  if (p.from) where.push(`c.created_at >= ${param(p.from)}`);
  if (p.to) where.push(`c.created_at < ${param(p.to)}`);
  if (p.after) where.push(`(c.created_at, c.id COLLATE "C") < (${param(p.after.createdAt)}::timestamptz, ${param(p.after.id)}::text)`);
  const text = `SELECT c.*, m.customer_messages, m.trusted_messages
    FROM (
      SELECT c.id, c.widget_id, c.thread_id, c.thread_version, c.status, c.scenario, c.auth_status, c.onboarding_type, c.profile_id, c.created_at, c.updated_at
      FROM conversations c
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY c.created_at DESC, c.id COLLATE "C" DESC
      LIMIT ${param(p.fetch)}
    ) c
    CROSS JOIN LATERAL (
      SELECT count(*)::int AS customer_messages, count(*) FILTER (WHERE t.trusted)::int AS trusted_messages
      FROM timeline_entries t WHERE t.conversation_id = c.id AND t.sender = 'customer'
    ) m
    ORDER BY c.created_at DESC, c.id COLLATE "C" DESC`;
  return { text, values };
}

interface EntryRow {
  seq: string;
  conversation_id: string;
  turn: number;
  party: number;
  sender: TimelineEntry['from'];
  text: string;
  trusted: boolean | null;
  at: Date;
}

interface IdempotencyRow {
  key: string;
  request_hash: string;
  status: number;
  body: unknown;
  created_at: Date;
}

const toConversation = (r: ConversationRow): ConversationRecord => ({
  id: r.id,
  widgetId: r.widget_id,
  threadId: r.thread_id,
  threadVersion: r.thread_version,
  version: r.version,
  state: decodeState(r.state, r.id),
  status: r.status,
  scenario: r.scenario,
  authStatus: r.auth_status,
  onboardingType: r.onboarding_type,
  profileId: r.profile_id,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const toEntry = (r: EntryRow): TimelineEntry => ({
  // BIGINT comes back as a string; a seq stays far below 2^53.
  seq: Number(r.seq),
  conversationId: r.conversation_id,
  turn: r.turn,
  party: r.party,
  from: r.sender,
  text: r.text,
  trusted: r.trusted,
  at: iso(r.at),
});

const toIdempotency = (r: IdempotencyRow): IdempotencyRecord => ({
  key: r.key,
  requestHash: r.request_hash,
  status: r.status,
  body: r.body,
  createdAt: iso(r.created_at),
});

const SELECT_IDEMPOTENCY = 'SELECT key, request_hash, status, body, created_at FROM idempotency WHERE scope = $1 AND key = $2';

async function readIdempotency(q: Queryable, scope: string, key: string): Promise<IdempotencyRecord | null> {
  const row = (await q.query<IdempotencyRow>(SELECT_IDEMPOTENCY, [scope, key])).rows[0];
  return row ? toIdempotency(row) : null;
}

export class PostgresConversations implements ConversationRepository {
  constructor(
    private readonly pool: pg.Pool,
    /** Connections that only hold turn locks (turn-lock.ts); `pool` keeps serving the turns themselves. */
    private readonly lockPool: pg.Pool,
    /** What tells this schema's conversations from another schema's with the same id in the lock key. */
    private readonly lockScope: string,
  ) {}

  serializeTurn<T>(conversationId: string, waitMs: number, fn: () => Promise<T>): Promise<TurnLockResult<T>> {
    return withTurnLock(this.lockPool, turnLockKey(this.lockScope, conversationId), waitMs, fn);
  }

  /** The conversation, the timeline of its start turn and its idempotency record, or (on a replay) nothing. */
  async create(r: NewConversation, start?: ConversationStart): Promise<CreateResult> {
    const createdAt = isoTimestamp(r.createdAt, 'createdAt');
    const idem = start?.idempotency ?? null;
    return transaction(this.pool, async (c) => {
      if (idem) {
        const seen = await readIdempotency(c, idem.scope, idem.record.key);
        if (seen) return { ok: false, reason: 'idempotent_replay', record: seen };
      }
      try {
        await c.query(
          `INSERT INTO conversations (id, widget_id, thread_id, thread_version, version, state, status, scenario, auth_status, onboarding_type, profile_id, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $11, $10, $10)`,
          [r.id, r.widgetId, r.threadId, r.threadVersion, JSON.stringify(r.state), r.status, r.scenario, r.authStatus, r.onboardingType, createdAt, r.state.profile.id],
        );
      } catch (err) {
        if (pgCode(err) === '23505') throw new StoreError('conversation_exists', `A conversation with id "${r.id}" already exists.`);
        throw err;
      }
      const replay = await this.writeTurn(c, r.id, 1, start?.entries ?? [], idem);
      if (replay) throw new Rollback<CreateResult>({ ok: false, reason: 'idempotent_replay', record: replay });
      const row = (await c.query<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [r.id])).rows[0]!;
      return { ok: true, conversation: toConversation(row) };
    });
  }

  async get(id: string): Promise<ConversationRecord | null> {
    // The rules generation rides along (RulesRepository.generation): the turn needs no query for its widget.
    const sql = 'SELECT c.*, (SELECT n FROM rules_generation WHERE id = 1) AS rules_generation FROM conversations c WHERE c.id = $1';
    const row = (await this.pool.query<ConversationRow & { rules_generation: string }>(sql, [id])).rows[0];
    return row ? { ...toConversation(row), rulesGeneration: Number(row.rules_generation) } : null;
  }

  /**
   * SELECT … FOR UPDATE first: a second turn on the same conversation (from any instance) waits here until
   * the first commits, then reads its idempotency record and version. The guarded UPDATE is a second check.
   */
  async commitTurn(t: TurnCommit): Promise<CommitResult> {
    const now = isoTimestamp(t.now, 'now');
    return transaction(this.pool, async (c): Promise<CommitResult> => {
      const locked = (await c.query<{ version: number }>('SELECT version FROM conversations WHERE id = $1 FOR UPDATE', [t.conversationId])).rows[0];
      if (t.idempotency) {
        const seen = await readIdempotency(c, t.idempotency.scope, t.idempotency.record.key);
        if (seen) return { ok: false, reason: 'idempotent_replay', record: seen };
      }
      if (!locked) return { ok: false, reason: 'not_found' };
      if (locked.version !== t.expectedVersion) return { ok: false, reason: 'version_conflict', currentVersion: locked.version };
      const updated = await c.query(
        // A logout leaves no profile in the state; the conversation stays the last matched profile's (coalesce).
        `UPDATE conversations SET state = $3, status = $4, scenario = $5, auth_status = $6, updated_at = $7, version = $2 + 1,
           profile_id = coalesce($8, profile_id)
         WHERE id = $1 AND version = $2`,
        [t.conversationId, t.expectedVersion, JSON.stringify(t.state), t.state.status, t.state.scenario, t.state.identity.status, now, t.state.profile.id],
      );
      if (updated.rowCount !== 1) return { ok: false, reason: 'version_conflict', currentVersion: locked.version };
      const version = t.expectedVersion + 1;
      const replay = await this.writeTurn(c, t.conversationId, version, t.entries, t.idempotency);
      if (replay) throw new Rollback<CommitResult>({ ok: false, reason: 'idempotent_replay', record: replay });
      return { ok: true, version };
    });
  }

  /**
   * The timeline entries and the idempotency record of a turn. ON CONFLICT DO NOTHING: when another
   * transaction recorded the same key meanwhile (a scope shared by two conversations), this one answers
   * with that record and the caller rolls back: the key is applied once.
   */
  private async writeTurn(c: Queryable, conversationId: string, turn: number, entries: NewTimelineEntry[], idem: TurnCommit['idempotency']): Promise<IdempotencyRecord | null> {
    if (entries.length > 0) {
      // One round trip for all of a turn's entries; WITH ORDINALITY + ORDER BY keeps their order in `seq`.
      await c.query(
        `INSERT INTO timeline_entries (conversation_id, turn, party, sender, text, trusted, at)
         SELECT $1, $2, e.party, e.sender, e.text, e.trusted, e.at
         FROM unnest($3::int[], $4::text[], $5::text[], $6::boolean[], $7::timestamptz[]) WITH ORDINALITY AS e (party, sender, text, trusted, at, n)
         ORDER BY e.n`,
        [
          conversationId,
          turn,
          entries.map((e) => e.party),
          entries.map((e) => e.from),
          entries.map((e) => e.text),
          entries.map((e) => e.trusted),
          entries.map((e) => isoTimestamp(e.at, 'entry.at')),
        ],
      );
    }
    if (!idem) return null;
    const r = idem.record;
    const inserted = await c.query(
      `INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (scope, key) DO NOTHING`,
      [idem.scope, r.key, r.requestHash, r.status, JSON.stringify(r.body ?? null), isoTimestamp(r.createdAt, 'idempotency.createdAt')],
    );
    if (inserted.rowCount === 1) return null;
    return readIdempotency(c, idem.scope, r.key);
  }

  getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null> {
    return readIdempotency(this.pool, scope, key);
  }

  async timeline(conversationId: string, opts?: { party?: number }): Promise<TimelineEntry[]> {
    const rows =
      opts?.party === undefined
        ? await this.pool.query<EntryRow>('SELECT * FROM timeline_entries WHERE conversation_id = $1 ORDER BY seq', [conversationId])
        : await this.pool.query<EntryRow>('SELECT * FROM timeline_entries WHERE conversation_id = $1 AND party = $2 ORDER BY seq', [conversationId, opts.party]);
    return rows.rows.map(toEntry);
  }

  async timelinePage(conversationId: string, q: TimelinePageQuery): Promise<TimelinePage> {
    const plan = planTimelinePage(q);
    const values: unknown[] = [];
    const byName: Record<string, unknown> = { id: conversationId, party: plan.party, before: plan.before, after: plan.after, n: plan.limit + 1 };
    const sql = timelineSql(plan, (name) => {
      values.push(byName[name]);
      return `$${values.length}`;
    });
    const rows = await this.pool.query<EntryRow>(sql, values);
    return timelinePageOf(plan, rows.rows.map(toEntry));
  }

  async countForProfile(profileId: string, before: ConversationCursor): Promise<number> {
    const row = (
      await this.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM conversations WHERE profile_id = $1 AND (created_at, id COLLATE "C") < ($2::timestamptz, $3::text)',
        [profileId, isoTimestamp(before.createdAt, 'before.createdAt'), before.id],
      )
    ).rows[0];
    return row?.n ?? 0;
  }

  async list(q: ConversationListQuery): Promise<ConversationPage> {
    const plan = planList(q);
    const rows = (await this.pool.query<SummaryRow>(listQuery(plan))).rows;
    return toPage(rows.map(toSummary), plan);
  }
}
