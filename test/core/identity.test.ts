// Identity edge cases: who counts as the same person, profiles kept or dropped, invalid identity fields, forms.
import { describe, expect, it } from 'vitest';
import { Conversation, notices, threadFrom, verified, widgetFor } from '../helpers/conversation.ts';

const thread = threadFrom(`id: t
start: a
steps:
  a: { ask: { slot: x, type: text } }
`);
const chat = (onboarding: Parameters<typeof widgetFor>[1] = 'none', extra: Record<string, unknown> = {}) => new Conversation(thread, widgetFor('t', onboarding, extra));

describe('same person or not', () => {
  it('identified by external id only, then a token with the same subject: no conflict', async () => {
    const c = chat();
    await c.send({ type: 'start', user: { externalId: 'cust-42' } });
    const r = await c.send({ type: 'authenticate', token: verified('julie@example.com', c.now, 600, { subject: 'cust-42' }) });
    expect(notices(r.outputs)).toEqual([]);
    expect(r.trace.identity.change).toBe('authenticated');
    expect(r.state.identity.externalId).toBe('cust-42');
    expect(r.state.scenario).toBe('ideal');
  });

  it('identified by external id only, token without a subject: nothing to compare, not a conflict', async () => {
    const c = chat();
    await c.send({ type: 'start', user: { externalId: 'cust-42' } });
    const r = await c.send({ type: 'authenticate', token: verified('julie@example.com', c.now) });
    expect(r.trace.identity.change).toBe('authenticated');
  });

  it('a different subject is a different person', async () => {
    const c = chat();
    await c.send({ type: 'start', user: { externalId: 'cust-42' } });
    const r = await c.send({ type: 'authenticate', token: verified(null, c.now, 600, { subject: 'cust-7', phone: '+14155550132' }) });
    expect(notices(r.outputs)).toEqual(['profile_conflict']);
    expect(r.state.scenario).toBe('most_undesired');
  });

  it('same phone, different email: the same person', async () => {
    const c = chat();
    await c.send({ type: 'start', user: { email: 'old@example.com', phone: '+1 415 555 0132' } });
    const r = await c.send({ type: 'authenticate', token: verified('new@example.com', c.now, 600, { phone: '+14155550132' }) });
    expect(notices(r.outputs)).toEqual([]);
  });
});

describe('identify again', () => {
  it('the same customer identified again (setUser on every page load) is not a change and does not move the thread', async () => {
    const thread2 = threadFrom(`id: t2
start: a
on: { identified: b }
steps:
  a: { ask: { slot: x, type: text } }
  b: { say: moved }
`);
    const c = new Conversation(thread2, widgetFor('t2', 'code'));
    await c.send({ type: 'start', user: { email: 'julie@example.com' } });
    const r = await c.send({ type: 'identify', user: { email: 'Julie@Example.com', name: 'Julie Doe' } });
    expect(r.trace.identity.change).toBeNull();
    expect(r.outputs).toEqual([]);
    expect(r.state.identity).toMatchObject({ email: 'julie@example.com', name: 'Julie Doe' });
    expect(r.state.waiting).toEqual({ kind: 'ask', step: 'a', attempts: 0 });
    const other = await c.send({ type: 'identify', user: { email: 'sam@example.com' } });
    expect(other.trace.identity.change).toBe('identified');
    expect(other.outputs).toEqual([{ type: 'message', text: 'moved', step: 'b' }]);
  });
});

describe('tokens for someone we cannot compare', () => {
  it('a valid token, then another person with no comparable key: a new authentication, not a silent refresh', async () => {
    const c = chat();
    const julie = { id: 'julie', name: 'Julie Doe', emails: ['julie@example.com'], attributes: { tier: 'gold' } };
    await c.send({ type: 'start', token: verified('julie@example.com', c.now), profile: julie });
    const r = await c.send({ type: 'authenticate', token: verified(null, c.now, 600, { phone: '+14155550132', name: 'Sam Poe' }) });
    expect(r.trace.identity.change).toBe('authenticated');
    expect(r.state.identity).toMatchObject({ email: null, phone: '+14155550132', name: 'Sam Poe' });
    expect(r.state.profile).toMatchObject({ match: 'none', id: null });
  });

  it('a name-only setUser adds the name to the identified customer', async () => {
    const c = chat();
    await c.send({ type: 'start', user: { email: 'julie@example.com' } });
    const r = await c.send({ type: 'identify', user: { name: 'Julie Doe' } });
    expect(r.trace.identity.change).toBeNull();
    expect(r.state.identity).toMatchObject({ email: 'julie@example.com', name: 'Julie Doe' });
  });

  it('the same customer identified again with a lookup fills a missing profile', async () => {
    const c = chat();
    await c.send({ type: 'start', user: { email: 'julie@example.com' } });
    const r = await c.send({ type: 'identify', user: { email: 'julie@example.com' }, profile: null });
    expect(r.outputs).toEqual([expect.objectContaining({ type: 'effect', effect: 'create_profile' })]);
    expect(r.state.profile.match).toBe('new');
  });
});

