// The storage port: what the runtime and the HTTP service persist, as one small repository per concern.
import type { ProfileRecord } from '../core/events.ts';
import type { ConversationState, Scenario, AuthStatus, ConversationStatus } from '../core/state.ts';
import type { OnboardingType } from '../core/widget.schema.ts';
import type { KeyRingData } from '../auth/key-ring.ts';
import type { ProfileDirectory } from '../profiles/profile-directory.ts';

/** A rules document as authored: YAML or JSON text, kept verbatim so errors keep their lines. */
export interface RulesSource {
  id: string;
  source: string;
  updatedAt: string;
}

export interface ThreadVersion {
  threadId: string;
  version: number;
  source: string;
  publishedAt: string;
  /** Whether new conversations start on this version (the published one, or the one rolled back to). */
  active: boolean;
}

export interface ConversationRecord {
  id: string;
  widgetId: string;
  threadId: string;
  threadVersion: number;
  /** Optimistic concurrency: every committed turn increments it by one. */
  version: number;
  state: ConversationState;
  status: ConversationStatus;
  scenario: Scenario;
  authStatus: AuthStatus;
  onboardingType: OnboardingType;
  /** The profile the conversation was last matched to (kept through a logout, the new person's after a conflict); a column, from the state. */
  profileId: string | null;
  createdAt: string;
  updatedAt: string;
  /**
   * The store's rules generation (RulesRepository.generation), read in the same query as the row by `get`: the
   * runtime keeps its compiled widget while it is unchanged, without reading the widget. Absent from other reads.
   */
  rulesGeneration?: number;
}

/** Who a timeline line is from; the stores' CHECK constraints hold the same list (migration 3). */
export const TIMELINE_SENDERS = ['customer', 'agent', 'bot', 'system'] as const;
export type TimelineSender = (typeof TIMELINE_SENDERS)[number];

export interface TimelineEntry {
  seq: number;
  conversationId: string;
  /** The turn (conversation version) that wrote it. */
  turn: number;
  party: number;
  /** customer: the customer's message; agent: what an agent wrote or asked; bot: the thread's messages; system: what happened. */
  from: TimelineSender;
  text: string;
  /** For customer messages: sent while authenticated by a token valid at that moment. */
  trusted: boolean | null;
  at: string;
}

/** The largest page of a timeline one read returns. */
export const TIMELINE_PAGE_MAX = 500;

export interface TimelinePageQuery {
  limit: number;
  /** Only entries with a smaller seq. */
  before?: number;
  /** Only entries with a greater seq; the page then runs forward (the oldest entries above it). */
  after?: number;
  party?: number;
}

export interface TimelinePage {
  /** Oldest first. */
  entries: TimelineEntry[];
  /** Whether entries remain beyond the page in its direction: older ones (no `after`) or newer ones (`after`). */
  hasMore: boolean;
}

export type NewTimelineEntry = Omit<TimelineEntry, 'seq' | 'conversationId' | 'turn'>;

/** A stored answer for an `Idempotency-Key`, replayed verbatim when the same request comes again. */
export interface IdempotencyRecord {
  key: string;
  /** Hash of the request, so reusing a key for a different request is detected. */
  requestHash: string;
  status: number;
  body: unknown;
  createdAt: string;
}

export interface TurnCommit {
  conversationId: string;
  /** The version read before the turn; the commit fails when another turn committed since. */
  expectedVersion: number;
  state: ConversationState;
  entries: NewTimelineEntry[];
  /** Stored with the turn, so a replay of the same request answers the same, and applies nothing. */
  idempotency: { scope: string; record: IdempotencyRecord } | null;
  now: string;
  /**
   * Only with a repository that `pipelinesTurns`. `after`: the ticket of the queued write this turn was evaluated
   * on; the commit is refused as `version_conflict` unless that write committed (or was applied earlier in the
   * same transaction). `ticket`: this write's own, which the store moves on as the write is applied and committed.
   */
  after?: TurnTicket;
  ticket?: TurnTicket;
}

