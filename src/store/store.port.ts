// The storage port: everything the runtime and the HTTP service persist, behind one async interface.
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
  createdAt: string;
  updatedAt: string;
}

export interface TimelineEntry {
  seq: number;
  conversationId: string;
  /** The turn (conversation version) that wrote it. */
  turn: number;
  party: number;
  from: 'customer' | 'bot' | 'system';
  text: string;
  /** For customer messages: sent while authenticated by a token valid at that moment. */
  trusted: boolean | null;
  at: string;
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
}

export type CommitResult =
  | { ok: true; version: number }
  | { ok: false; reason: 'version_conflict'; currentVersion: number }
  | { ok: false; reason: 'idempotent_replay'; record: IdempotencyRecord }
  | { ok: false; reason: 'not_found' };

export interface ReportQuery {
  from: string;
  to: string;
  widgetId?: string;
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
}

export interface Store extends ProfileDirectory {
  readonly kind: 'sqlite' | 'postgres';
  /** Throws when the database cannot be reached; used by /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;

  putThreadDraft(id: string, source: string, now: string): Promise<RulesSource>;
  getThreadDraft(id: string): Promise<RulesSource | null>;
  /** Stores the draft as the next version and makes it active. */
  publishThread(id: string, now: string): Promise<ThreadVersion | null>;
  listThreadVersions(id: string): Promise<ThreadVersion[]>;
  getThreadVersion(id: string, version: number): Promise<ThreadVersion | null>;
  getActiveThreadVersion(id: string): Promise<ThreadVersion | null>;
  activateThreadVersion(id: string, version: number): Promise<ThreadVersion | null>;
  listThreadIds(): Promise<string[]>;

  putWidget(id: string, source: string, now: string): Promise<RulesSource>;
  getWidget(id: string): Promise<RulesSource | null>;
  listWidgets(): Promise<RulesSource[]>;
  deleteWidget(id: string): Promise<boolean>;

  getProfile(id: string): Promise<ProfileRecord | null>;
  /** Creates or replaces a profile; refuses (returns the owner's id) when a key belongs to another profile. */
  putProfile(profile: ProfileRecord, now: string): Promise<{ ok: true } | { ok: false; takenBy: string; key: string }>;
  listProfiles(limit: number, after?: string): Promise<ProfileRecord[]>;

  /**
   * Creates a conversation (version 1) with the timeline of its start turn and its idempotency record, in one
   * transaction. When the idempotency key was already used, nothing is written and the stored answer returns.
   */
  createConversation(
    record: Omit<ConversationRecord, 'version' | 'updatedAt'>,
    start?: { entries: NewTimelineEntry[]; idempotency: { scope: string; record: IdempotencyRecord } | null },
  ): Promise<{ ok: true; conversation: ConversationRecord } | { ok: false; reason: 'idempotent_replay'; record: IdempotencyRecord }>;
  getConversation(id: string): Promise<ConversationRecord | null>;
  /** Applies a turn atomically: state, timeline, profiles and idempotency record, or nothing. */
  commitTurn(commit: TurnCommit): Promise<CommitResult>;
  getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null>;
  timeline(conversationId: string, opts?: { party?: number }): Promise<TimelineEntry[]>;

  onboardingReport(q: ReportQuery): Promise<OnboardingReport>;

  loadKeyRing(name: string): Promise<KeyRingData | null>;
  saveKeyRing(name: string, ring: KeyRingData): Promise<void>;
}

/** Argument and result shapes of the port, shared by every adapter. */
export type NewConversation = Parameters<Store['createConversation']>[0];
export type ConversationStart = NonNullable<Parameters<Store['createConversation']>[1]>;
export type CreateResult = Awaited<ReturnType<Store['createConversation']>>;
export type PutResult = Awaited<ReturnType<Store['putProfile']>>;