describe('profiles', () => {
  const julie = { id: 'julie', name: 'Julie Doe', emails: ['julie@example.com'], attributes: { tier: 'gold' } };

  it('a matched profile stays when the same person authenticates without a new lookup', async () => {
    const c = chat();
    await c.send({ type: 'start', user: { email: 'julie@example.com' }, profile: julie });
    const r = await c.send({ type: 'authenticate', token: verified('julie@example.com', c.now) });
    expect(r.state.profile).toMatchObject({ match: 'matched', id: 'julie', attributes: { tier: 'gold' } });
  });

  it('a matched profile is dropped when a different person is identified without a lookup', async () => {
    const c = chat();
    await c.send({ type: 'start', user: { email: 'julie@example.com' }, profile: julie });
    const r = await c.send({ type: 'identify', user: { email: 'sam@example.com' } });
    expect(r.state.profile).toMatchObject({ match: 'none', id: null });
  });
});

describe('invalid identity fields', () => {
  it('setUser with a bad email keeps the valid fields and says what it ignored', async () => {
    const c = chat();
    const r = await c.send({ type: 'start', user: { name: 'Julie', email: 'julie@', phone: '+1 415 555 0132' } });
    expect(notices(r.outputs)).toEqual(['identity_invalid']);
    expect(r.outputs.find((o) => o.type === 'notice')).toMatchObject({ detail: { fields: { email: 'not an email address' } } });
    expect(r.state.identity).toMatchObject({ status: 'identified', email: null, phone: '+14155550132' });
  });

  it('a form refuses fields it does not offer', async () => {
    const c = chat('form', { form: { fields: ['name', 'email'] } });
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'submit_form', fields: { name: 'Julie', email: 'julie@example.com', phone: '+14155550132' } });
    expect(r.outputs.find((o) => o.type === 'notice')).toMatchObject({ code: 'form_invalid', detail: { fields: { phone: 'not a field of this form' } } });
    expect(r.state.status).toBe('pending');
  });

  it.each([
    ['contact', { phone: '+14155550132' }, null],
    ['email', { phone: '+14155550132' }, { email: 'an email is required' }],
    ['phone', { email: 'a@b.co' }, { phone: 'a phone number is required' }],
  ])('form.require %s', async (require, fields, errors) => {
    const c = chat('form', { form: { require } });
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'submit_form', fields });
    if (errors) expect(r.outputs.find((o) => o.type === 'notice')).toMatchObject({ code: 'form_invalid', detail: { fields: errors } });
    else expect(r.state.status).toBe('active');
  });
});

describe('clear_user', () => {
  it('on an anonymous visitor still forgets the answers and starts a new party, without a handler', async () => {
    const c = chat();
    await c.send({ type: 'start' });
    await c.send({ type: 'message', text: 'my address is 1 Main St' });
    const r = await c.send({ type: 'clear_user' });
    expect(r.state.slots).toEqual({});
    expect(r.state.identity.party).toBe(1);
    expect(r.trace.identity.change).toBeNull();
  });

  it('on a widget without a gate, the next customer starts over instead of answering the previous question', async () => {
    const t2 = threadFrom(`id: t2
start: hello
steps:
  hello: { say: hello, next: q }
  q: { ask: { slot: secret, type: text, prompt: "Your order number?" } }
`);
    const c = new Conversation(t2, widgetFor('t2', 'optional_form'));
    await c.send({ type: 'start', user: { email: 'julie@example.com' } });
    const r = await c.send({ type: 'clear_user' });
    expect(r.outputs.filter((o) => o.type === 'message').map((o) => (o as { text: string }).text)).toEqual(['hello', 'Your order number?']);
    expect(r.state.waiting).toEqual({ kind: 'ask', step: 'q', attempts: 0 });
  });

  it('resets the scenario: the next customer has their own story', async () => {
    const c = chat();
    await c.send({ type: 'start', token: verified('julie@example.com', c.now) });
    expect(c.state.scenario).toBe('most_ideal');
    const r = await c.send({ type: 'clear_user' });
    expect(r.state.scenario).toBe('visitor');
    const s = await c.send({ type: 'identify', user: { email: 'sam@example.com' } });
    expect(s.state.scenario).toBe('standard');
  });
});
