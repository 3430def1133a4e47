// The seed scenarios (most ideal … most undesired) and the four onboarding types, through the core on the example rules.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledThread } from '../../src/core/compile.ts';
import type { CompiledWidget } from '../../src/core/compile-widget.ts';
import { loadRulesDir } from '../../src/rules/load-rules-dir.ts';
import { Conversation, actions, notices, texts, verified } from '../helpers/conversation.ts';

let thread: CompiledThread;
let widgets: ReadonlyMap<string, CompiledWidget>;
beforeAll(async () => {
  const rules = await loadRulesDir('rules');
  thread = rules.threads.get('returns')!;
  widgets = rules.widgets;
});
const open = (widget: string) => new Conversation(thread, widgets.get(widget)!);
const julie = { id: 'prof-julie', name: 'Julie Doe', emails: ['julie@example.com'], attributes: { tier: 'gold' } };

describe('seed 000: the five onboarding scenarios', () => {
  it('most ideal: logged in before the chat starts, greeted by first name, every message trusted', async () => {
    const c = open('shop-visitor');
    const r = await c.send({ type: 'start', token: verified('julie@example.com', c.now), profile: julie });
    expect(texts(r.outputs)[1]).toBe("Hi Julie! You're signed in, so I can look up your orders right away.");
    // Authenticated customers get no login link with the first message.
    expect(r.outputs[0]).not.toHaveProperty('loginUrl');
    expect(r.state.identity).toMatchObject({ status: 'authenticated', method: 'jwt', email: 'julie@example.com' });
    expect(r.state.profile).toMatchObject({ match: 'matched', id: 'prof-julie' });
    const m = await c.send({ type: 'message', text: 'order status' });
    expect(m.trusted).toBe(true);
    expect(m.trace.steps.find((s) => s.step === 'menu')!.branches!.find((b) => b.result)!.name).toBe('trusted customer');
    expect(texts(m.outputs)).toEqual(['Which order number is it about?']);
    // The pure core stops at the order lookup; the runtime (here: the test) feeds the result back.
    const d = await c.send({ type: 'message', text: 'R-10234' });
    expect(d.outputs.map((o) => o.type)).toEqual(['lookup']);
    const l = await c.send({ type: 'lookup_result', name: 'orders', status: 'ok', data: { id: 'R-10234', status: 'shipped' } });
    expect(texts(l.outputs)[0]).toBe("I've found order R-10234 on the account of julie@example.com.");
    expect(l.state.scenario).toBe('most_ideal');
  });

  it('ideal: opens the chat, follows the login link, authenticates before routing', async () => {
    const c = open('shop-visitor');
    const r = await c.send({ type: 'start' });
    expect(r.outputs[0]).toMatchObject({ type: 'message', step: null, loginUrl: 'https://shop.example.com/login?next=/help' });
    expect(r.state.scenario).toBe('visitor');
    const m1 = await c.send({ type: 'message', text: 'where is my order' });
    expect(m1.trusted).toBe(false);
    expect(actions(m1.outputs)).toEqual([{ type: 'set', slots: { topic: 'order_status' } }, { type: 'request_login', url: 'https://shop.example.com/login?next=/help', text: 'Sign in to continue' }]);
    c.advance(30);
    const a = await c.send({ type: 'authenticate', token: verified('julie@example.com', c.now), profile: julie });
    expect(a.trusted).toBeNull();
    expect(a.trace.handlers[0]).toMatchObject({ event: 'authenticated', chosen: 0 });
    expect(texts(a.outputs)).toEqual(['Thanks Julie! Now I can look at your orders.', 'Which order number is it about?']);
    const m2 = await c.send({ type: 'message', text: 'R-1' });
    expect(m2.trusted).toBe(true);
    expect(m2.state.scenario).toBe('ideal');
  });

  it('standard: identified by the form, never authenticated, routed to an agent with a note', async () => {
    const c = open('shop-form');
    await c.send({ type: 'start' });
    const f = await c.send({ type: 'submit_form', fields: { name: 'Julie Doe', email: ' Julie@Example.com ' }, profile: julie });
    expect(f.state.identity).toMatchObject({ status: 'identified', method: 'form', email: 'julie@example.com' });
    expect(f.state.profile.match).toBe('matched');
    expect(texts(f.outputs)[0]).toBe("Hi Julie! I can help with returns and orders. For order details I'll need you to sign in.");
    const m = await c.send({ type: 'message', text: 'order status' });
    expect(m.trusted).toBe(false);
    expect(actions(m.outputs)).toEqual([
      { type: 'set', slots: { topic: 'order_status' } },
      {
        type: 'handoff',
        queue: 'returns',
        note: "Identified as julie@example.com by form, not verified by a token: confirm the customer's identity before sharing order details.",
      },
    ]);
    expect(m.state).toMatchObject({ routed: true, status: 'handed_off', scenario: 'standard' });
  });

  it('undesired: identified, routed, then logs in with the same email', async () => {
    const c = open('shop-form');
    await c.send({ type: 'start' });
    await c.send({ type: 'submit_form', fields: { name: 'Julie Doe', email: 'julie@example.com' }, profile: julie });
    await c.send({ type: 'message', text: 'order status' });
    expect(c.state.routed).toBe(true);
    const before = await c.send({ type: 'message', text: 'hello agent' });
    expect(before.trusted).toBe(false);
    const a = await c.send({ type: 'authenticate', token: verified('julie@example.com', c.now), profile: julie });
    expect(notices(a.outputs)).toEqual([]);
    expect(a.state.scenario).toBe('undesired');
    expect(a.state.profile).toMatchObject({ match: 'matched', id: 'prof-julie' });
    // The agent has the conversation: the thread stays quiet, but the customer's messages are now trusted.
    expect(a.outputs).toEqual([]);
    expect((await c.send({ type: 'message', text: 'it is me' })).trusted).toBe(true);
  });

  it('most undesired: identified as one email, authenticated as another: a different customer', async () => {
    const c = open('shop-optional');
    await c.send({ type: 'start' });
    await c.send({ type: 'submit_form', fields: { name: 'Julie Doe', email: 'julie@example.com' }, profile: julie });
    const a = await c.send({ type: 'authenticate', token: verified('jules@work.example', c.now, 600, { name: 'Jules Roe' }), profile: null });
    expect(notices(a.outputs)).toEqual(['profile_conflict']);
    expect(a.state.identity).toMatchObject({ status: 'authenticated', email: 'jules@work.example', name: 'Jules Roe' });
    expect(a.state.profile).toMatchObject({ match: 'conflict', id: 'p1', email: 'jules@work.example' });
    expect(a.outputs.find((o) => o.type === 'effect')).toMatchObject({ effect: 'create_profile', profile: { emails: ['jules@work.example'] } });
    expect(a.trace.handlers.map((h) => h.event)).toEqual(['conflict']);
    expect(texts(a.outputs)[0]).toBe("You've signed in as a different account than the one you gave earlier, so I'll help you as jules@work.example.");
    expect(a.state.scenario).toBe('most_undesired');
    expect(a.state.tags).toContain('identity_conflict');
  });
});

