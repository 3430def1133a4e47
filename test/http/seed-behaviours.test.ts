// Issue #18 over HTTP: agent events in the timeline, a profile's past conversations (route and count), capabilities and the indicator.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, buildTestApp, shopToken, startConversation, type TestApp } from './helpers.ts';

type Json = Record<string, any>;

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
  await t.store.profiles.put({ id: 'prof-julie', name: 'Julie Doe', emails: ['julie@example.com'], phones: [], externalId: null, attributes: {} }, new Date(t.clock.now).toISOString());
});
afterEach(async () => {
  await t.close();
});

const post = (id: string, payload: Json, role: 'runtime' | 'admin' = 'runtime') => t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth(role), payload });
async function turn(id: string, payload: Json): Promise<Json> {
  const r = await post(id, payload);
  expect(r.statusCode, r.body).toBe(200);
  return r.json();
}
const timeline = async (id: string): Promise<Json[]> => (await t.app.inject({ method: 'GET', url: `/v1/conversations/${id}?party=all`, headers: auth('admin') })).json().timeline;
const pastOf = (profile: string, query = '') => t.app.inject({ method: 'GET', url: `/v1/profiles/${profile}/conversations${query}`, headers: auth('admin') });
const julieStart = async () => ({ widgetId: 'shop-visitor', token: await shopToken('julie@example.com', t.clock.now, { ttl: 600 }) });

describe('agent events', () => {
  it('an agent message is a line from: agent; a login request sends the widget link with a system line', async () => {
    const id = await startConversation(t, { widgetId: 'shop-visitor' });
    // The example thread hands the conversation to an agent who writes while the bot runs (on.agent_message).
    const said = await turn(id, { type: 'agent_message', text: 'Hi, I am Sam from the returns team.' });
    expect(said.outputs).toEqual([{ type: 'action', step: 'agent_joined', action: expect.objectContaining({ type: 'handoff', queue: 'general' }) }]);
    expect(said).toMatchObject({ trusted: null, indicator: null, status: 'handed_off' });
    const asked = await turn(id, { type: 'agent_request_login', text: "Could you log in so I can see your orders?" });
    expect(asked.outputs).toEqual([
      { type: 'action', step: null, action: { type: 'request_login', url: 'https://shop.example.com/login?next=/help', text: 'Could you log in so I can see your orders?' } },
    ]);
    // The action's text is escaped for the widget; the timeline keeps what the agent typed.
    await turn(id, { type: 'agent_request_login', text: 'Log in <here> & now' });
    expect((await timeline(id)).at(-2)).toMatchObject({ from: 'agent', text: 'Log in <here> & now' });
    const lines = (await timeline(id)).filter((e) => e.turn > 1).map((e) => [e.from, e.text, e.indicator]);
    expect(lines).toEqual([
      ['agent', 'Hi, I am Sam from the returns team.', null],
      ['system', 'Handed off to queue general', null],
      ['agent', 'Could you log in so I can see your orders?', null],
      ['system', 'An agent asked the customer to log in', null],
      ['agent', 'Log in <here> & now', null],
      ['system', 'An agent asked the customer to log in', null],
    ]);
  });

  it('a login request for a customer trusted already sends nothing and says so (already_trusted)', async () => {
    const id = await startConversation(t, await julieStart());
    const r = await turn(id, { type: 'agent_request_login' });
    expect(r.outputs).toEqual([{ type: 'notice', code: 'already_trusted', message: expect.stringContaining('already authenticated') }]);
    expect((await timeline(id)).filter((e) => e.turn > 1)).toEqual([]);
  });

  it.each([
    [{ type: 'agent_message', text: '' }, 'body.text'],
    [{ type: 'agent_message', text: 'a\u0000b' }, 'body.text'],
    [{ type: 'agent_message' }, 'body.text'],
    [{ type: 'agent_request_login', text: 'x'.repeat(501) }, 'body.text'],
    [{ type: 'agent_request_login', url: 'https://evil.example' }, 'body'],
  ])('refuses %j as 400 validation_failed', async (payload, field) => {
    const id = await startConversation(t, { widgetId: 'shop-visitor' });
    const r = await post(id, payload);
    expect(r.statusCode).toBe(400);
    expect(r.json().code).toBe('validation_failed');
    expect(JSON.stringify(r.json().issues)).toContain(field);
  });
});

