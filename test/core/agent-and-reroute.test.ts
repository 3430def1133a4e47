// The core's agent events (message, login request), the reroute action after a conflict that follows a handoff, and capabilities.
import { describe, expect, it } from 'vitest';
import { capabilitiesOf } from '../../src/core/capabilities.ts';
import { initialState } from '../../src/core/state.ts';
import { Conversation, T0, actions, notices, texts, threadFrom, verified, widgetFor } from '../helpers/conversation.ts';

const THREAD = threadFrom(`
id: t
start: ask
on:
  agent_message:
    - when: { fact: conversation.step, operator: equal, value: ask }
      goto: quiet
  agent_request_login: waiting
  conflict: ask
  conflict_after_handoff:
    - when: { fact: auth.trusted, operator: equal, value: true }
      goto: other
steps:
  ask:
    ask: { slot: order, type: text, prompt: Which order? }
    next: agent
  agent:
    say: Connecting you.
    action: { type: handoff, queue: returns }
  quiet:
    action: { type: handoff, queue: general }
  waiting:
    say: I'll wait while you log in.
  other:
    say: "Hi {{auth.email}}, another agent will help you."
    action: { type: reroute, queue: verified, note: "order: {{slots.order | none}}" }
`);

const chat = () => new Conversation(THREAD, widgetFor('t', 'optional_form'));
const julie = (c: Conversation, ttl = 600) => verified('julie@example.com', c.now, ttl);
const jules = (c: Conversation) => verified('jules@example.com', c.now, 600, { name: 'Jules Roe' });

describe('agent events', () => {
  it('an agent message says nothing, does not answer the ask, and runs on.agent_message while the thread runs', async () => {
    const c = chat();
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'agent_message', text: 'Hi, I am Sam' });
    expect(r.trusted).toBeNull();
    expect(r.trace.handlers).toEqual([expect.objectContaining({ event: 'agent_message', chosen: 0 })]);
    expect(actions(r.outputs)).toEqual([{ type: 'handoff', queue: 'general', note: null }]);
    expect(r.state.slots).toEqual({});
    // Handed off: handlers are quiet, the message is only a line.
    const after = await c.send({ type: 'agent_message', text: 'Still there?' });
    expect(after.outputs).toEqual([]);
    expect(after.trace.handlers).toEqual([]);
    expect(after.state.turn).toBe(3);
  });

  it("a login request sends the widget's link with the agent's words, escaped, then on.agent_request_login", async () => {
    const c = chat();
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'agent_request_login', text: 'Log in <please>' });
    expect(r.outputs[0]).toEqual({ type: 'action', step: null, action: { type: 'request_login', url: 'https://shop.example/login', text: 'Log in &lt;please&gt;' } });
    expect(texts(r.outputs)).toEqual(["I'll wait while you log in."]);
    expect(r.state.step).toBe('waiting');
  });

  it('a login request to a customer trusted already gets already_trusted and nothing else; after expiry it goes out again', async () => {
    const c = chat();
    await c.send({ type: 'start', token: julie(c, 60) });
    const r = await c.send({ type: 'agent_request_login' });
    expect(r.outputs).toEqual([{ type: 'notice', code: 'already_trusted', message: expect.any(String) }]);
    c.advance(120);
    expect(actions((await c.send({ type: 'agent_request_login' })).outputs)).toEqual([{ type: 'request_login', url: 'https://shop.example/login', text: null }]);
  });

  it('refuses empty or unknown agent fields as event_invalid', async () => {
    const c = chat();
    await c.send({ type: 'start' });
    for (const event of [{ type: 'agent_message', text: '' }, { type: 'agent_message' }, { type: 'agent_request_login', url: 'https://x' }]) {
      expect((await c.send(event)).outputs).toEqual([expect.objectContaining({ type: 'error', code: 'event_invalid' })]);
    }
  });
});