describe('seed 002: the four onboarding types', () => {
  it('none: visitors chat at once and cannot request a transcript or rate', async () => {
    const c = open('shop-visitor');
    const r = await c.send({ type: 'start' });
    expect(r.state).toMatchObject({ status: 'active', step: 'ask_topic', scenario: 'visitor' });
    expect(notices((await c.send({ type: 'request_transcript' })).outputs)).toEqual(['visitor_not_allowed']);
    expect(notices((await c.send({ type: 'rate', score: 5 })).outputs)).toEqual(['visitor_not_allowed']);
    expect(notices((await c.send({ type: 'submit_form', fields: { name: 'A', email: 'a@b.co' } })).outputs)).toEqual(['form_not_offered']);
  });

  it('code: no conversation without identity from code or token', async () => {
    const c = open('shop-portal');
    const r = await c.send({ type: 'start' });
    expect(notices(r.outputs)).toEqual(['identity_required']);
    expect(r.state.status).toBe('pending');
    // No greeting for a chat that cannot start; it comes once the customer is identified.
    expect(r.outputs.filter((o) => o.type === 'message')).toHaveLength(0);
    expect(notices((await c.send({ type: 'message', text: 'hello?' })).outputs)).toEqual(['identity_required']);
    const i = await c.send({ type: 'identify', user: { name: 'Julie Doe', email: 'julie@example.com' }, profile: julie });
    expect(i.state).toMatchObject({ status: 'active', step: 'ask_topic' });
    expect(i.state.identity).toMatchObject({ status: 'identified', method: 'code' });
    expect(texts(i.outputs).slice(0, 2)).toEqual(['Welcome back to Retalé support, Julie.', "Hi Julie! I can help with returns and orders. For order details I'll need you to sign in."]);
    const t = await c.send({ type: 'request_transcript' });
    expect(actions(t.outputs)).toEqual([{ type: 'send_transcript', email: 'julie@example.com', phone: null }]);
  });

  it('code: a token at start works too', async () => {
    const c = open('shop-portal');
    const r = await c.send({ type: 'start', token: verified('julie@example.com', c.now) });
    expect(r.state.status).toBe('active');
    expect(texts(r.outputs)[0]).toBe('Welcome back to Retalé support, Julie.');
  });

  it('form: the form comes before anything else; messages before it get the form again', async () => {
    const c = open('shop-form');
    const r = await c.send({ type: 'start' });
    expect(actions(r.outputs)).toEqual([{ type: 'request_form', fields: ['name', 'email', 'phone'], required: true, text: 'Sign in, or tell us who you are to start.' }]);
    expect(texts(r.outputs)).toEqual(['Welcome to Retalé support!']);
    expect(r.state).toMatchObject({ status: 'pending', waiting: { kind: 'form' } });
    const m = await c.send({ type: 'message', text: 'I need help' });
    expect(notices(m.outputs)).toEqual(['form_required']);
    expect(actions(m.outputs)[0]).toMatchObject({ type: 'request_form', required: true });
    expect(notices((await c.send({ type: 'skip_form' })).outputs)).toEqual(['form_required']);
    const bad = await c.send({ type: 'submit_form', fields: { name: 'Julie', email: 'julie@' } });
    expect(notices(bad.outputs)).toEqual(['form_invalid']);
    expect(bad.outputs.find((o) => o.type === 'notice')).toMatchObject({ detail: { fields: { email: 'not an email address' } } });
    expect(bad.state.status).toBe('pending');
    const noName = await c.send({ type: 'submit_form', fields: { phone: '(415) 555-0132' } });
    expect(noName.outputs.find((o) => o.type === 'notice')).toMatchObject({ detail: { fields: { name: 'a name is required' } } });
    const ok = await c.send({ type: 'submit_form', fields: { name: 'Julie Doe', phone: '(415) 555-0132' }, profile: null });
    expect(ok.state.identity).toMatchObject({ status: 'identified', method: 'form', phone: '+14155550132' });
    expect(ok.state.profile).toMatchObject({ match: 'new', phone: '+14155550132' });
    expect(ok.state).toMatchObject({ status: 'active', onboarding: { completed: true } });
  });

  it('form: a token skips the form (JWT works with every onboarding type)', async () => {
    const c = open('shop-form');
    const r = await c.send({ type: 'start', token: verified('julie@example.com', c.now) });
    expect(actions(r.outputs).filter((a) => a.type === 'request_form')).toEqual([]);
    expect(r.state.status).toBe('active');
  });

  it('optional_form: chat at once, the form stays available and may be filled later', async () => {
    const c = open('shop-optional');
    const r = await c.send({ type: 'start' });
    expect(actions(r.outputs)[0]).toMatchObject({ type: 'request_form', required: false });
    expect(r.state.status).toBe('active');
    const s = await c.send({ type: 'skip_form' });
    expect(s.state.onboarding.skipped).toBe(true);
    const f = await c.send({ type: 'submit_form', fields: { name: 'Julie Doe', email: 'julie@example.com' }, profile: julie });
    expect(f.state.identity.status).toBe('identified');
    expect(f.state.onboarding).toMatchObject({ completed: true, skipped: false });
    expect(actions((await c.send({ type: 'rate', score: 4, comment: 'quick' })).outputs)).toEqual([{ type: 'rating', score: 4, comment: 'quick' }]);
  });
});