describe("a profile's past conversations", () => {
  it('are counted in the turn answer and listed newest first with scenario and trust, a page at a time', async () => {
    const first = await startConversation(t, { widgetId: 'shop-visitor', user: { email: 'julie@example.com' } });
    await turn(first, { type: 'close' });
    t.clock.advance(60);
    const start = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: await julieStart() });
    expect(start.json().profile).toEqual({ match: 'matched', id: 'prof-julie', pastConversations: 1 });
    const second = start.json().conversationId as string;
    expect((await turn(second, { type: 'message', text: 'order status' })).profile.pastConversations).toBe(1);
    // A visitor has no profile, hence no count.
    const visitor = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
    expect(visitor.json().profile).toEqual({ match: 'none', id: null, pastConversations: null });

    const page1 = await pastOf('prof-julie', '?limit=1');
    expect(page1.statusCode).toBe(200);
    expect(page1.json()).toMatchObject({ profileId: 'prof-julie', conversations: [{ id: second, scenario: 'most_ideal', trusted: true, trustedMessages: 1, profileId: 'prof-julie' }] });
    const page2 = await pastOf('prof-julie', `?limit=1&cursor=${page1.json().nextCursor}`);
    expect(page2.json()).toMatchObject({ conversations: [{ id: first, scenario: 'standard', trusted: false, status: 'closed' }], nextCursor: null });
  });

  it('answers 404 for an unknown profile, 400 for a bad limit or cursor, 401/403 without an admin key', async () => {
    expect((await pastOf('nobody')).json()).toMatchObject({ code: 'profile_not_found' });
    expect((await pastOf('nobody')).statusCode).toBe(404);
    for (const q of ['?limit=0', '?limit=101', '?limit=x', '?cursor=nope!', '?cursor=WyJ4Il0', '?other=1']) {
      const r = await pastOf('prof-julie', q);
      expect(r.statusCode, q).toBe(400);
      expect(r.json().code).toBe('validation_failed');
    }
    expect((await pastOf('has%20space')).statusCode).toBe(400);
    expect((await pastOf('p'.repeat(300))).json().code).toBe('not_found');
    expect((await t.app.inject({ method: 'GET', url: '/v1/profiles/prof-julie/conversations' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/v1/profiles/prof-julie/conversations', headers: auth('runtime') })).statusCode).toBe(403);
  });
});

describe('capabilities and the indicator in the turn answer', () => {
  it('tell a visitor on the optional-form widget what works, and follow the customer as they sign in', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-optional' } });
    expect(r.json().capabilities).toEqual({ transcript: false, rating: false, form: 'offered', loginUrl: 'https://shop.example.com/login?next=/help' });
    const id = r.json().conversationId as string;
    const message = await turn(id, { type: 'message', text: 'hello', token: await shopToken('julie@example.com', t.clock.now) });
    expect(message).toMatchObject({ trusted: true, indicator: 'green', capabilities: { transcript: true, rating: true, form: 'none', loginUrl: null } });
    expect(await turn(id, { type: 'close' })).toMatchObject({ indicator: null, capabilities: { transcript: false, rating: false, form: 'none', loginUrl: null } });
  });

  it('say the form is required while the form widget waits for it, and show the indicator only on messages', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-form' } });
    expect(r.json()).toMatchObject({ indicator: null, capabilities: { form: 'required', transcript: false } });
    const untrusted = await turn(r.json().conversationId, { type: 'message', text: 'hi' });
    expect(untrusted).toMatchObject({ trusted: false, indicator: null });
  });

  it('are in POST /v1/evaluate too', async () => {
    const { readFileSync } = await import('node:fs');
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/evaluate',
      headers: auth('admin'),
      payload: { thread: readFileSync('rules/threads/returns.yaml', 'utf8'), widget: readFileSync('rules/widgets/shop-visitor.yaml', 'utf8'), event: { type: 'start' } },
    });
    expect(r.statusCode).toBe(200);
    expect(r.json().capabilities).toEqual({ transcript: false, rating: false, form: 'none', loginUrl: 'https://shop.example.com/login?next=/help' });
  });
});

describe('the OpenAPI document', () => {
  it("shows the profile conversations route with its answer, and the turn answer's new fields", async () => {
    const spec = (await t.app.inject({ url: '/openapi.json' })).json();
    const route = spec.paths['/v1/profiles/{id}/conversations'].get;
    expect(route.summary).toMatch(/past conversations/);
    // Answers are components: follow a `$ref` to the schema it names.
    const deref = (s: { $ref?: string }): any => (s.$ref ? spec.components.schemas[s.$ref.split('/').at(-1)!] : s);
    const list = deref(route.responses['200'].content['application/json'].schema);
    expect(Object.keys(deref(deref(list.properties.conversations).items).properties)).toContain('trusted');
    const turns = spec.paths['/v1/conversations/{id}/turns'].post;
    const answer = deref(turns.responses['200'].content['application/json'].schema);
    expect(Object.keys(answer.properties)).toEqual(expect.arrayContaining(['indicator', 'capabilities', 'profile']));
    expect(Object.keys(answer.properties.profile.properties)).toContain('pastConversations');
    expect(JSON.stringify(turns.requestBody)).toContain('agent_request_login');
  });
});
