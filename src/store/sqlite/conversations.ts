// Conversations, their timelines and idempotency records on SQLite; a turn commits in one guarded transaction.
import type { Database, Statement } from 'better-sqlite3';
import { planList, planShape, toPage, type ListPlan } from '../conversation-list.ts';
import type { ConversationState } from '../../core/state.ts';
import { decodeStateJson } from '../decode-state.ts';
import { StoreError } from '../store-error.ts';
import { BoundedMap } from '../../bounded-map.ts';
import { GroupCommit } from './group-commit.ts';
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
import { PAGE_COLUMNS, planTimelinePage, timelinePageOf, timelineShape, timelineSql } from '../timeline-page.ts';
import { isoTimestamp } from '../timestamps.ts';

interface ConversationRow {
  id: string;
  widget_id: string;
  thread_id: string;
  thread_version: number;
  version: number;
  state: string;
  status: ConversationRecord['status'];
  scenario: ConversationRecord['scenario'];
  auth_status: ConversationRecord['authStatus'];
  onboarding_type: ConversationRecord['onboardingType'];
  profile_id: string | null;
  created_at: string;
  updated_at: string;
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
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  customerMessages: r.customer_messages,
  trustedMessages: r.trusted_messages,
  trusted: r.trusted_messages > 0,
});

/**
 * The list's SQL for one shape of query: only the conditions asked for, so SQLite can pick the index that starts
 * with the filtered column and walk it from the cursor ((created_at, id) < cursor, a row value) in sort order.
 */
function listSql(p: ListPlan): string {
  const where = p.equals.map((e) => `c.${e.column} = @${e.column}`);
  if (p.from) where.push('c.created_at >= @from');
  if (p.to) where.push('c.created_at < @to');
  if (p.after) where.push('(c.created_at, c.id) < (@afterCreatedAt, @afterId)');
  return `SELECT c.id, c.widget_id, c.thread_id, c.thread_version, c.status, c.scenario, c.auth_status, c.onboarding_type, c.profile_id, c.created_at, c.updated_at,
      (SELECT count(*) FROM timeline_entries t WHERE t.conversation_id = c.id AND t.sender = 'customer') AS customer_messages,
      (SELECT count(*) FROM timeline_entries t WHERE t.conversation_id = c.id AND t.sender = 'customer' AND t.trusted = 1) AS trusted_messages
    FROM conversations c
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY c.created_at DESC, c.id DESC
    LIMIT @fetch`;
}

interface IdempotencyRow {
  key: string;
  request_hash: string;
  status: number;
  body: string;
  created_at: string;
}

