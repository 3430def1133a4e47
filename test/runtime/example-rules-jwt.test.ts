// End to end on the example rules: a website signs a User Identity JWT, the runtime verifies it, the thread trusts it.
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, resolveJwtSettings, signUserIdentity, type TokenVerifier } from '../../src/auth/index.ts';
import { initialState, type ConversationState } from '../../src/core/state.ts';
import { MemoryProfileDirectory } from '../../src/profiles/memory-directory.ts';
import { loadRulesDir, type RuleSet } from '../../src/rules/load-rules-dir.ts';
import { runTurn, type RuntimeDeps } from '../../src/runtime/run-turn.ts';
import { T0, texts } from '../helpers/conversation.ts';

const SECRET = 'example-only:Zq8vN2xR7mL4pT9wK3sD6fH1jB5cY0gA';
let rules: RuleSet;
const verifiers = new Map<string, TokenVerifier>();
beforeAll(async () => {
  rules = await loadRulesDir('rules');
  for (const w of rules.widgets.values()) if (w.jwt) verifiers.set(w.id, createTokenVerifier(await resolveJwtSettings(w.jwt, { SHOP_JWT_SECRET: SECRET })));
});

describe('example widgets with JWT settings', () => {
  it.each(['shop-visitor', 'shop-portal', 'shop-form', 'shop-optional'])('%s: a token signed by the website makes the chat most ideal', async (id) => {
    const widget = rules.widgets.get(id)!;
    const thread = rules.threads.get(widget.thread)!;
    const directory = new MemoryProfileDirectory([{ id: 'julie', name: 'Julie Doe', emails: ['julie@example.com'] }]);
    const deps: RuntimeDeps = { directory, verifierFor: (w) => verifiers.get(w.id) ?? null, newId: () => 'new' };
    let state: ConversationState = initialState(thread.id, widget, new Date(T0).toISOString());
    const token = await signUserIdentity(
      { email: 'julie@example.com', name: 'Julie Doe' },
      { alg: 'HS256', secret: SECRET, kid: 'shop-2026-11' },
      { issuer: 'https://shop.example.com', audience: 'threadgate', now: new Date(T0), expiresInSeconds: 300 },
    );
    const r = await runTurn(deps, thread, widget, state, { type: 'start', token }, new Date(T0 + 1000));
    state = r.state;
    expect(state.identity).toMatchObject({ status: 'authenticated', method: 'jwt' });
    expect(state.profile).toMatchObject({ match: 'matched', id: 'julie' });
    expect(texts(r.outputs)).toContain("Hi Julie! You're signed in, so I can look up your orders right away.");
    const m = await runTurn(deps, thread, widget, state, { type: 'message', text: 'order status' }, new Date(T0 + 5000));
    expect(m.trusted).toBe(true);
    expect(m.state.scenario).toBe('most_ideal');
  });
});
