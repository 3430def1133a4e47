// An in-process chat session: rules on an in-memory SQLite store, a movable clock, real signed tokens.
import { randomBytes, randomUUID } from 'node:crypto';
import { signUserIdentity } from '../auth/index.ts';
import type { CompiledWidget } from '../core/compile-widget.ts';
import { loadRulesDir } from '../rules/load-rules-dir.ts';
import type { CallerTurnEvent, StartRequest } from '../runtime/caller-events.ts';
import { ConversationService, type ServiceResult } from '../runtime/conversation-service.ts';
import { RulesRegistry } from '../runtime/rules-registry.ts';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/store.ts';
import { stubbedLookups } from '../replay/transcript-setup.ts';
import type { LookupStub } from '../replay/transcript.schema.ts';

export class ChatSession {
  /** Milliseconds added to the real clock by /advance, so tokens can expire mid-chat. */
  offsetMs = 0;
  conversationId: string | null = null;
  readonly notes: string[] = [];
  readonly service: ConversationService;
  private constructor(
    readonly widget: CompiledWidget,
    readonly store: SqliteStore,
    registry: RulesRegistry,
    private readonly env: Record<string, string | undefined>,
    lookups: Record<string, LookupStub> | null,
  ) {
    // Without --lookups a lookup fails as host_not_allowed, as it would with an empty allow list: chat never calls out.
    this.service = new ConversationService(store, registry, this.now, () => randomUUID(), lookups ? { lookup: stubbedLookups(lookups) } : {});
  }

  now = (): Date => new Date(Date.now() + this.offsetMs);

  /** Loads the rules, generates missing HMAC secrets for this session and seeds an in-memory store. */
  static async open(widgetId: string, rulesDir: string, baseEnv: Record<string, string | undefined>, lookups: Record<string, LookupStub> | null = null): Promise<ChatSession> {
    const rules = await loadRulesDir(rulesDir);
    const widget = rules.widgets.get(widgetId);
    if (!widget) throw new ChatSetupError(`no widget "${widgetId}" in ${rulesDir} (widgets: ${[...rules.widgets.keys()].join(', ') || 'none'})`);
    const env = { ...baseEnv };
    const notes: string[] = [];
    for (const w of rules.widgets.values()) {
      for (const key of w.jwt?.keys ?? []) {
        if (key.secret && typeof key.secret === 'object' && !env[key.secret.env]) {
          env[key.secret.env] = randomBytes(64).toString('base64url');
          notes.push(`generated ${key.secret.env} for this session`);
        }
      }
    }
    const store = await openSqliteStore({ path: ':memory:' });
    const registry = new RulesRegistry(store, env);
    await registry.seedFromDir(rulesDir, new Date().toISOString());
    const session = new ChatSession(widget, store, registry, env, lookups);
    session.notes.push(...new Set(notes));
    return session;
  }

  /** The first `start`, or a later one when a `code` widget refused to start without identity. */
  async start(extra: Omit<StartRequest, 'widgetId'> = {}, explain = false): Promise<ServiceResult> {
    const r = await this.service.start({ widgetId: this.widget.id, ...extra }, { explain });
    if (r.ok) this.conversationId = r.body.conversationId;
    return r;
  }

  /** Sends an event; before the conversation exists, identity events start it instead. */
  async send(event: CallerTurnEvent, explain: boolean): Promise<ServiceResult> {
    if (this.conversationId) return this.service.turn(this.conversationId, event, { explain });
    if (event.type === 'authenticate') return this.start({ token: event.token }, explain);
    if (event.type === 'identify') return this.start({ user: event.user }, explain);
    return { ok: false, code: 'conversation_not_found', message: 'the conversation has not started: this widget needs /login or /identify first' };
  }

  /** A User Identity JWT signed with the widget's first HMAC key, at the session's clock. */
  async signToken(claims: { email: string; name?: string }, ttlSeconds = 300): Promise<string> {
    const jwt = this.widget.jwt;
    const key = jwt?.keys?.find((k) => k.alg.startsWith('HS'));
    if (!jwt || !key?.secret) throw new ChatSetupError(`widget "${this.widget.id}" has no HMAC key in jwt.keys, so /login cannot sign a token`);
    const secret = typeof key.secret === 'string' ? key.secret : this.env[key.secret.env]!;
    const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
    const issuer = first(jwt.issuer);
    const audience = first(jwt.audience);
    return signUserIdentity(
      { email: claims.email, ...(claims.name ? { name: claims.name } : {}) },
      { alg: key.alg, secret, ...(key.kid ? { kid: key.kid } : {}) },
      { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}), now: this.now(), expiresInSeconds: ttlSeconds, ...(jwt.typ ? { typ: jwt.typ } : {}) },
    );
  }

  async state() {
    return this.conversationId ? ((await this.store.conversations.get(this.conversationId))?.state ?? null) : null;
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

export class ChatSetupError extends Error {}
