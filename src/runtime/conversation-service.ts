// Starting conversations and applying turns: one at a time per conversation, load, run the core, commit atomically.
import { createHash } from 'node:crypto';
import { capabilitiesOf, type Capabilities } from '../core/capabilities.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';
import type { Output, TurnTrace } from '../core/outputs.ts';
import { initialState, isTrustedAt, type AuthStatus, type ConversationState, type IdentityMethod, type ProfileMatch } from '../core/state.ts';
import type { ConversationCursor, ConversationRecord, ConversationRepository, IdempotencyRecord, Store, TurnTicket } from '../store/store.port.ts';
import type { ProfileDirectory } from '../profiles/profile-directory.ts';
import type { RulesRegistry } from './rules-registry.ts';
import type { CallerEvent, CallerTurnEvent, StartRequest } from './caller-events.ts';
import { ConversationQueue, type QueuePlace } from './conversation-queue.ts';
import { runTurn, type LookupExecutor, type RunTurnResult } from './run-turn.ts';
import { timelineEntries } from './timeline.ts';
import { trustedIndicator, type TrustedIndicator } from './trusted-indicator.ts';

export type ServiceErrorCode =
  | 'conversation_not_found'
  | 'widget_not_found'
  | 'widget_thread_unknown'
  | 'thread_version_not_found'
  | 'identity_required'
  | 'version_conflict'
  | 'conversation_busy'
  | 'idempotency_key_reused';

export type ServiceResult = { ok: true; status: number; body: TurnResponse; replayed: boolean } | { ok: false; code: ServiceErrorCode; message?: string; details?: Record<string, unknown> };

export interface TurnResponse {
  conversationId: string;
  version: number;
  status: ConversationState['status'];
  step: string | null;
  scenario: ConversationState['scenario'];
  identity: { status: AuthStatus; method: IdentityMethod; trusted: boolean; party: number };
  /** `pastConversations`: the matched profile's conversations created before this one (seed 000's "past Conversations"); null without a profile. */
  profile: { match: ProfileMatch; id: string | null; pastConversations: number | null };
  /** Trust of this turn's customer message; null when the event is not a message. */
  trusted: boolean | null;
  /** The Trusted Message indicator of this turn's customer message, as the timeline shows it: green, or null (not trusted, or no message). */
  indicator: TrustedIndicator;
  /** What the customer may do now, so a widget shows only the buttons that work (core/capabilities.ts). */
  capabilities: Capabilities;
  outputs: Output[];
  trace?: TurnTrace;
}

export interface Idempotency {
  key: string;
  /** A hash of what was asked, so the same key with another request is refused. */
  requestHash: string;
}

/** Commits tried when another writer still wins the version race (a process that does not take the turn lock). */
const MAX_ATTEMPTS = 4;

/** How long a turn waits, by default, for the turns before it on its conversation (queue and lock together). */
export const DEFAULT_TURN_WAIT_MS = 10_000;