/** The fate of a queued turn write: `applied` only inside the transaction that applied it, then `committed` or `failed`. */
export interface TurnTicket {
  state: 'queued' | 'applied' | 'committed' | 'failed';
}

export type CommitResult =
  | { ok: true; version: number }
  | { ok: false; reason: 'version_conflict'; currentVersion: number }
  | { ok: false; reason: 'idempotent_replay'; record: IdempotencyRecord }
  | { ok: false; reason: 'not_found' };

/** What serializeTurn answers: the turn's own value, or that the conversation stayed locked for the whole wait. */
export type TurnLockResult<T> = { ok: true; value: T } | { ok: false; reason: 'lock_timeout' };

export interface ReportQuery {
  from: string;
  to: string;
  widgetId?: string;
}

/** The counts of one UTC day of a report: conversations created that day and their customer messages. */
export interface ReportDay {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  conversations: number;
  customerMessages: number;
  trustedMessages: number;
  /** trustedMessages / customerMessages, 0 when there are none. */
  trustedShare: number;
}

export interface OnboardingReport {
  from: string;
  to: string;
  conversations: number;
  byScenario: Record<Scenario, number>;
  byAuthStatus: Record<AuthStatus, number>;
  byOnboardingType: Record<OnboardingType, number>;
  customerMessages: number;
  trustedMessages: number;
  /** trustedMessages / customerMessages, 0 when there are none. */
  trustedShare: number;
  /** One entry per UTC day that [from, to) touches, in order, days without conversations included. */
  byDay: ReportDay[];
}

/** Where a page of the conversation list ends: the sort key (createdAt desc, id desc) of its last row. */
export interface ConversationCursor {
  createdAt: string;
  id: string;
}

/** The most conversations one list call returns. */
export const CONVERSATION_PAGE_MAX = 100;

/** A page of the admin conversation list; every filter is optional, `createdAt` in [from, to). */
export interface ConversationListQuery {
  widgetId?: string;
  /** Only the conversations last matched to this profile (a profile's past conversations). */
  profileId?: string;
  scenario?: Scenario;
  status?: ConversationStatus;
  authStatus?: AuthStatus;
  from?: string;
  to?: string;
  /** 1 to CONVERSATION_PAGE_MAX. */
  limit: number;
  /** The `next` of the previous page: rows strictly after it in the sort order. */
  after?: ConversationCursor;
}

/** A conversation as the list shows it: the status columns and its message counts, never the state. */
export interface ConversationSummary {
  id: string;
  widgetId: string;
  threadId: string;
  threadVersion: number;
  status: ConversationStatus;
  scenario: Scenario;
  authStatus: AuthStatus;
  onboardingType: OnboardingType;
  profileId: string | null;
  createdAt: string;
  updatedAt: string;
  /** Customer messages of every party, and how many of them were trusted. */
  customerMessages: number;
  trustedMessages: number;
  /** A trusted conversation (seed 000): at least one customer message was trusted. */
  trusted: boolean;
}

export interface ConversationPage {
  conversations: ConversationSummary[];
  /** The cursor of the next page; null when this page is the last. */
  next: ConversationCursor | null;
}

/** A new conversation as the runtime creates it: the store sets `version` (1), `updatedAt` (= createdAt) and `profileId` (the state's). */
export type NewConversation = Omit<ConversationRecord, 'version' | 'updatedAt' | 'profileId'>;

/** What the start turn writes with the conversation. */
export interface ConversationStart {
  entries: NewTimelineEntry[];
  idempotency: { scope: string; record: IdempotencyRecord } | null;
}

export type CreateResult = { ok: true; conversation: ConversationRecord } | { ok: false; reason: 'idempotent_replay'; record: IdempotencyRecord };