describe('a conflict after a handoff', () => {
  async function handedOff() {
    const c = chat();
    await c.send({ type: 'start' });
    await c.send({ type: 'submit_form', fields: { name: 'Julie Doe', email: 'julie@example.com' } });
    await c.send({ type: 'message', text: 'R-1' });
    expect(c.state).toMatchObject({ status: 'handed_off', queue: 'returns' });
    return c;
  }

  it('runs on.conflict_after_handoff: the thread takes the conversation back and re-routes it as a new party', async () => {
    const c = await handedOff();
    const r = await c.send({ type: 'authenticate', token: jules(c) });
    expect(notices(r.outputs)).toEqual(['profile_conflict']);
    expect(r.trace.handlers.map((h) => h.event)).toEqual(['conflict_after_handoff']);
    expect(texts(r.outputs)).toEqual(['Hi jules@example.com, another agent will help you.']);
    // The earlier customer's answer is dropped before the note is rendered.
    expect(actions(r.outputs)).toEqual([{ type: 'reroute', queue: 'verified', previousQueue: 'returns', party: 1, note: 'order: none' }]);
    expect(r.state).toMatchObject({ status: 'handed_off', queue: 'verified', routed: true, slots: {}, scenario: 'most_undesired', identity: { party: 1, email: 'jules@example.com' } });
  });

  it('does nothing more without the handler; a refused token after the handoff is no conflict at all', async () => {
    const plain = threadFrom(`
id: t
start: ask
steps:
  ask:
    ask: { slot: order, type: text }
    next: agent
  agent:
    action: { type: handoff, queue: returns }
`);
    const c = new Conversation(plain, widgetFor('t', 'optional_form'));
    await c.send({ type: 'start' });
    await c.send({ type: 'submit_form', fields: { name: 'Julie Doe', email: 'julie@example.com' } });
    await c.send({ type: 'message', text: 'R-1' });
    const r = await c.send({ type: 'authenticate', token: jules(c) });
    expect(actions(r.outputs)).toEqual([]);
    expect(r.state).toMatchObject({ status: 'handed_off', queue: 'returns', identity: { party: 0 } });

    // An expired token is refused before any comparison: identity, and so the handoff, stay as they were.
    const d = await handedOff();
    const refused = await d.send({ type: 'authenticate', token: verified('jules@example.com', d.now - 700_000, 600) });
    expect(refused.trace.handlers).toEqual([]);
    expect(refused.state.status).toBe('handed_off');
  });

  it('is not a conflict before the handoff: on.conflict runs instead', async () => {
    const c = chat();
    await c.send({ type: 'start' });
    await c.send({ type: 'submit_form', fields: { name: 'Julie Doe', email: 'julie@example.com' } });
    const r = await c.send({ type: 'authenticate', token: jules(c) });
    expect(r.trace.handlers.map((h) => h.event)).toEqual(['conflict']);
    expect(r.state.identity.party).toBe(0);
  });

  it('a reroute step stops the thread: it cannot also ask or go on', () => {
    expect(() => threadFrom(`
id: t
start: a
steps:
  a:
    action: { type: reroute, queue: q }
    next: a
`)).toThrow(/re-routes/);
  });
});

describe('capabilitiesOf', () => {
  const widget = { features: { transcript: true, rating: false }, loginUrl: 'https://shop.example/login' };
  const base = initialState('t', { id: 'w', onboarding: 'optional_form' }, new Date(T0).toISOString());
  const now = T0 / 1000;

  it('gives a visitor the form and the login link, never transcript or rating', () => {
    expect(capabilitiesOf({ ...base, status: 'active' }, widget, now)).toEqual({ transcript: false, rating: false, form: 'offered', loginUrl: 'https://shop.example/login' });
  });

  it("follows the widget's features for a known customer and hides the link while trusted", () => {
    const identity = { ...base.identity, status: 'authenticated' as const, method: 'jwt' as const, tokenExpiresAt: now + 60 };
    expect(capabilitiesOf({ ...base, status: 'active', identity }, widget, now)).toEqual({ transcript: true, rating: false, form: 'none', loginUrl: null });
    expect(capabilitiesOf({ ...base, status: 'active', identity }, widget, now + 61).loginUrl).toBe('https://shop.example/login');
  });

  it('says required while a form widget waits, none on none and code widgets, nothing once closed', () => {
    expect(capabilitiesOf({ ...base, onboarding: { ...base.onboarding, type: 'form' } }, widget, now).form).toBe('required');
    expect(capabilitiesOf({ ...base, status: 'active', onboarding: { ...base.onboarding, type: 'none', formRequested: true } }, widget, now).form).toBe('none');
    expect(capabilitiesOf({ ...base, status: 'active', onboarding: { ...base.onboarding, type: 'form', formRequested: true }, identity: { ...base.identity, status: 'identified' } }, widget, now).form).toBe('offered');
    expect(capabilitiesOf({ ...base, status: 'closed' }, widget, now)).toEqual({ transcript: false, rating: false, form: 'none', loginUrl: null });
  });
});