/** `written`: the state text this connection last wrote for the conversation (SqliteConversations.ownStates). */
const toConversation = (r: ConversationRow, written?: string): ConversationRecord => ({
  id: r.id,
  widgetId: r.widget_id,
  threadId: r.thread_id,
  threadVersion: r.thread_version,
  version: r.version,
  // Text this process wrote from the core's own state is one the schema passes unchanged (strict, no defaults):
  // parsing it is enough. Anything else (another process, a hand edit, an older threadgate) is validated.
  state: written === r.state ? (JSON.parse(r.state) as ConversationState) : decodeStateJson(r.state, r.id),
  status: r.status,
  scenario: r.scenario,
  authStatus: r.auth_status,
  onboardingType: r.onboarding_type,
  profileId: r.profile_id,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** A timeline row as better-sqlite3's raw mode gives it, in PAGE_COLUMNS order: arrays cost about half of objects per row. */
type EntryRow = [seq: number, turn: number, party: number, sender: TimelineEntry['from'], text: string, trusted: number | null, at: string];

const toEntry = (r: EntryRow, conversationId: string): TimelineEntry => ({
  seq: r[0],
  conversationId,
  turn: r[1],
  party: r[2],
  from: r[3],
  text: r[4],
  trusted: r[5] === null ? null : r[5] === 1,
  at: r[6],
});

const toIdempotency = (r: IdempotencyRow): IdempotencyRecord => ({
  key: r.key,
  requestHash: r.request_hash,
  status: r.status,
  body: JSON.parse(r.body) as unknown,
  createdAt: r.created_at,
});

const isPrimaryKeyViolation = (err: unknown): boolean => (err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';

/** How many conversations' last written state texts `ownStates` keeps (the oldest written goes first). */
export const OWN_STATES_MAX = 4096;

/** How many (profile, conversation) counts countForProfile remembers before it starts over. */
export const PROFILE_COUNTS_MAX = 4096;

/** Synchronous inside (better-sqlite3); the port's promises only wrap the result, so a throw becomes a rejection. */
export class SqliteConversations implements ConversationRepository {
  /** Writes apply in submission order, one batch after another, and honour `after` (applyTurn). */
  readonly pipelinesTurns = true;
  private readonly insert;
  private readonly byId;
  private readonly byIdWithGeneration;
  private readonly versionOf;
  private readonly linkOf;
  private readonly dataVersion;
  /**
   * countForProfile's answers, valid while no conversation gained, changed or lost a profile: this connection's own
   * writes that could do so bump `ownLinkChanges`; any other connection's commit (another process on the file)
   * changes SQLite's `data_version`. Either empties the memory. Every turn reports the count, which is a walk over
   * the profile's conversations, so a returning customer with many conversations would pay it on every turn.
   */
  private readonly profileCounts = new Map<string, number>();
  /**
   * The state text this connection's commitTurn last wrote per conversation, so reading it back skips the schema
   * check (zod was ~5% of a turn's CPU): commitTurn's states are the core's (store.port.ts). Set when the write is
   * applied: if its transaction then rolls back, the row holds another text, which is checked as usual.
   */
  private readonly ownStates = new BoundedMap<string, string>(OWN_STATES_MAX);
  private ownLinkChanges = 0;
  private countsValidFor: { dataVersion: number; ownLinkChanges: number } | null = null;
  private readonly update;
  private readonly insertEntry;
  private readonly entries;
  private readonly entriesOfParty;
  private readonly idempotency;
  private readonly insertIdempotency;
  private readonly countProfile;
  /** Turns commit in groups: one transaction and one fsync for the turns that finish in the same loop turn. */
  readonly turnCommits: GroupCommit<TurnCommit, CommitResult>;
  private readonly createTx;
  /** One prepared statement per shape of list query (at most 2^8), prepared on first use. */
  private readonly listStatements = new Map<string, Statement<Record<string, unknown>, SummaryRow>>();
  private readonly timelineStatements = new Map<string, Statement<Record<string, unknown>, EntryRow>>();

  constructor(private readonly db: Database) {
    this.insert = db.prepare<Record<string, unknown>>(
      `INSERT INTO conversations (id, widget_id, thread_id, thread_version, version, state, status, scenario, auth_status, onboarding_type, profile_id, created_at, updated_at)
       VALUES (@id, @widgetId, @threadId, @threadVersion, 1, @state, @status, @scenario, @authStatus, @onboardingType, @profileId, @createdAt, @createdAt)`,
    );
    this.byId = db.prepare<[string], ConversationRow>('SELECT * FROM conversations WHERE id = ?');
    this.byIdWithGeneration = db.prepare<[string], ConversationRow & { rules_generation: number }>(
      'SELECT c.*, (SELECT n FROM rules_generation WHERE id = 1) AS rules_generation FROM conversations c WHERE c.id = ?',
    );
    this.versionOf = db.prepare<[string], number>('SELECT version FROM conversations WHERE id = ?').pluck();
    this.linkOf = db.prepare<[string], string | null>('SELECT profile_id FROM conversations WHERE id = ?').pluck();
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
    // The version in the WHERE clause is the optimistic-concurrency guard: a stale turn updates nothing.
    // A logout leaves no profile in the state; the conversation stays the last matched profile's (coalesce).
    this.update = db.prepare<Record<string, unknown>>(
      `UPDATE conversations SET state = @state, status = @status, scenario = @scenario, auth_status = @authStatus,
         profile_id = coalesce(@profileId, profile_id), updated_at = @now, version = @expected + 1
       WHERE id = @id AND version = @expected`,
    );
    this.insertEntry = db.prepare<Record<string, unknown>>(
      `INSERT INTO timeline_entries (conversation_id, turn, party, sender, text, trusted, at)
       VALUES (@conversationId, @turn, @party, @from, @text, @trusted, @at)`,
    );
    // The same columns and raw rows as a page (PAGE_COLUMNS), so one mapper reads both.
    const columns = PAGE_COLUMNS.join(', ');
    this.entries = db.prepare<[string], EntryRow>(`SELECT ${columns} FROM timeline_entries WHERE conversation_id = ? ORDER BY seq`).raw();
    this.entriesOfParty = db.prepare<[string, number], EntryRow>(`SELECT ${columns} FROM timeline_entries WHERE conversation_id = ? AND party = ? ORDER BY seq`).raw();
    this.idempotency = db.prepare<[string, string], IdempotencyRow>(
      'SELECT key, request_hash, status, body, created_at FROM idempotency WHERE scope = ? AND key = ?',
    );
    this.insertIdempotency = db.prepare<[string, string, string, number, string, string]>(
      'INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.countProfile = db
      .prepare<[string, string, string], number>('SELECT count(*) FROM conversations WHERE profile_id = ? AND (created_at, id) < (?, ?)')
      .pluck();
    this.turnCommits = new GroupCommit(
      db,
      (c: TurnCommit): CommitResult => this.applyTurn(c),
      64,
      (c, committed) => {
        if (c.ticket) c.ticket.state = committed && c.ticket.state === 'applied' ? 'committed' : 'failed';
      },
    );
    this.createTx = db.transaction((r: NewConversation, start: ConversationStart | undefined): CreateResult => this.applyCreate(r, start));
  }

  /** The conversation, the timeline of its start turn and its idempotency record, or (on a replay) nothing. */
  async create(r: NewConversation, start?: ConversationStart): Promise<CreateResult> {
    return this.createTx.immediate(r, start);
  }

  private applyCreate(r: NewConversation, start: ConversationStart | undefined): CreateResult {
    const idem = start?.idempotency ?? null;
    if (idem) {
      const seen = this.idempotency.get(idem.scope, idem.record.key);
      if (seen) return { ok: false, reason: 'idempotent_replay', record: toIdempotency(seen) };
    }
    const row = {
      id: r.id,
      widgetId: r.widgetId,
      threadId: r.threadId,
      threadVersion: r.threadVersion,
      state: JSON.stringify(r.state),
      status: r.status,
      scenario: r.scenario,
      authStatus: r.authStatus,
      onboardingType: r.onboardingType,
      profileId: r.state.profile.id,
      createdAt: isoTimestamp(r.createdAt, 'createdAt'),
    };
    if (row.profileId !== null) this.ownLinkChanges += 1;
    try {
      this.insert.run(row);
    } catch (err) {
      if (isPrimaryKeyViolation(err)) throw new StoreError('conversation_exists', `A conversation with id "${r.id}" already exists.`);
      throw err;
    }
    this.writeTurn(r.id, 1, start?.entries ?? [], idem);
    // Not remembered (ownStates): a created state comes from the caller, so its reads stay checked.
    return { ok: true, conversation: toConversation(this.byId.get(r.id)!) };
  }

  async get(id: string): Promise<ConversationRecord | null> {
    const row = this.byIdWithGeneration.get(id);
    return row ? { ...toConversation(row, this.ownStates.get(id)), rulesGeneration: row.rules_generation } : null;
  }

  /** Nothing to wait for across processes here (store.port.ts): the runtime's queue orders a process's turns. */
  async serializeTurn<T>(_conversationId: string, _waitMs: number, fn: () => Promise<T>): Promise<TurnLockResult<T>> {
    return { ok: true, value: await fn() };
  }

  /** IMMEDIATE (in the group's transaction): the idempotency and version checks see the latest commit of every connection. */
  commitTurn(c: TurnCommit): Promise<CommitResult> {
    return this.turnCommits.submit(c);
  }

  private applyTurn(c: TurnCommit): CommitResult {
    if (c.idempotency) {
      const seen = this.idempotency.get(c.idempotency.scope, c.idempotency.record.key);
      if (seen) return { ok: false, reason: 'idempotent_replay', record: toIdempotency(seen) };
    }
    const current = this.versionOf.get(c.conversationId);
    if (current === undefined) return { ok: false, reason: 'not_found' };
    // Evaluated on a queued write that did not make it: its state is not the stored one, whatever the version says.
    if (c.after && c.after.state !== 'applied' && c.after.state !== 'committed') return { ok: false, reason: 'version_conflict', currentVersion: current };
    if (current !== c.expectedVersion) return { ok: false, reason: 'version_conflict', currentVersion: current };
    const now = isoTimestamp(c.now, 'now');
    // The update keeps the stored profile when the state has none (coalesce): only a new, different one relinks.
    if (c.state.profile.id !== null && c.state.profile.id !== this.linkOf.get(c.conversationId)) this.ownLinkChanges += 1;
    const state = JSON.stringify(c.state);
    const changed = this.update.run({
      id: c.conversationId,
      expected: c.expectedVersion,
      state,
      status: c.state.status,
      scenario: c.state.scenario,
      authStatus: c.state.identity.status,
      profileId: c.state.profile.id,
      now,
    }).changes;
    if (changed !== 1) return { ok: false, reason: 'version_conflict', currentVersion: this.versionOf.get(c.conversationId) ?? current };
    const version = c.expectedVersion + 1;
    this.writeTurn(c.conversationId, version, c.entries, c.idempotency);
    this.ownStates.set(c.conversationId, state);
    if (c.ticket) c.ticket.state = 'applied';
    return { ok: true, version };
  }

  /** What every turn writes besides the conversation row: its timeline entries and its idempotency record. */
  private writeTurn(conversationId: string, turn: number, entries: NewTimelineEntry[], idem: TurnCommit['idempotency']): void {
    for (const e of entries) {
      this.insertEntry.run({
        conversationId,
        turn,
        party: e.party,
        from: e.from,
        text: e.text,
        trusted: e.trusted === null ? null : e.trusted ? 1 : 0,
        at: isoTimestamp(e.at, 'entry.at'),
      });
    }
    if (idem) {
      const r = idem.record;
      this.insertIdempotency.run(idem.scope, r.key, r.requestHash, r.status, JSON.stringify(r.body ?? null), isoTimestamp(r.createdAt, 'idempotency.createdAt'));
    }
  }

  async getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const row = this.idempotency.get(scope, key);
    return row ? toIdempotency(row) : null;
  }

  async timeline(conversationId: string, opts?: { party?: number }): Promise<TimelineEntry[]> {
    const rows = opts?.party === undefined ? this.entries.all(conversationId) : this.entriesOfParty.all(conversationId, opts.party);
    return rows.map((r) => toEntry(r, conversationId));
  }

  async timelinePage(conversationId: string, q: TimelinePageQuery): Promise<TimelinePage> {
    const plan = planTimelinePage(q);
    const shape = timelineShape(plan);
    let statement = this.timelineStatements.get(shape);
    if (!statement) {
      statement = this.db.prepare<Record<string, unknown>, EntryRow>(timelineSql(plan, (name) => `@${name}`)).raw();
      this.timelineStatements.set(shape, statement);
    }
    const params: Record<string, unknown> = { id: conversationId, n: plan.limit + 1 };
    if (plan.party !== undefined) params.party = plan.party;
    if (plan.before !== undefined) params.before = plan.before;
    if (plan.after !== undefined) params.after = plan.after;
    return timelinePageOf(plan, statement.all(params).map((r) => toEntry(r, conversationId)));
  }

  async countForProfile(profileId: string, before: ConversationCursor): Promise<number> {
    const createdAt = isoTimestamp(before.createdAt, 'before.createdAt');
    const dataVersion = this.dataVersion.get()!;
    const valid = this.countsValidFor;
    if (!valid || valid.dataVersion !== dataVersion || valid.ownLinkChanges !== this.ownLinkChanges || this.profileCounts.size >= PROFILE_COUNTS_MAX) {
      this.profileCounts.clear();
      this.countsValidFor = { dataVersion, ownLinkChanges: this.ownLinkChanges };
    }
    const key = `${profileId}\u0000${createdAt}\u0000${before.id}`;
    const known = this.profileCounts.get(key);
    if (known !== undefined) return known;
    const count = this.countProfile.get(profileId, createdAt, before.id) ?? 0;
    this.profileCounts.set(key, count);
    return count;
  }

  async list(q: ConversationListQuery): Promise<ConversationPage> {
    const plan = planList(q);
    const shape = planShape(plan);
    let statement = this.listStatements.get(shape);
    if (!statement) {
      statement = this.db.prepare<Record<string, unknown>, SummaryRow>(listSql(plan));
      this.listStatements.set(shape, statement);
    }
    const params: Record<string, unknown> = { fetch: plan.fetch };
    for (const e of plan.equals) params[e.column] = e.value;
    if (plan.from) params.from = plan.from;
    if (plan.to) params.to = plan.to;
    if (plan.after) Object.assign(params, { afterCreatedAt: plan.after.createdAt, afterId: plan.after.id });
    return toPage(statement.all(params).map(toSummary), plan);
  }
}