/** The answer of an admin profile write: refused (naming the owner and the key) when a key belongs to another profile. */
export type PutResult = { ok: true } | { ok: false; takenBy: string; key: string };

/**
 * Conversations, their timelines and idempotency records. What is atomic with a turn: the new state (and the
 * status, scenario, auth status and profile columns taken from it), the turn's timeline entries and its idempotency
 * record commit in one transaction, or none of them does. Profiles are not part of it: the runtime creates
 * them through the ProfileRepository before the commit (see ProfileRepository.create).
 */
export interface ConversationRepository {
  /**
   * True when commitTurn honours TurnCommit `after`/`ticket` and applies writes in the order they were submitted, so
   * the runtime may evaluate a conversation's next turn on a queued, not yet committed, write (SQLite group commit).
   */
  readonly pipelinesTurns?: boolean;
  /**
   * Creates a conversation (version 1) with the timeline of its start turn and its idempotency record, in one
   * transaction. When the idempotency key was already used, nothing is written and the stored answer returns.
   * Throws StoreError `conversation_exists` for a taken id.
   */
  create(record: NewConversation, start?: ConversationStart): Promise<CreateResult>;
  /** Throws StoreError `state_invalid` when the stored state is not one threadgate can continue (decode-state.ts). */
  get(id: string): Promise<ConversationRecord | null>;
  /**
   * Runs `fn` (a whole turn: read, evaluate, commit) while no other serializeTurn on the same conversation runs
   * against this database, from any instance, so a second turn waits instead of losing the version race. Waits at
   * most `waitMs` for the lock, then answers `lock_timeout` without running `fn`. `fn`'s reads and writes go through
   * the repository as usual; `fn` must not call serializeTurn again. A throw
   * of `fn` releases the lock and rejects. PostgreSQL: a transaction-level advisory lock at the start of one
   * transaction on one connection, which every store call `fn` makes then uses (a turn never needs a second
   * connection); it COMMITs when `fn` returns, and a COMMIT that fails rejects. SQLite: runs `fn` at once (the
   * runtime already queues a conversation's turns in its process; processes sharing a file are not coordinated,
   * as with `exclusively`). commitTurn's version guard stays the safety net in both.
   */
  serializeTurn<T>(conversationId: string, waitMs: number, fn: () => Promise<T>): Promise<TurnLockResult<T>>;
  /**
   * Applies a turn atomically: state, timeline entries and idempotency record, or nothing. The state must be one the
   * core produced (as the runtime passes it): SQLite reads a state text it wrote here back without the schema check.
   */
  commitTurn(commit: TurnCommit): Promise<CommitResult>;
  getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null>;
  timeline(conversationId: string, opts?: { party?: number }): Promise<TimelineEntry[]>;
  /**
   * A page of the timeline by keyset on seq, entries oldest-first within the page. Without `after`: the latest
   * `limit` entries (below `before` when given), `hasMore` telling whether older ones remain. With `after`: the first
   * `limit` entries above it (and below `before` when given), `hasMore` telling whether newer ones remain. A limit
   * outside 1..TIMELINE_PAGE_MAX or a bound that is not a non-negative integer is StoreError `value_invalid`.
   */
  timelinePage(conversationId: string, q: TimelinePageQuery): Promise<TimelinePage>;
  /**
   * A page of conversations, newest first (createdAt desc, then id desc), by keyset: a page never repeats or skips
   * a row of an earlier one, even among equal creation times. A limit outside 1..CONVERSATION_PAGE_MAX or a bound
   * that is not a timestamp is StoreError `value_invalid`. Reads the status columns, never the states.
   */
  list(q: ConversationListQuery): Promise<ConversationPage>;
  /**
   * How many conversations last matched to the profile sort after `before` in the list's order (created earlier, or
   * in the same millisecond with a smaller id): a profile's past conversations as a conversation started at `before`
   * sees them. Reads the status columns only.
   */
  countForProfile(profileId: string, before: ConversationCursor): Promise<number>;
}

