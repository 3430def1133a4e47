// The runtime around the core with real signed tokens and the in-memory profile directory.
import { describe, expect, it } from 'vitest';
import { createTokenVerifier, resolveJwtSettings, signUserIdentity } from '../../src/auth/index.ts';
import type { CompiledWidget } from '../../src/core/compile-widget.ts';
import { initialState, type ConversationState } from '../../src/core/state.ts';
import { MemoryProfileDirectory } from '../../src/profiles/memory-directory.ts';
import type { CallerEvent } from '../../src/runtime/caller-events.ts';
import { runTurn, type RuntimeDeps } from '../../src/runtime/run-turn.ts';
import { T0, notices, texts, threadFrom, widgetFor } from '../helpers/conversation.ts';

const SECRET = 'k3J9x!vQ2#pL7mZ4rT8wY1nB6cF0hD5sA';
const thread = threadFrom(`id: t
start: hello
on: { authenticated: hello }
steps:
  hello:
    say: "Hi {{auth.firstName | there}} ({{profile.match}})"
    ask: { slot: any, type: text }
`);

async function setup(jwt = true) {
  const widget = widgetFor('t', 'none', jwt ? { jwt: { keys: [{ kid: 'v1', alg: 'HS256', secret: { env: 'SHOP_SECRET' } }], issuer: 'https://shop.example', audience: 'threadgate' } } : {});
  const verifier = widget.jwt ? createTokenVerifier(await resolveJwtSettings(widget.jwt, { SHOP_SECRET: SECRET })) : null;
  const directory = new MemoryProfileDirectory([{ id: 'julie', name: 'Julie Doe', emails: ['Julie@Example.com'], attributes: { tier: 'gold' } }]);
  let n = 0;
  const deps: RuntimeDeps = { directory, verifierFor: (w: CompiledWidget) => (w.id === widget.id ? verifier : null), newId: () => `new-${++n}` };
  let state: ConversationState = initialState('t', widget, new Date(T0).toISOString());
  // Loosely typed on purpose: some tests send what no typed caller could (a pre-verified token, a profile).
  const send = async (event: Record<string, unknown> & { type: string }, at = T0) => {
    const r = await runTurn(deps, thread, widget, state, event as CallerEvent, new Date(at));
    state = r.state;
    return r;
  };
  return { widget, directory, send };
}

const token = (email: string, at = T0, secret = SECRET, ttl = 300) =>
  signUserIdentity({ email, name: 'Julie Doe' }, { alg: 'HS256', secret, kid: 'v1' }, { issuer: 'https://shop.example', audience: 'threadgate', now: new Date(at), expiresInSeconds: ttl });

