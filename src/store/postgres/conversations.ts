// Conversations, their timelines and idempotency records on PostgreSQL; a turn runs in one transaction on one connection.
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
import { timelinePageOf } from '../timeline-page.ts';
import { timelineStatement } from './timeline-statement.ts';
import { isoTimestamp } from '../timestamps.ts';
import { iso, pgCode, Rollback, transaction, type Queryable } from './connection.ts';
import { BoundedMap } from '../../bounded-map.ts';
import { PROFILE_COUNTS_MAX, type KnownCount } from './profile-counts.ts';
import { turnLockSql } from './turn-lock.ts';
import type { PgDb } from './turn-scope.ts';

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

/** `conversationId` is the caller's: a page does not read the column (timeline-page.ts PAGE_COLUMNS). */
const toEntry = (r: Omit<EntryRow, 'conversation_id'>, conversationId: string): TimelineEntry => ({
  // BIGINT comes back as a string; a seq stays far below 2^53.
  seq: Number(r.seq),
  conversationId,
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
  // Named: parsed and planned once per connection, as every turn with a key reads it.
  const row = (await q.query<IdempotencyRow>({ name: 'tg_idempotency', text: SELECT_IDEMPOTENCY, values: [scope, key] })).rows[0];
  return row ? toIdempotency(row) : null;
}

/** The conversation with the rules generation (RulesRepository.generation): the turn needs no query for its widget. */
const SELECT_CONVERSATION = 'SELECT c.*, (SELECT n FROM rules_generation WHERE id = 1) AS rules_generation FROM conversations c WHERE c.id = ';

/**
 * A turn's commit as one statement. $9 (the scope) is null without an idempotency record. `cur` runs first (the
 * UPDATE joins it, the key insert tests it), so the row is locked before anything is written; the entries insert is
 * not read by the main query, so PostgreSQL runs it last, after the UPDATE it tests.
 */
const COMMIT_TURN = `
  WITH cur AS (
    SELECT version FROM conversations WHERE id = $1 FOR UPDATE
  ), seen AS (
    SELECT key, request_hash, status, body, created_at FROM idempotency WHERE $9::text IS NOT NULL AND scope = $9::text AND key = $10::text
  ), idem AS (
    INSERT INTO idempotency (scope, key, request_hash, status, body, created_at)
    SELECT $9::text, $10::text, $11::text, $12::int, $13::json, $14::timestamptz
    WHERE $9::text IS NOT NULL AND EXISTS (SELECT 1 FROM cur WHERE version = $2::int) AND NOT EXISTS (SELECT 1 FROM seen)
    ON CONFLICT (scope, key) DO NOTHING
    RETURNING 1
  ), upd AS (
    -- A logout leaves no profile in the state; the conversation stays the last matched profile's (coalesce).
    UPDATE conversations c SET state = $3::jsonb, status = $4::text, scenario = $5::text, auth_status = $6::text, updated_at = $7::timestamptz,
      version = $2::int + 1, profile_id = coalesce($8::text, c.profile_id)
    FROM cur
    WHERE c.id = $1 AND c.version = $2::int AND cur.version = $2::int AND NOT EXISTS (SELECT 1 FROM seen)
      AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM idem))
    RETURNING c.version
  ), entries AS (
    -- One insert for all of a turn's entries; WITH ORDINALITY + ORDER BY keeps their order in seq.
    INSERT INTO timeline_entries (conversation_id, turn, party, sender, text, trusted, at)
    SELECT $1::text, $2::int + 1, e.party, e.sender, e.text, e.trusted, e.at
    FROM unnest($15::int[], $16::text[], $17::text[], $18::boolean[], $19::timestamptz[]) WITH ORDINALITY AS e (party, sender, text, trusted, at, n)
    WHERE EXISTS (SELECT 1 FROM upd)
    ORDER BY e.n
  )
  SELECT (SELECT version FROM cur) AS current_version, EXISTS (SELECT 1 FROM upd) AS updated, s.key, s.request_hash, s.status, s.body, s.created_at
  FROM (SELECT 1) one LEFT JOIN seen s ON true`;

type ConversationRowWithGeneration = ConversationRow & { rules_generation: string };

/**
 * What a turn's lock query reads: the row as `get` does, the stamp of the row's profile, and the count
 * `countForProfile` would give for that profile with the row itself as the bound (what the runtime asks next for an
 * identified conversation), so neither costs a round trip of its own. `known` (what this instance last read for the
 * conversation, sent as literals: the lock query is a simple query) spares the count when the row's profile,
 * created_at and that profile's stamp are still the ones it was read at: the count is then NULL and `known.count`
 * holds. Same conditions as countForProfile's query; all of it in one statement, so one snapshot.
 */
function turnRowSql(literal: (value: string) => string, conversationId: string, known: KnownCount | undefined): string {
  // A join, not a subquery per use: the stamp is looked up once (0.03 ms less per turn, measured).
  const stamp = 'coalesce(s.stamp, 0)';
  const changed = known
    ? `NOT (c.profile_id = ${literal(known.profileId)} AND c.created_at = ${literal(known.createdAt)}::timestamptz AND ${stamp} = ${literal(known.stamp)}::bigint)`
    : 'true';
  return `SELECT c.*, (SELECT n FROM rules_generation WHERE id = 1) AS rules_generation, ${stamp} AS profile_stamp,
    CASE WHEN c.profile_id IS NOT NULL AND ${changed} THEN (
      SELECT count(*)::int FROM conversations x WHERE x.profile_id = c.profile_id AND (x.created_at, x.id COLLATE "C") < (c.created_at, c.id COLLATE "C")
    ) END AS past_conversations
  FROM conversations c LEFT JOIN profile_conversation_stamps s ON s.profile_id = c.profile_id
  WHERE c.id = ${literal(conversationId)}`;
}

/** BIGINT stamps come back as strings. */
type TurnRow = ConversationRowWithGeneration & { profile_stamp: string; past_conversations: number | null };

/** countForProfile's query: the profile's stamp (0 until its first change after migration 8), and the count unless the stamp is $4 (the one the known count was read at). */
const COUNT_FOR_PROFILE = `SELECT s.stamp, CASE WHEN s.stamp = $4::bigint THEN NULL ELSE (
    SELECT count(*)::int FROM conversations WHERE profile_id = $1 AND (created_at, id COLLATE "C") < ($2::timestamptz, $3::text)
  ) END AS n
  FROM (SELECT coalesce((SELECT p.stamp FROM profile_conversation_stamps p WHERE p.profile_id = $1), 0) AS stamp) s`;

/** The memo key of a profile count read with the lock (TurnContext.memo). */
const pastKey = (profileId: string, before: ConversationCursor): string => `past\0${profileId}\0${before.createdAt}\0${before.id}`;

const withGeneration = (row: ConversationRowWithGeneration): ConversationRecord => ({ ...toConversation(row), rulesGeneration: Number(row.rules_generation) });

export class PostgresConversations implements ConversationRepository {
  /** The last count this instance read per conversation, with the stamp it was read at (profile-counts.ts). */
  private readonly profileCounts = new BoundedMap<string, KnownCount>(PROFILE_COUNTS_MAX);

  constructor(
    /** The pool, or the running turn's connection (turn-scope.ts). */
    private readonly db: PgDb,
    /** What tells this schema's conversations from another schema's with the same id in the lock key. */
    private readonly lockScope: string,
  ) {}

  /**
   * One connection for the whole turn: BEGIN, lock_timeout, the advisory lock and the conversation's row in the
   * first round trip, then `fn`'s queries on the same connection and transaction, then COMMIT (turn-scope.ts). The
   * row read after the lock is what the turn's first `get` of this conversation answers.
   */
  serializeTurn<T>(conversationId: string, waitMs: number, fn: () => Promise<T>): Promise<TurnLockResult<T>> {
    // The known count the lock query was built with: the one its NULL vouches for, whatever the memory holds by then.
    let sent: KnownCount | undefined;
    return this.db.runTurn(
      conversationId,
      (client) => {
        sent = this.profileCounts.get(conversationId);
        return `${turnLockSql(this.lockScope, conversationId, waitMs)}; ${turnRowSql((v) => client.escapeLiteral(v), conversationId, sent)}`;
      },
      () => {
        this.takeTurnCount(conversationId, sent);
        return fn();
      },
    );
  }

  /**
   * The count the lock query read (or, when it answered NULL, the known one it was sent) goes into the turn's memo
   * for countForProfile and into the memory. The lock query ran before the turn wrote anything, so it read only
   * committed rows and stamps: what it remembers is true for good.
   */
  private takeTurnCount(conversationId: string, sent: KnownCount | undefined): void {
    const turn = this.db.turn();
    const results = turn?.prefetched?.results;
    const row = results?.[results.length - 1]?.rows[0] as TurnRow | undefined;
    if (!turn || !row || row.profile_id === null) return;
    const createdAt = iso(row.created_at);
    let count = row.past_conversations;
    if (count === null) {
      // NULL only when a known count was sent and the row's profile, created_at and stamp equal it.
      if (!sent) return;
      count = sent.count;
    }
    this.profileCounts.set(conversationId, { profileId: row.profile_id, createdAt, stamp: row.profile_stamp, count });
    turn.memo.set(pastKey(row.profile_id, { createdAt, id: row.id }), count);
  }

  /** The conversation, the timeline of its start turn and its idempotency record, or (on a replay) nothing. */
  async create(r: NewConversation, start?: ConversationStart): Promise<CreateResult> {
    const createdAt = isoTimestamp(r.createdAt, 'createdAt');
    const idem = start?.idempotency ?? null;
    return transaction(this.db, async (c) => {
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
    const turn = this.db.turn();
    if (turn?.prefetched?.key === id) {
      // Read after the lock was granted (serializeTurn), once: a later get (a retry) reads again.
      // The row's SELECT is the lock query's last statement.
      const results = turn.prefetched.results;
      const row = results[results.length - 1]!.rows[0] as TurnRow | undefined;
      turn.prefetched = null;
      if (!row) return null;
      return withGeneration(row);
    }
    const row = (await this.db.query<ConversationRowWithGeneration>({ name: 'tg_conversation', text: `${SELECT_CONVERSATION}$1`, values: [id] })).rows[0];
    return row ? withGeneration(row) : null;
  }

  /**
   * One statement, so one round trip and atomic on its own (inside a turn it joins the turn's transaction): lock the
   * row (FOR UPDATE, so a turn from outside the turn lock waits here), then the idempotency key, the existence and
   * the version (the same answers, in the same order of precedence, as on SQLite). The writes are gated on those
   * checks and on each other: the idempotency insert (ON CONFLICT DO NOTHING) before the guarded UPDATE, the
   * timeline entries after it, so either all of them happen or none does.
   */
  async commitTurn(t: TurnCommit): Promise<CommitResult> {
    const now = isoTimestamp(t.now, 'now');
    const idem = t.idempotency;
    const r = idem?.record;
    // What the lock query read is stale once the turn writes: a get or a count after this reads again.
    const turn = this.db.turn();
    if (turn) {
      turn.prefetched = null;
      turn.memo.clear();
    }
    const row = (
      await this.db.query<IdempotencyRow & { current_version: number | null; updated: boolean }>({
        name: 'tg_commit_turn',
        text: COMMIT_TURN,
        values: [
          t.conversationId,
          t.expectedVersion,
          JSON.stringify(t.state),
          t.state.status,
          t.state.scenario,
          t.state.identity.status,
          now,
          t.state.profile.id,
          idem?.scope ?? null,
          r?.key ?? null,
          r?.requestHash ?? null,
          r?.status ?? null,
          r ? JSON.stringify(r.body ?? null) : null,
          r ? isoTimestamp(r.createdAt, 'idempotency.createdAt') : null,
          t.entries.map((e) => e.party),
          t.entries.map((e) => e.from),
          t.entries.map((e) => e.text),
          t.entries.map((e) => e.trusted),
          t.entries.map((e) => isoTimestamp(e.at, 'entry.at')),
        ],
      })
    ).rows[0]!;
    if (row.key !== null) return { ok: false, reason: 'idempotent_replay', record: toIdempotency(row) };
    if (row.updated) return { ok: true, version: t.expectedVersion + 1 };
    // Nothing was written. A key recorded by a transaction that committed while this statement waited is not in its
    // snapshot: a fresh read finds it (the replay outranks the other answers, as above).
    if (idem) {
      const seen = await readIdempotency(this.db, idem.scope, idem.record.key);
      if (seen) return { ok: false, reason: 'idempotent_replay', record: seen };
    }
    if (row.current_version === null) return { ok: false, reason: 'not_found' };
    return { ok: false, reason: 'version_conflict', currentVersion: row.current_version };
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
    return readIdempotency(this.db, scope, key);
  }

  async timeline(conversationId: string, opts?: { party?: number }): Promise<TimelineEntry[]> {
    const rows =
      opts?.party === undefined
        ? await this.db.query<EntryRow>('SELECT * FROM timeline_entries WHERE conversation_id = $1 ORDER BY seq', [conversationId])
        : await this.db.query<EntryRow>('SELECT * FROM timeline_entries WHERE conversation_id = $1 AND party = $2 ORDER BY seq', [conversationId, opts.party]);
    return rows.rows.map((r) => toEntry(r, conversationId));
  }

  async timelinePage(conversationId: string, q: TimelinePageQuery): Promise<TimelinePage> {
    const { plan, sql, rowsAt } = timelineStatement(conversationId, q);
    const results = (await this.db.query(sql)) as unknown as { rows: Omit<EntryRow, 'conversation_id'>[] }[];
    return timelinePageOf(plan, results[rowsAt]!.rows.map((r) => toEntry(r, conversationId)));
  }

  /**
   * One statement: the profile's stamp, and the count only when this instance knows none for this profile and bound
   * at that stamp. Inside a turn it only uses the memory: a count read after the turn's own write would rest on a
   * stamp that a rollback takes back (and the runtime counts in a turn only for a profile the turn is changing, whose
   * stamp its commit moves anyway).
   */
  async countForProfile(profileId: string, before: ConversationCursor): Promise<number> {
    const turn = this.db.turn();
    const memo = turn?.memo.get(pastKey(profileId, before));
    if (typeof memo === 'number') return memo;
    const createdAt = isoTimestamp(before.createdAt, 'before.createdAt');
    const known = this.profileCounts.get(before.id);
    const sent = known && known.profileId === profileId && known.createdAt === createdAt ? known : undefined;
    const row = (
      await this.db.query<{ stamp: string; n: number | null }>({
        name: 'tg_count_for_profile',
        text: COUNT_FOR_PROFILE,
        values: [profileId, createdAt, before.id, sent?.stamp ?? null],
      })
    ).rows[0]!;
    // n is NULL only when the stamp equals the one sent, so `sent` is there.
    const count = row.n ?? sent!.count;
    if (!turn) this.profileCounts.set(before.id, { profileId, createdAt, stamp: row.stamp, count });
    return count;
  }

  async list(q: ConversationListQuery): Promise<ConversationPage> {
    const plan = planList(q);
    const rows = (await this.db.query<SummaryRow>(listQuery(plan))).rows;
    return toPage(rows.map(toSummary), plan);
  }
}