describe('trust over time', () => {
  it('after exp messages are untrusted until a fresh token arrives; trust is never retroactive', async () => {
    const c = open('shop-visitor');
    await c.send({ type: 'start', token: verified('julie@example.com', c.now, 120) });
    expect((await c.send({ type: 'message', text: 'order status' })).trusted).toBe(true);
    c.advance(119);
    expect((await c.send({ type: 'message', text: 'R-1' })).trusted).toBe(true);
    c.advance(1);
    const late = await c.send({ type: 'message', text: 'yes' });
    expect(late.trusted).toBe(false);
    expect(late.state.identity.status).toBe('authenticated');
    const fresh = await c.send({ type: 'message', text: 'still me', token: verified('julie@example.com', c.now, 300) });
    expect(fresh.trusted).toBe(true);
    expect(fresh.trace.identity.change).toBe('authenticated');
    // The handler moved the thread; the message's text is not taken as an answer to the new step.
    expect(fresh.trace.steps.map((s) => s.via)).toEqual(['handler', 'goto']);
    expect(fresh.trace.steps.some((s) => s.answer)).toBe(false);
  });

  it('a rejected token changes nothing and is reported so the bot can ask to log in again', async () => {
    const c = open('shop-visitor');
    await c.send({ type: 'start' });
    const before = c.state.identity;
    const r = await c.send({ type: 'authenticate', token: { ok: false, reason: 'signature_invalid' } });
    expect(r.state.identity).toEqual(before);
    expect(r.outputs[0]).toMatchObject({ type: 'notice', code: 'token_rejected', detail: { reason: 'signature_invalid' } });
    expect(r.trace.identity.rejection).toBe('signature_invalid');
    expect(actions(r.outputs)).toEqual([{ type: 'request_login', url: 'https://shop.example.com/login?next=/help', text: null }]);
    const m = await c.send({ type: 'message', text: 'hi', token: { ok: false, reason: 'expired' } });
    expect(m.trusted).toBe(false);
  });

  it('an expired identity passed by mistake is refused by the core too', async () => {
    const c = open('shop-visitor');
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'authenticate', token: verified('julie@example.com', c.now - 700_000, 600) });
    expect(notices(r.outputs)).toEqual(['token_rejected']);
    expect(r.state.identity.status).toBe('anonymous');
  });

  it('logout mid-chat: back to anonymous, profile and answers un-associated, later messages untrusted', async () => {
    const c = open('shop-visitor');
    await c.send({ type: 'start', token: verified('julie@example.com', c.now), profile: julie });
    await c.send({ type: 'message', text: 'order status' });
    await c.send({ type: 'message', text: 'R-1' });
    expect(c.state.slots.order).toBe('R-1');
    const r = await c.send({ type: 'clear_user' });
    expect(r.state.identity).toMatchObject({ status: 'anonymous', method: 'none', email: null, party: 1 });
    expect(r.state.profile.match).toBe('none');
    expect(r.state.slots).toEqual({});
    expect(texts(r.outputs)[0]).toBe("You've signed out. I can still help with general questions, but not with order details.");
    expect((await c.send({ type: 'message', text: '1' })).trusted).toBe(false);
  });

  it('logout on a code widget holds the conversation until the website identifies the next customer', async () => {
    const c = open('shop-portal');
    await c.send({ type: 'start', user: { name: 'Julie Doe', email: 'julie@example.com' } });
    const r = await c.send({ type: 'clear_user' });
    expect(r.state.status).toBe('pending');
    expect(notices(r.outputs)).toEqual(['identity_required']);
    const i = await c.send({ type: 'identify', user: { name: 'Sam Poe', email: 'sam@example.com' } });
    expect(i.state).toMatchObject({ status: 'active', identity: { email: 'sam@example.com' } });
  });

  it('identity by code never replaces a verified identity', async () => {
    const c = open('shop-visitor');
    await c.send({ type: 'start', token: verified('julie@example.com', c.now) });
    const r = await c.send({ type: 'identify', user: { email: 'mallory@example.com' } });
    expect(notices(r.outputs)).toEqual(['identity_ignored']);
    expect(r.state.identity.email).toBe('julie@example.com');
  });
});
