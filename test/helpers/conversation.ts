// Test helpers: compile threads and widgets from YAML text and replay events through evaluateTurn.
import { parse } from 'yaml';
import { compile, type CompiledThread } from '../../src/core/compile.ts';
import { compileWidget, type CompiledWidget } from '../../src/core/compile-widget.ts';
import { evaluateTurn } from '../../src/core/evaluate-turn.ts';
import type { VerifiedIdentity } from '../../src/core/events.ts';
import type { Output, TurnResult } from '../../src/core/outputs.ts';
import { initialState, type ConversationState } from '../../src/core/state.ts';
import type { OnboardingType } from '../../src/core/widget.schema.ts';

export const T0 = Date.parse('2026-11-23T10:00:00Z');

export function threadFrom(yaml: string): CompiledThread {
  return compile({ kind: 'thread', ...parse(yaml) });
}

export function widgetFor(thread: string, onboarding: OnboardingType = 'none', extra: Record<string, unknown> = {}): CompiledWidget {
  return compileWidget({ kind: 'widget', id: 'w', onboarding, thread, loginUrl: 'https://shop.example/login', ...extra });
}

/** A verified identity as the edge would pass it, valid for `ttl` seconds from `at` (ms). */
export function verified(email: string | null, at: number, ttl = 600, extra: Partial<VerifiedIdentity> = {}): { ok: true; identity: VerifiedIdentity } {
  const iat = Math.floor(at / 1000);
  return {
    ok: true,
    identity: { email, phone: null, name: 'Julie Doe', subject: null, issuer: 'https://shop.example', issuedAt: iat, expiresAt: iat + ttl, kid: null, alg: 'HS256', jti: null, ...extra },
  };
}

/** Drives one conversation through the core with a clock the test moves. */
export class Conversation {
  state: ConversationState;
  now = T0;
  last!: TurnResult;
  private ids = 0;

  constructor(
    readonly thread: CompiledThread,
    readonly widget: CompiledWidget,
  ) {
    this.state = initialState(thread.id, widget, new Date(this.now).toISOString());
  }

  async send(event: Record<string, unknown>): Promise<TurnResult> {
    this.last = await evaluateTurn(this.thread, this.state, event, { now: new Date(this.now), newId: () => `p${++this.ids}`, widget: this.widget });
    this.state = this.last.state;
    return this.last;
  }

  advance(seconds: number): void {
    this.now += seconds * 1000;
  }
}

export const texts = (outputs: Output[]): string[] => outputs.flatMap((o) => (o.type === 'message' ? [o.text] : []));
export const actions = (outputs: Output[]) => outputs.flatMap((o) => (o.type === 'action' ? [o.action] : []));
export const notices = (outputs: Output[]): string[] => outputs.flatMap((o) => (o.type === 'notice' ? [o.code] : []));
export const errors = (outputs: Output[]): string[] => outputs.flatMap((o) => (o.type === 'error' ? [o.code] : []));
