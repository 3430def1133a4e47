// Conversation routes end to end on SQLite: seed scenarios with real tokens, idempotency, concurrency, timelines.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, buildTestApp, shopToken, type TestApp } from './helpers.ts';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.close();
});

type Json = Record<string, any>;
async function start(body: Json, headers: Json = {}): Promise<{ status: number; body: Json; headers: Json }> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: { ...auth('runtime'), ...headers }, payload: body });
  return { status: r.statusCode, body: r.json(), headers: r.headers };
}
async function turn(id: string, body: Json, headers: Json = {}, query = ''): Promise<{ status: number; body: Json; headers: Json }> {
  const r = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns${query}`, headers: { ...auth('runtime'), ...headers }, payload: body });
  return { status: r.statusCode, body: r.json(), headers: r.headers };
}
const texts = (b: Json): string[] => b.outputs.filter((o: Json) => o.type === 'message').map((o: Json) => o.text);

describe('auth and validation', () => {
  it('needs a valid API key of the right role', async () => {
    const none = await t.app.inject({ method: 'POST', url: '/v1/conversations', payload: { widgetId: 'shop-visitor' } });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'unauthorized' });
    const wrong = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: { authorization: 'Bearer tg_runtime_nope_nope_nope_nope_nope_nope' }, payload: { widgetId: 'shop-visitor' } });
    expect(wrong.statusCode).toBe(401);
    const identity = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('identity'), payload: { widgetId: 'shop-visitor' } });
    expect(identity.statusCode).toBe(403);
    expect(identity.json()).toMatchObject({ code: 'forbidden' });
  });

  it('refuses bad bodies with field paths, unknown widgets, unknown conversations', async () => {
    const bad = await start({ widgetId: 'shop-visitor', user: { email: 5 } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation_failed' });
    expect(bad.body.issues[0].field).toContain('user');
    expect((await start({ widgetId: 'nope' })).body).toMatchObject({ code: 'widget_not_found' });
    expect((await turn('nope', { type: 'message', text: 'hi' })).status).toBe(404);
    const c = await start({ widgetId: 'shop-visitor' });
    const nul = await turn(c.body.conversationId, { type: 'message', text: 'a\u0000b' });
    expect(nul.status).toBe(400);
    expect(nul.body.message).toContain('NUL');
    const badTurn = await turn(c.body.conversationId, { type: 'teleport' });
    expect(badTurn.status).toBe(400);
    expect(badTurn.body.code).toBe('validation_failed');
    // A pre-verified identity is not something a caller can send.
    const forged = await turn(c.body.conversationId, { type: 'authenticate', token: { ok: true } });
    expect(forged.status).toBe(400);
  });

  it('a code widget without identity is a clear error and stores nothing', async () => {
    const r = await start({ widgetId: 'shop-portal' });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ code: 'identity_required' });
    const report = await t.store.reports.onboarding({ from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' });
    expect(report.conversations).toBe(0);
    const bad = await start({ widgetId: 'shop-portal', token: await shopToken('julie@example.com', t.clock.now, { secret: 'another-secret-that-is-long-enough-1234567' }) });
    expect(bad.body.message).toContain('signature_invalid');
    const ok = await start({ widgetId: 'shop-portal', user: { name: 'Julie Doe', email: 'julie@example.com' } });
    expect(ok.status).toBe(201);
  });
});

describe('the seed scenarios over HTTP with real tokens', () => {
  it('most ideal', async () => {
    const s = await start({ widgetId: 'shop-visitor', token: await shopToken('julie@example.com', t.clock.now) });
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ version: 1, scenario: 'most_ideal', identity: { status: 'authenticated', method: 'jwt', trusted: true }, profile: { match: 'new' } });
    expect(texts(s.body)[1]).toBe("Hi Julie! You're signed in, so I can look up your orders right away.");
    t.clock.advance(5);
    const m = await turn(s.body.conversationId, { type: 'message', text: 'order status' });
    expect(m.body).toMatchObject({ version: 2, trusted: true });
  });

  it('ideal: logs in after opening, before routing', async () => {
    const s = await start({ widgetId: 'shop-visitor' });
    const id = s.body.conversationId;
    expect(s.body.outputs[0]).toMatchObject({ loginUrl: 'https://shop.example.com/login?next=/help' });
    expect((await turn(id, { type: 'message', text: 'order status' })).body.trusted).toBe(false);
    t.clock.advance(20);
    const a = await turn(id, { type: 'authenticate', token: await shopToken('julie@example.com', t.clock.now) });
    expect(a.body).toMatchObject({ scenario: 'ideal', identity: { trusted: true } });
    expect(texts(a.body)).toEqual(['Thanks Julie! Now I can look at your orders.', 'Which order number is it about?']);
    expect((await turn(id, { type: 'message', text: 'R-1' })).body.trusted).toBe(true);
  });

  it('standard: the form, an agent queue with a note, untrusted messages', async () => {
    const s = await start({ widgetId: 'shop-form' });
    const id = s.body.conversationId;
    expect(s.body.status).toBe('pending');
    const f = await turn(id, { type: 'submit_form', fields: { name: 'Julie Doe', email: 'julie@example.com' } });
    expect(f.body).toMatchObject({ status: 'active', identity: { status: 'identified', method: 'form' }, profile: { match: 'new' } });
    const m = await turn(id, { type: 'message', text: 'order status' });
    expect(m.body.outputs).toContainEqual(expect.objectContaining({ type: 'action', action: expect.objectContaining({ type: 'handoff', queue: 'returns' }) }));
    expect(m.body).toMatchObject({ trusted: false, scenario: 'standard', status: 'handed_off' });
  });

  it('undesired: authenticated with the same email after routing, matched to the same profile', async () => {
    const s = await start({ widgetId: 'shop-form' });
    const id = s.body.conversationId;
    const f = await turn(id, { type: 'submit_form', fields: { name: 'Julie Doe', email: 'julie@example.com' } });
    await turn(id, { type: 'message', text: 'order status' });
    const a = await turn(id, { type: 'authenticate', token: await shopToken('julie@example.com', t.clock.now) });
    expect(a.body).toMatchObject({ scenario: 'undesired', profile: { match: 'matched', id: f.body.profile.id } });
    expect((await turn(id, { type: 'message', text: 'still there?' })).body.trusted).toBe(true);
  });

  it('most undesired: authenticated as someone else; two profiles, a conflict', async () => {
    const s = await start({ widgetId: 'shop-optional' });
    const id = s.body.conversationId;
    const f = await turn(id, { type: 'submit_form', fields: { name: 'Julie Doe', email: 'julie@example.com' } });
    const a = await turn(id, { type: 'authenticate', token: await shopToken('jules@work.example', t.clock.now, { name: 'Jules Roe' }) });
    expect(a.body).toMatchObject({ scenario: 'most_undesired', profile: { match: 'conflict' } });
    expect(a.body.profile.id).not.toBe(f.body.profile.id);
    expect(a.body.outputs).toContainEqual(expect.objectContaining({ type: 'notice', code: 'profile_conflict' }));
  });
});

describe('trace, timeline and parties', () => {
  it('?explain=1 returns the trace; without it there is none', async () => {
    const s = await start({ widgetId: 'shop-visitor' }, {});
    const plain = await turn(s.body.conversationId, { type: 'message', text: 'order status' });
    expect(plain.body.trace).toBeUndefined();
    const s2 = await start({ widgetId: 'shop-visitor' });
    const explained = await turn(s2.body.conversationId, { type: 'message', text: 'order status' }, {}, '?explain=1');
    expect(explained.body.trace.steps.find((x: Json) => x.step === 'menu').branches.map((b: Json) => b.name)).toContain('trusted customer');
  });

  it('the timeline shows trusted flags; after logout the new party cannot read the earlier one', async () => {
    const s = await start({ widgetId: 'shop-visitor', token: await shopToken('julie@example.com', t.clock.now, { ttl: 60 }) });
    const id = s.body.conversationId;
    await turn(id, { type: 'message', text: 'order status' });
    t.clock.advance(120);
    await turn(id, { type: 'message', text: 'R-1' });
    await turn(id, { type: 'clear_user' });
    await turn(id, { type: 'message', text: 'hello' });
    const all = await t.app.inject({ method: 'GET', url: `/v1/conversations/${id}?party=all`, headers: auth('admin') });
    const customer = all.json().timeline.filter((e: Json) => e.from === 'customer').map((e: Json) => [e.text, e.trusted, e.party]);
    expect(customer).toEqual([
      ['order status', true, 0],
      ['R-1', false, 0],
      ['hello', false, 1],
    ]);
    const current = await t.app.inject({ method: 'GET', url: `/v1/conversations/${id}`, headers: auth('runtime') });
    expect(current.statusCode).toBe(200);
    expect(current.json().timeline.every((e: Json) => e.party === 1)).toBe(true);
    expect(current.json().timeline.map((e: Json) => e.text)).not.toContain('order status');
    const earlier = await t.app.inject({ method: 'GET', url: `/v1/conversations/${id}?party=0`, headers: auth('runtime') });
    expect(earlier.statusCode).toBe(403);
    expect(earlier.json().code).toBe('conversation_party_cleared');
  });
});

describe('idempotency and concurrency', () => {
  it('the same Idempotency-Key returns the first answer and applies nothing twice', async () => {
    const s = await start({ widgetId: 'shop-visitor' });
    const id = s.body.conversationId;
    const first = await turn(id, { type: 'message', text: 'order status' }, { 'idempotency-key': 'k-1' });
    const again = await turn(id, { type: 'message', text: 'order status' }, { 'idempotency-key': 'k-1' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replay']).toBe('true');
    const conv = await t.store.conversations.get(id);
    expect(conv!.version).toBe(2);
    expect((await t.store.conversations.timeline(id)).filter((e) => e.from === 'customer')).toHaveLength(1);
    const reused = await turn(id, { type: 'message', text: 'something else' }, { 'idempotency-key': 'k-1' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    const badKey = await turn(id, { type: 'message', text: 'x' }, { 'idempotency-key': 'spaces are not allowed' });
    expect(badKey.status).toBe(400);
    expect(badKey.body.code).toBe('idempotency_key_invalid');
  });

  it('starting twice with one key creates one conversation', async () => {
    const a = await start({ widgetId: 'shop-visitor' }, { 'idempotency-key': 'start-1' });
    const b = await start({ widgetId: 'shop-visitor' }, { 'idempotency-key': 'start-1' });
    expect(b.body.conversationId).toBe(a.body.conversationId);
    expect(b.status).toBe(201);
    const report = await t.store.reports.onboarding({ from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' });
    expect(report.conversations).toBe(1);
  });

  it('200 simultaneous turns on one conversation: every one applied, none refused, in the order they arrived', async () => {
    const s = await start({ widgetId: 'shop-optional' });
    const id = s.body.conversationId;
    const n = 200;
    // Each message carries a token: verifying it is real asynchronous work between the read and the commit,
    // so without the queue these turns would overlap and lose the version race.
    const token = await shopToken('julie@example.com', t.clock.now);
    const results = await Promise.all(Array.from({ length: n }, (_, i) => turn(id, { type: 'message', text: `m${i}`, token }, { 'idempotency-key': `c-${i}` })));
    expect(results.map((r) => r.status)).toEqual(Array(n).fill(200));
    // One after another in arrival order: the i-th request got version i + 2 (the start is version 1).
    expect(results.map((r) => r.body.version)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    expect((await t.store.conversations.get(id))!.version).toBe(1 + n);
    const customer = (await t.store.conversations.timeline(id)).filter((e) => e.from === 'customer');
    expect(customer.map((e) => e.text)).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
    // A resend with its key answers the stored answer and applies nothing.
    const again = await turn(id, { type: 'message', text: 'm7', token }, { 'idempotency-key': 'c-7' });
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replay']).toBe('true');
    expect(again.body).toEqual(results[7]!.body);
    expect((await t.store.conversations.get(id))!.version).toBe(1 + n);
    // The metrics count them as applied, each on its first attempt.
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics', headers: auth('admin') })).body;
    expect(metrics).toMatch(/threadgate_turns_total\{kind="turn",outcome="applied"\} 200/);
    expect(metrics).not.toMatch(/outcome="version_conflict"/);
  });
});

describe('a turn stuck behind a slow one', () => {
  it('answers 503 conversation_busy with Retry-After once it waited turnWaitMs, applies nothing, and the slow turn still commits', async () => {
    await t.close();
    t = await buildTestApp({ turnWaitMs: 20 });
    const s = await start({ widgetId: 'shop-visitor' });
    const id = s.body.conversationId;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const find = t.store.profiles.find.bind(t.store.profiles);
    // The first identify hangs in the profile lookup, as a slow database would, until the test lets it go.
    t.store.profiles.find = async (keys) => {
      await released;
      return find(keys);
    };
    const slow = turn(id, { type: 'identify', user: { email: 'julie@example.com' } });
    const busy = await turn(id, { type: 'message', text: 'behind the slow one' }, { 'idempotency-key': 'b-1' });
    expect(busy.status).toBe(503);
    expect(busy.body.code).toBe('conversation_busy');
    expect(busy.headers['retry-after']).toBe('1');
    release();
    expect((await slow).status).toBe(200);
    expect((await t.store.conversations.get(id))!.version).toBe(2);
    expect((await t.store.conversations.timeline(id)).some((e) => e.text === 'behind the slow one')).toBe(false);
    // Sent again with its key once the queue is free, it applies.
    const again = await turn(id, { type: 'message', text: 'behind the slow one' }, { 'idempotency-key': 'b-1' });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(3);
  });
});

describe('a race lost again and again', () => {
  it('answers 409 version_conflict after its retries, and writes nothing', async () => {
    const s = await start({ widgetId: 'shop-visitor' });
    const id = s.body.conversationId;
    const realCommit = t.store.conversations.commitTurn.bind(t.store.conversations);
    let attempts = 0;
    // Another writer wins every time: bump the version just before each commit.
    t.store.conversations.commitTurn = async (commit) => {
      attempts += 1;
      const conv = await t.store.conversations.get(id);
      await realCommit({ ...commit, expectedVersion: conv!.version, entries: [], idempotency: null });
      return realCommit(commit);
    };
    const r = await turn(id, { type: 'message', text: 'lost' }, { 'idempotency-key': 'lost-1' });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ code: 'version_conflict' });
    expect(r.body.message).toMatch(/with the same Idempotency-Key/);
    expect(attempts).toBe(4);
    // Without a key the advice does not mention one the client never sent.
    const bare = await turn(id, { type: 'message', text: 'lost again' });
    expect(bare.status).toBe(409);
    expect(bare.body.message).not.toMatch(/same Idempotency-Key/);
    t.store.conversations.commitTurn = realCommit;
    expect((await t.store.conversations.timeline(id)).some((e) => e.text === 'lost')).toBe(false);
    expect(await t.store.conversations.getIdempotency(`turn:${id}`, 'lost-1')).toBeNull();
  });
});
