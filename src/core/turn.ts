// The Turn: one turn in progress, a private draft of the state plus what the turn has said and seen.
import type { CompiledThread } from './compile.ts';
import type { CompiledWidget } from './compile-widget.ts';
import type { TokenResult, TurnEvent, ProfileRecord } from './events.ts';
import { buildFacts, type Facts, type IdentityChange } from './facts.ts';
import { authenticate, type IdentityCtx, type IdentityStep } from './identity.ts';
import type { NoticeCode, Output, StepTrace, TurnTrace } from './outputs.ts';
import type { ConversationState } from './state.ts';
import { matchIntent } from './intents.ts';
import { isoTime } from './iso-time.ts';

export interface TurnContext {
  /** The moment of the turn; the core never reads the clock. */
  now: Date | string;
  /** Id generator for records the turn creates (new profiles); the core never draws random numbers. */
  newId: () => string;
  widget: CompiledWidget;
}

/** The event of one kind, for the handlers that deal with that kind only. */
export type EventOf<K extends TurnEvent['type']> = Extract<TurnEvent, { type: K }>;

/** One turn in progress: a private draft of the state plus what the turn has said and seen. */
export class Turn {
  readonly outputs: Output[] = [];
  readonly steps: StepTrace[] = [];
  readonly handlers: TurnTrace['handlers'] = [];
  readonly notes: string[] = [];
  change: IdentityChange = null;
  rejection: string | null = null;
  readonly nowSeconds: number;
  readonly nowIso: string;
  /** Where this turn's `message.intent` came from, for the trace. */
  readonly intent: TurnTrace['intent'] = null;
  private readonly matched: { name: string; confidence: number } | null = null;

  constructor(
    readonly thread: CompiledThread,
    readonly state: ConversationState,
    readonly event: TurnEvent,
    readonly ctx: TurnContext,
  ) {
    const ms = new Date(ctx.now).getTime();
    this.nowSeconds = Math.floor(ms / 1000);
    this.nowIso = isoTime(ms);
    if (event.type === 'message') {
      // The runtime's own model always wins; the matcher only fills in for threads that run without one.
      const m = event.intent ? null : matchIntent(thread.intents, event.text);
      if (event.intent) this.intent = { source: 'runtime', name: event.intent.name };
      else if (m) [this.intent, this.matched] = [{ source: 'matcher', name: m.name, matcher: m.matcher }, m];
    }
  }

  get widget(): CompiledWidget {
    return this.ctx.widget;
  }

  facts(): Facts {
    return buildFacts({ state: this.state, widget: this.ctx.widget, event: this.event, nowSeconds: this.nowSeconds, change: this.change, rejection: this.rejection, matched: this.matched });
  }

  notice(code: NoticeCode, message: string, detail?: Record<string, unknown>): void {
    this.outputs.push({ type: 'notice', code, message, ...(detail ? { detail } : {}) });
  }

  identityCtx(): IdentityCtx {
    return { nowSeconds: this.nowSeconds, newId: this.ctx.newId, defaultCountry: this.widget.defaultCountry, atStart: this.event.type === 'start' };
  }

  absorb(step: IdentityStep): void {
    this.outputs.push(...step.outputs);
    this.notes.push(...step.notes);
    if (step.change) this.change = step.change;
  }

  /** Applies a token result: a verified identity authenticates; a rejection changes nothing but is reported. */
  applyToken(token: TokenResult, directoryMatch: ProfileRecord | null | undefined): void {
    if (token.ok) {
      if (token.identity.expiresAt <= this.nowSeconds) {
        // The edge should not pass an expired identity; treat it as the rejection it is.
        this.reject('expired', 'The token has expired.');
        return;
      }
      this.absorb(authenticate(this.state, token.identity, directoryMatch, this.identityCtx()));
    } else {
      this.reject(token.reason, token.message);
    }
  }

  reject(reason: string, message?: string): void {
    this.rejection = reason;
    this.notice('token_rejected', message ?? 'The identity token was refused; the customer is not authenticated by it.', { reason });
  }
}