describe('runTurn', () => {
  it('verifies a real token at the edge and matches the profile by normalised email', async () => {
    const { send } = await setup();
    await send({ type: 'start' });
    const r = await send({ type: 'authenticate', token: await token('julie@example.com') });
    expect(r.state.identity).toMatchObject({ status: 'authenticated', email: 'julie@example.com' });
    expect(r.state.profile).toMatchObject({ match: 'matched', id: 'julie', attributes: { tier: 'gold' } });
    expect(texts(r.outputs)).toEqual(['Hi Julie (matched)']);
    expect((await send({ type: 'message', text: 'hi' }, T0 + 1000)).trusted).toBe(true);
  });

  it('a forged token is rejected with its reason and changes nothing', async () => {
    const { send } = await setup();
    await send({ type: 'start' });
    const r = await send({ type: 'message', text: 'hi', token: await token('julie@example.com', T0, 'another-secret-that-is-long-enough-32b') });
    expect(r.trusted).toBe(false);
    expect(r.outputs.find((o) => o.type === 'notice')).toMatchObject({ code: 'token_rejected', detail: { reason: 'signature_invalid' } });
    expect(r.state.identity.status).toBe('anonymous');
  });

  it('an expired token is rejected at the edge with the clock passed in', async () => {
    const { send } = await setup();
    await send({ type: 'start' });
    const r = await send({ type: 'authenticate', token: await token('julie@example.com', T0, SECRET, 60) }, T0 + 3_600_000);
    expect(r.outputs.find((o) => o.type === 'notice')).toMatchObject({ detail: { reason: 'expired' } });
  });

  it('a pre-verified result from the caller is never believed', async () => {
    const { send } = await setup();
    await send({ type: 'start' });
    const forged = { ok: true, identity: { email: 'julie@example.com', phone: null, name: 'J', subject: null, issuer: null, issuedAt: 0, expiresAt: 9e9, kid: null, alg: 'HS256', jti: null } };
    const r = await send({ type: 'authenticate', token: forged });
    expect(r.state.identity.status).toBe('anonymous');
    expect(r.outputs.find((o) => o.type === 'notice')).toMatchObject({ detail: { reason: 'malformed' } });
    const r2 = await send({ type: 'identify', user: { email: 'julie@example.com' }, profile: { id: 'someone-else' } });
    expect(r2.state.profile.id).toBe('julie');
  });

  it("looks the profile up by the token's subject as external id", async () => {
    const { directory, send } = await setup();
    await directory.create({ id: 'cust', name: 'C', emails: [], phones: [], externalId: 'cust-42' });
    await send({ type: 'start' });
    const t = await signUserIdentity({ email: 'unknown@example.com', sub: 'cust-42' }, { alg: 'HS256', secret: SECRET, kid: 'v1' }, { issuer: 'https://shop.example', audience: 'threadgate', now: new Date(T0) });
    const r = await send({ type: 'authenticate', token: t });
    expect(r.state.profile).toMatchObject({ match: 'matched', id: 'cust' });
  });

  it('a widget without JWT settings refuses tokens', async () => {
    const { send } = await setup(false);
    await send({ type: 'start' });
    const r = await send({ type: 'authenticate', token: await token('julie@example.com') });
    expect(notices(r.outputs)).toEqual(['token_rejected']);
    expect(r.outputs[0]).toMatchObject({ detail: { reason: 'jwt_not_configured' } });
  });

  it('first contact creates one profile; a second conversation meeting the same email matches it', async () => {
    const { directory, send } = await setup();
    await send({ type: 'start' });
    const r = await send({ type: 'identify', user: { name: 'Sam Poe', email: 'Sam@Example.com' } });
    expect(r.state.profile).toMatchObject({ match: 'new', id: 'new-1' });
    expect(r.created).toEqual([{ id: 'new-1', name: 'Sam Poe', emails: ['sam@example.com'], phones: [], externalId: null, attributes: {} }]);
    expect(directory.size).toBe(2);
    const other = await setup();
    // A separate directory: prove the match comes from the lookup by seeding it with the created record.
    await other.directory.create({ id: 'sam', name: 'Sam Poe', emails: ['sam@example.com'], phones: [], externalId: null });
    await other.send({ type: 'start' });
    expect((await other.send({ type: 'identify', user: { email: ' SAM@example.com' } })).state.profile).toMatchObject({ match: 'matched', id: 'sam' });
  });

  it('two conversations meeting a new customer at once end with one profile', async () => {
    const a = await setup();
    const directory = a.directory;
    const widget = a.widget;
    let n = 0;
    const deps: RuntimeDeps = { directory, verifierFor: () => null, newId: () => `race-${++n}` };
    const s0 = initialState('t', widget, new Date(T0).toISOString());
    const [s1, s2] = await Promise.all([runTurn(deps, thread, widget, s0, { type: 'start' }, new Date(T0)), runTurn(deps, thread, widget, s0, { type: 'start' }, new Date(T0))]);
    const ev: CallerEvent = { type: 'identify', user: { email: 'new@example.com' } };
    const [r1, r2] = await Promise.all([runTurn(deps, thread, widget, s1.state, ev, new Date(T0)), runTurn(deps, thread, widget, s2.state, ev, new Date(T0))]);
    expect(directory.size).toBe(2);
    expect(r1.state.profile.id).toBe(r2.state.profile.id);
  });
});