/**
 * Rules documents kept verbatim: thread drafts, published thread versions (one active per thread) and widgets.
 * Every change the runtime sees (put/delete widget, publish, activate) increments the rules generation in the same
 * transaction, so a cache stamped with a generation is current exactly while the store still reports that number.
 */
export interface RulesRepository {
  /** The rules generation: a counter that only grows, incremented by every widget or active-thread change. */
  generation(): Promise<number>;
  putThreadDraft(id: string, source: string, now: string): Promise<RulesSource>;
  getThreadDraft(id: string): Promise<RulesSource | null>;
  /** Stores the draft as the next version and makes it active; null without a draft. */
  publishThread(id: string, now: string): Promise<ThreadVersion | null>;
  listThreadVersions(id: string): Promise<ThreadVersion[]>;
  getThreadVersion(id: string, version: number): Promise<ThreadVersion | null>;
  getActiveThreadVersion(id: string): Promise<ThreadVersion | null>;
  /** Makes an existing version the active one (a rollback); null when there is no such version. */
  activateThreadVersion(id: string, version: number): Promise<ThreadVersion | null>;
  listThreadIds(): Promise<string[]>;

  putWidget(id: string, source: string, now: string): Promise<RulesSource>;
  getWidget(id: string): Promise<RulesSource | null>;
  listWidgets(): Promise<RulesSource[]>;
  deleteWidget(id: string): Promise<boolean>;
}

/**
 * The profile directory the runtime uses (find, create) plus the admin operations. Each call is its own
 * transaction, never part of a turn's commit: the runtime creates a profile before it commits the turn that
 * matched it (on PostgreSQL inside serializeTurn, a savepoint of the turn's transaction, gone if the turn fails). A create that loses a race with another first contact (any instance) re-finds the winner and
 * returns it, so there is never a duplicate; a turn that then fails to commit leaves the profile behind, which
 * the next contact with the same keys finds.
 */
export interface ProfileRepository extends ProfileDirectory {
  get(id: string): Promise<ProfileRecord | null>;
  /** Creates or replaces a profile (name, attributes, the whole key set); refuses a key that belongs to another profile. */
  put(profile: ProfileRecord, now: string): Promise<PutResult>;
  /** A page of profiles in id order, after `after`; a limit that is not a non-negative integer is StoreError `value_invalid`. */
  list(limit: number, after?: string): Promise<ProfileRecord[]>;
}

/** Reports counted by the store from the status columns, never by loading states. */
export interface ReportRepository {
  onboarding(q: ReportQuery): Promise<OnboardingReport>;
}

/** The JSON key rings of threadgate's own token issuer, validated on the way in and out. */
export interface KeyRingRepository {
  load(name: string): Promise<KeyRingData | null>;
  save(name: string, ring: KeyRingData): Promise<void>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  readonly conversations: ConversationRepository;
  readonly rules: RulesRepository;
  readonly profiles: ProfileRepository;
  readonly reports: ReportRepository;
  readonly keyRings: KeyRingRepository;
  /** Throws when the database cannot be reached; used by /readyz. */
  ping(): Promise<void>;
  /**
   * Commits one tiny write (the readiness_probe row) and throws what the store throws when it cannot: a full disk,
   * a read-only file or a lost connection. /readyz uses it, since a ping answers while every commit fails.
   */
  probeWrite(now: string): Promise<void>;
  /** Closes the connection(s); a second call does nothing. */
  close(): Promise<void>;
  /**
   * Runs `fn` while no other caller runs work under the same `name` on this database, e.g. seeding the rules
   * folder at start, so instances starting together publish a changed thread once. PostgreSQL holds an advisory
   * lock across every instance on the database; SQLite serialises the calls of this process only (several
   * processes sharing one file are not coordinated, as docs/storage.md says).
   */
  exclusively<T>(name: string, fn: () => Promise<T>): Promise<T>;
}