/** A stable hash of a request: keys sorted, so the same JSON in another key order is the same request. */
export function requestHash(parts: unknown): string {
  const stable = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(stable) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, stable((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(stable(parts))).digest('hex');
}

/** A conversation's latest turn write that is queued but not yet committed, for the next turn to be evaluated on. */
interface PendingHead {
  /** The queue place of the turn that wrote it: only its immediate successor builds on it. */
  owner: object;
  conv: ConversationRecord;
  /** The state as written, so the next turn gets its own copy (as from a read), never a shared object. */
  stateJson: string;
  ticket: TurnTicket;
}

interface Answered {
  id: string;
  version: number;
  result: RunTurnResult;
  widget: CompiledWidget;
  pastConversations: number | null;
  now: Date;
  explain: boolean;
}

function response({ id, version, result: r, widget, pastConversations, now, explain }: Answered): TurnResponse {
  const s = r.state;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  return {
    conversationId: id,
    version,
    status: s.status,
    step: s.step,
    scenario: s.scenario,
    identity: { status: s.identity.status, method: s.identity.method, trusted: isTrustedAt(s.identity, nowSeconds), party: s.identity.party },
    profile: { match: s.profile.match, id: s.profile.id, pastConversations },
    trusted: r.trusted,
    indicator: r.trusted === null ? null : trustedIndicator({ from: 'customer', trusted: r.trusted }, s.status),
    capabilities: capabilitiesOf(s, widget, nowSeconds),
    // Effects (profile creation) were carried out by the runtime already; the bot gets what it must act on.
    outputs: r.outputs.filter((o) => o.type !== 'effect'),
    ...(explain ? { trace: r.trace } : {}),
  };
}

/** What a finished turn reports to observers (metrics): never customer data. */
export interface TurnObservation {
  kind: 'start' | 'turn';
  outcome: 'applied' | 'replayed' | ServiceErrorCode;
  durationMs: number;
  attempts: number;
  outputs: Output[];
  trusted: boolean | null;
}

export class ConversationService {
  /** Called after every start and turn; the HTTP layer turns these into metrics. */
  onTurn: ((o: TurnObservation) => void) | null = null;

  private readonly conversations: ConversationRepository;
  private readonly directory: ProfileDirectory;
  /** This instance's turns, one conversation at a time; the store's turn lock orders them across instances. */
  private readonly queue = new ConversationQueue();
  private readonly turnWaitMs: number;
  /** Per conversation, the write the next turn may be evaluated on before it commits (only with a pipelining store). */
  private readonly heads = new Map<string, PendingHead>();

  constructor(
    /** Conversations for the turns; profiles as the directory the runtime finds and creates customers in. */
    store: Pick<Store, 'conversations' | 'profiles'>,
    private readonly registry: RulesRegistry,
    private readonly clock: () => Date,
    private readonly newId: () => string,
    /**
     * `lookup`: how `lookup` outputs are carried out; without one, every lookup fails as host_not_allowed.
     * `turnWaitMs`: how long a turn may wait for the turns before it on its conversation before it answers
     * `conversation_busy` without being applied (DEFAULT_TURN_WAIT_MS).
     */
    private readonly options: { lookup?: LookupExecutor; turnWaitMs?: number } = {},
  ) {
    this.conversations = store.conversations;
    this.directory = store.profiles;
    this.turnWaitMs = options.turnWaitMs ?? DEFAULT_TURN_WAIT_MS;
  }

  /** How many conversations have turns queued or running in this instance now (entries go when a queue empties). */
  get busyConversations(): number {
    return this.queue.size;
  }

  private observe(kind: TurnObservation['kind'], started: number, attempts: number, result: ServiceResult): ServiceResult {
    if (this.onTurn) {
      this.onTurn({
        kind,
        outcome: result.ok ? (result.replayed ? 'replayed' : 'applied') : result.code,
        durationMs: performance.now() - started,
        attempts,
        outputs: result.ok && !result.replayed ? result.body.outputs : [],
        trusted: result.ok ? result.body.trusted : null,
      });
    }
    return result;
  }

  private deps() {
    return { directory: this.directory, verifierFor: this.registry.verifierFor, newId: this.newId, ...(this.options.lookup ? { lookup: this.options.lookup } : {}) };
  }

  /** The matched profile's conversations created before this one; read outside the turn's transaction, as information for the bot. */
  private async pastConversations(state: ConversationState, self: ConversationCursor): Promise<number | null> {
    return state.profile.id === null ? null : this.conversations.countForProfile(state.profile.id, self);
  }

  private replay(record: IdempotencyRecord, hash: string): ServiceResult {
    if (record.requestHash !== hash) return { ok: false, code: 'idempotency_key_reused' };
    return { ok: true, status: record.status, body: record.body as TurnResponse, replayed: true };
  }

  /** Starts a conversation on a widget with the `start` event; a `code` widget without identity is refused. */
  async start(
    input: StartRequest,
    opts: { idempotency?: Idempotency & { scope: string }; explain?: boolean } = {},
  ): Promise<ServiceResult> {
    const started = performance.now();
    return this.observe('start', started, 1, await this.startOnce(input, opts));
  }

  private async startOnce(
    input: StartRequest,
    opts: { idempotency?: Idempotency & { scope: string }; explain?: boolean },
  ): Promise<ServiceResult> {
    if (opts.idempotency) {
      const prior = await this.conversations.getIdempotency(opts.idempotency.scope, opts.idempotency.key);
      if (prior) return this.replay(prior, opts.idempotency.requestHash);
    }
    const generation = await this.registry.generation();
    const loaded = await this.registry.widget(input.widgetId, generation);
    if (!loaded) return { ok: false, code: 'widget_not_found' };
    const { widget } = loaded;
    const active = await this.registry.activeThread(widget.thread, generation);
    if (!active) return { ok: false, code: 'widget_thread_unknown' };
    const now = this.clock();
    const id = this.newId();
    const state0 = initialState(active.thread.id, widget, now.toISOString());
    const event: CallerEvent = { type: 'start', ...(input.user ? { user: input.user } : {}), ...(input.token !== undefined ? { token: input.token } : {}), ...(input.context ? { context: input.context } : {}) };
    const r = await runTurn(this.deps(), active.thread, widget, state0, event, now);
    if (r.state.status === 'pending' && r.outputs.some((o) => o.type === 'notice' && o.code === 'identity_required')) {
      const rejected = r.outputs.find((o) => o.type === 'notice' && o.code === 'token_rejected');
      const why = rejected && rejected.type === 'notice' ? String(rejected.detail?.reason) : null;
      const reason = why ? ` The token was refused: ${why}.` : '';
      // The reason is a field too, so a runtime can act on it without reading the message.
      return { ok: false, code: 'identity_required', message: `This widget's onboarding type is \`code\`: start the conversation with \`user\` (setUser) or a valid \`token\`.${reason}`, details: { tokenRejection: why } };
    }
    const pastConversations = await this.pastConversations(r.state, { createdAt: now.toISOString(), id });
    const body = response({ id, version: 1, result: r, widget, pastConversations, now, explain: Boolean(opts.explain) });
    const created = await this.conversations.create(
      {
        id,
        widgetId: widget.id,
        threadId: active.thread.id,
        threadVersion: active.version,
        state: r.state,
        status: r.state.status,
        scenario: r.state.scenario,
        authStatus: r.state.identity.status,
        onboardingType: widget.onboarding,
        createdAt: now.toISOString(),
      },
      {
        entries: timelineEntries(event, { party: 0 }, r, now.toISOString()),
        idempotency: opts.idempotency
          ? { scope: opts.idempotency.scope, record: { key: opts.idempotency.key, requestHash: opts.idempotency.requestHash, status: 201, body, createdAt: now.toISOString() } }
          : null,
      },
    );
    if (!created.ok) return this.replay(created.record, opts.idempotency!.requestHash);
    return { ok: true, status: 201, body, replayed: false };
  }

  /**
   * Applies one event after the turns that arrived before it on the same conversation: first in this instance's
   * queue, then under the store's turn lock (other instances' turns). A race lost all the same (a writer outside
   * the lock) re-runs the turn on the fresh state; the core is pure, so that is safe.
   */
  async turn(conversationId: string, event: CallerTurnEvent, opts: { idempotency?: Idempotency; explain?: boolean } = {}): Promise<ServiceResult> {
    const started = performance.now();
    const attempts = { n: 0 };
    const queued = await this.queue.run(conversationId, this.turnWaitMs, async (leftMs, place) => {
      const locked = await this.conversations.serializeTurn(conversationId, leftMs, () => this.turnWithRetries(conversationId, event, opts, attempts, place));
      return locked.ok ? locked.value : this.busy();
    });
    return this.observe('turn', started, attempts.n, queued.ok ? queued.value : this.busy());
  }

  /** Waited the whole turnWaitMs for earlier turns (in this instance or another): nothing was applied. */
  private busy(): ServiceResult {
    return {
      ok: false,
      code: 'conversation_busy',
      message: `Earlier turns on this conversation kept it busy for ${this.turnWaitMs} ms; nothing was applied. Send the turn again (with the same Idempotency-Key, if it had one).`,
      details: { waitedMs: this.turnWaitMs },
    };
  }

  /**
   * The state a turn runs on. With a pipelining store, the first attempt of the turn right after one whose write is
   * queued runs on that write (its commit then waits for that write's: TurnCommit `after`); any other attempt waits
   * for every earlier turn to settle and reads the store, so a failed write is never built on and order holds.
   */
  private async base(conversationId: string, attempt: number, place: QueuePlace): Promise<{ conv: (ConversationRecord & { rulesGeneration?: number }) | null; after?: TurnTicket }> {
    if (this.conversations.pipelinesTurns) {
      const head = this.heads.get(conversationId);
      if (attempt === 1 && head && head.owner === place.previous) {
        return { conv: { ...head.conv, state: JSON.parse(head.stateJson) as ConversationState, rulesGeneration: await this.registry.generation() }, after: head.ticket };
      }
      await place.earlier;
    }
    return { conv: await this.conversations.get(conversationId) };
  }

  private async turnWithRetries(conversationId: string, event: CallerTurnEvent, opts: { idempotency?: Idempotency; explain?: boolean }, attempts: { n: number }, place: QueuePlace): Promise<ServiceResult> {
    const scope = `turn:${conversationId}`;
    const pipelined = this.conversations.pipelinesTurns === true;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      attempts.n = attempt;
      if (opts.idempotency) {
        const prior = await this.conversations.getIdempotency(scope, opts.idempotency.key);
        if (prior) return this.replay(prior, opts.idempotency.requestHash);
      }
      const { conv, after } = await this.base(conversationId, attempt, place);
      if (!conv) return { ok: false, code: 'conversation_not_found' };
      // The generation read with the conversation vouches for the cached widget (rules-registry.ts).
      const loaded = await this.registry.widget(conv.widgetId, conv.rulesGeneration);
      if (!loaded) return { ok: false, code: 'widget_not_found', message: `The widget "${conv.widgetId}" of this conversation no longer exists.` };
      const thread = await this.registry.thread(conv.threadId, conv.threadVersion);
      if (!thread) return { ok: false, code: 'thread_version_not_found' };
      const now = this.clock();
      const r = await runTurn(this.deps(), thread, loaded.widget, conv.state, event, now);
      const version = conv.version + 1;
      const pastConversations = await this.pastConversations(r.state, { createdAt: conv.createdAt, id: conv.id });
      const body = response({ id: conversationId, version, result: r, widget: loaded.widget, pastConversations, now, explain: Boolean(opts.explain) });
      const ticket: TurnTicket | undefined = pipelined ? { state: 'queued' } : undefined;
      const committing = this.conversations.commitTurn({
        conversationId,
        expectedVersion: conv.version,
        state: r.state,
        entries: timelineEntries(event, conv.state.identity, r, now.toISOString()),
        idempotency: opts.idempotency
          ? { scope, record: { key: opts.idempotency.key, requestHash: opts.idempotency.requestHash, status: 200, body, createdAt: now.toISOString() } }
          : null,
        now: now.toISOString(),
        ...(after ? { after } : {}),
        ...(ticket ? { ticket } : {}),
      });
      if (ticket) {
        // The write is queued: the next turn may run on it now and join this batch or the next one.
        this.heads.set(conversationId, { owner: place.self, conv: { ...conv, version, state: r.state }, stateJson: JSON.stringify(r.state), ticket });
        place.handOn();
      }
      let commit;
      try {
        commit = await committing;
      } finally {
        // A head built on a write that failed is dropped whoever wrote it (every later one built on it fails too).
        const head = this.heads.get(conversationId);
        if (ticket && head && (head.ticket === ticket || ticket.state !== 'committed')) this.heads.delete(conversationId);
      }
      if (commit.ok) return { ok: true, status: 200, body, replayed: false };
      if (commit.reason === 'idempotent_replay') return this.replay(commit.record, opts.idempotency!.requestHash);
      if (commit.reason === 'not_found') return { ok: false, code: 'conversation_not_found' };
    }
    return { ok: false, code: 'version_conflict' };
  }
}
