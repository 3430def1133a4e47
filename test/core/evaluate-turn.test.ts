// evaluateTurn: each step kind, branching on each fact, the auto-advance bound, traces, purity and state round trip.
import { describe, expect, it } from 'vitest';
import { evaluateTurn } from '../../src/core/evaluate-turn.ts';
import { initialState } from '../../src/core/state.ts';
import { Conversation, T0, actions, errors, notices, texts, threadFrom, verified, widgetFor } from '../helpers/conversation.ts';

const chat = (yaml: string, onboarding: Parameters<typeof widgetFor>[1] = 'none', extra: Record<string, unknown> = {}) => {
  const thread = threadFrom(yaml);
  return new Conversation(thread, widgetFor(thread.id, onboarding, extra));
};

describe('say and templates', () => {
  it('renders facts, escapes HTML and falls back to the default written in the template', async () => {
    const c = chat(`id: t
start: a
steps:
  a:
    say:
      - "Hi {{auth.firstName | there}}!"
      - "Hi {{ auth.firstName | 'dear customer' }}, turn {{conversation.turn}}, widget {{widget.id}}"
    next: b
  b:
    ask: { slot: nick, type: text, prompt: "Name?" }
    next: c
  c:
    say: "Nice to meet you, {{slots.nick}}."
`);
    const r = await c.send({ type: 'start' });
    expect(texts(r.outputs)).toEqual(['Hi there!', 'Hi dear customer, turn 1, widget w', 'Name?']);
    const r2 = await c.send({ type: 'message', text: '<b>Bob</b> & "co"' });
    expect(texts(r2.outputs)).toEqual(['Nice to meet you, &lt;b&gt;Bob&lt;/b&gt; &amp; &quot;co&quot;.']);
  });

  it('greets an authenticated customer by first name', async () => {
    const c = chat(`id: t
start: a
steps:
  a: { say: "Hi {{auth.firstName | there}}" }
`);
    const r = await c.send({ type: 'start', token: verified('julie@example.com', c.now) });
    expect(texts(r.outputs)).toEqual(['Hi Julie']);
  });
});

describe('ask', () => {
  const yaml = (type: string, extra = '') => `id: t
start: q
steps:
  q:
    ask: { slot: v, type: ${type}, prompt: "Q?", error: "Bad answer." ${extra} }
    next: done
  done:
    say: "got {{slots.v}}"
  failed:
    say: giving up
`;
  const cases: [string, string, string, string][] = [
    ['text', '', '  hello  ', 'got hello'],
    ['email', '', ' Julie@Example.COM ', 'got julie@example.com'],
    ['phone', '', '+1 415 555 0132', 'got +14155550132'],
    ['phone', ', defaultCountry: GB', '020 7946 0018', 'got +442079460018'],
    ['yes_no', '', 'Yes!', 'got true'],
    ['yes_no', '', 'nope', 'got false'],
    ['choice', ', choices: [{ id: a1, label: First, synonyms: [uno] }, second]', 'UNO', 'got a1'],
    ['choice', ', choices: [{ id: a1, label: First }, second]', '2', 'got second'],
    ['choice', ', choices: [{ id: a1, label: First }, second]', 'first', 'got a1'],
  ];
  it.each(cases)('%s%s accepts %j', async (type, extra, answer, expected) => {
    const c = chat(yaml(type, extra));
    const r0 = await c.send({ type: 'start' });
    expect(r0.outputs.find((o) => o.type === 'ask')).toMatchObject({ slot: 'v', input: type, attempt: 1 });
    const r = await c.send({ type: 'message', text: answer });
    expect(texts(r.outputs)).toEqual([expected]);
    expect(r.state.waiting).toBeNull();
  });

  it.each([
    ['text', '', '   '],
    ['email', '', 'julie@'],
    ['phone', '', '12'],
    ['yes_no', '', 'maybe'],
    ['choice', ', choices: [a, b]', '3'],
  ])('%s re-asks with the error message on %j', async (type, extra, answer) => {
    const c = chat(yaml(type, extra));
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'message', text: answer });
    expect(texts(r.outputs)).toEqual(['Bad answer.', 'Q?']);
    expect(notices(r.outputs)).toEqual(['answer_invalid']);
    expect(r.outputs.find((o) => o.type === 'ask')).toMatchObject({ attempt: 2 });
    expect(r.state.waiting).toEqual({ kind: 'ask', step: 'q', attempts: 1 });
    expect(r.state.slots).toEqual({});
  });

  it('a choice is answered by the intent of a sentence when the intent names a choice id', async () => {
    const c = chat(`id: t
start: q
intents:
  refund: { phrases: [send it back] }
steps:
  q:
    ask: { slot: v, type: choice, choices: [{ id: refund, label: Refund }, { id: status, label: Order status }] }
    next: done
  done:
    say: "got {{slots.v}}"
`);
    await c.send({ type: 'start' });
    expect(texts((await c.send({ type: 'message', text: 'I would like to send it back please' })).outputs)).toEqual(['got refund']);
    const c2 = chat(yaml('choice', ', choices: [{ id: a1, label: First }, second]'));
    await c2.send({ type: 'start' });
    expect(texts((await c2.send({ type: 'message', text: 'the other one', intent: { name: 'second', confidence: 0.9 } })).outputs)).toEqual(['got second']);
    // An intent that names no choice does not answer.
    const c3 = chat(yaml('choice', ', choices: [{ id: a1, label: First }, second]'));
    await c3.send({ type: 'start' });
    expect(notices((await c3.send({ type: 'message', text: 'hmm', intent: { name: 'weather' } })).outputs)).toEqual(['answer_invalid']);
  });

  it('goes to onFail after maxAttempts invalid answers', async () => {
    const c = chat(yaml('email', ', maxAttempts: 2, onFail: failed'));
    await c.send({ type: 'start' });
    expect(texts((await c.send({ type: 'message', text: 'x' })).outputs)).toEqual(['Bad answer.', 'Q?']);
    const r = await c.send({ type: 'message', text: 'y' });
    expect(texts(r.outputs)).toEqual(['giving up']);
    expect(r.trace.steps.map((s) => [s.step, s.via])).toEqual([
      ['q', 'answer'],
      ['failed', 'on_fail'],
    ]);
  });

  it('uses a default error message when the step has none', async () => {
    const c = chat(`id: t
start: q
steps:
  q: { ask: { slot: v, type: email } }
`);
    await c.send({ type: 'start' });
    expect(texts((await c.send({ type: 'message', text: 'nope' })).outputs)).toEqual(["That doesn't look like an email address."]);
  });
});

describe('actions', () => {
  it('returns every action as data and applies its effect on the state', async () => {
    const c = chat(`id: t
start: a
steps:
  a:
    action:
      - { type: tag, tags: [vip, returns] }
      - { type: set, slots: { plan: "gold for {{widget.id}}", count: 3, ok: true } }
      - { type: request_login, text: Sign in }
      - { type: request_form }
    next: b
  b:
    action: { type: handoff, queue: billing, note: "plan {{slots.plan}}" }
`);
    const r = await c.send({ type: 'start' });
    expect(actions(r.outputs)).toEqual([
      { type: 'tag', tags: ['vip', 'returns'] },
      { type: 'set', slots: { plan: 'gold for w', count: 3, ok: true } },
      { type: 'request_login', url: 'https://shop.example/login', text: 'Sign in' },
      { type: 'request_form', fields: ['name', 'email', 'phone'], required: false, text: null },
      { type: 'handoff', queue: 'billing', note: 'plan gold for w' },
    ]);
    expect(r.state).toMatchObject({ tags: ['vip', 'returns'], slots: { plan: 'gold for w', count: 3, ok: true }, routed: true, queue: 'billing', status: 'handed_off' });
    // After a handoff the agent has the conversation: the thread says nothing more.
    expect((await c.send({ type: 'message', text: 'hello?' })).outputs).toEqual([]);
  });

  it('set stores plain values; they are escaped only when shown', async () => {
    const c = chat(`id: t
start: q
steps:
  q:
    ask: { slot: raw, type: text }
    next: s
  s:
    action: { type: set, slots: { copy: "{{slots.raw}}" } }
    next:
      - when: { fact: slots.copy, operator: equal, value: "<b>A&B</b>" }
        goto: shown
  shown: { say: "copy={{slots.copy}}" }
`);
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'message', text: '<b>A&B</b>' });
    expect(r.state.slots.copy).toBe('<b>A&B</b>');
    expect(texts(r.outputs)).toEqual(['copy=&lt;b&gt;A&amp;B&lt;/b&gt;']);
  });

  it('start context is readable as conversation.context', async () => {
    const c = chat(`id: t
start: a
steps:
  a:
    say: "page {{conversation.context.page | unknown}}"
    next:
      - when: { fact: conversation.context.locale, operator: equal, value: fr }
        goto: fr
  fr: { say: bonjour }
`);
    const r = await c.send({ type: 'start', context: { page: '/orders', locale: 'fr' } });
    expect(texts(r.outputs)).toEqual(['page /orders', 'bonjour']);
  });

  it('end stops the thread', async () => {
    const c = chat(`id: t
start: a
on: { message: a }
steps:
  a: { say: bye, action: { type: end, reason: done } }
`);
    const r = await c.send({ type: 'start' });
    expect(actions(r.outputs)).toEqual([{ type: 'end', reason: 'done' }]);
    expect(r.state.status).toBe('ended');
    expect((await c.send({ type: 'message', text: 'still there?' })).outputs).toEqual([]);
  });
});

describe('branching', () => {
  const branchOn = (leaf: string, extraSteps = '') => `id: t
start: a
steps:
  a:
    next:
      - name: hit
        when: { all: [ ${leaf} ] }
        goto: yes
      - goto: no
  yes: { say: "yes" }
  no: { say: "no" }
${extraSteps}`;

  const startWith = async (leaf: string, event: Record<string, unknown> = { type: 'start' }, onboarding: Parameters<typeof widgetFor>[1] = 'none', steps = '') => {
    const c = chat(branchOn(leaf, steps), onboarding);
    return texts((await c.send(event)).outputs);
  };

  it('on auth', async () => {
    expect(await startWith('{ fact: auth.status, operator: equal, value: anonymous }')).toEqual(['yes']);
    expect(await startWith('{ fact: auth.trusted, operator: equal, value: true }')).toEqual(['no']);
    expect(await startWith('{ fact: auth.trusted, operator: equal, value: true }', { type: 'start', token: verified('a@b.co', T0) })).toEqual(['yes']);
    expect(await startWith('{ fact: auth.method, operator: equal, value: code }', { type: 'start', user: { email: 'a@b.co' } })).toEqual(['yes']);
  });

  it('on onboarding, widget and scenario', async () => {
    expect(await startWith('{ fact: onboarding.type, operator: equal, value: optional_form }', { type: 'start' }, 'optional_form')).toEqual(['yes']);
    expect(await startWith('{ fact: widget.onboarding, operator: in, value: [none, code] }')).toEqual(['yes']);
    expect(await startWith('{ fact: scenario, operator: equal, value: most_ideal }', { type: 'start', token: verified('a@b.co', T0) })).toEqual(['no']);
    expect(await startWith('{ fact: scenario, operator: equal, value: visitor }')).toEqual(['yes']);
  });

  it('on profile (lookup results given as data)', async () => {
    const profile = { id: 'p1', name: 'Julie Doe', emails: ['a@b.co'], attributes: { tier: 'gold' } };
    const leaf = '{ fact: profile.attributes.tier, operator: equal, value: gold }';
    expect(await startWith(leaf, { type: 'start', user: { email: 'a@b.co' }, profile })).toEqual(['yes']);
    expect(await startWith('{ fact: profile.match, operator: equal, value: matched }', { type: 'start', user: { email: 'a@b.co' }, profile })).toEqual(['yes']);
    expect(await startWith(leaf, { type: 'start' })).toEqual(['no']);
  });

  it('on conversation, message and slots', async () => {
    expect(await startWith('{ fact: conversation.turn, operator: equal, value: 1 }')).toEqual(['yes']);
    expect(await startWith('{ fact: conversation.event, operator: equal, value: start }')).toEqual(['yes']);
    expect(await startWith('{ fact: message.text, operator: equal, value: null }')).toEqual(['yes']);

    const c = chat(`id: t
start: q
steps:
  q:
    ask: { slot: answer, type: text }
    next:
      - when: { all: [ { fact: message.intent, operator: equal, value: refund }, { fact: message.confidence, operator: greaterThanInclusive, value: 0.8 } ] }
        goto: refund
      - when: { fact: slots.answer, operator: equal, value: hello }
        goto: hi
      - goto: other
  refund: { say: refund }
  hi: { say: hi }
  other: { say: other }
`);
    await c.send({ type: 'start' });
    expect(texts((await c.send({ type: 'message', text: 'money back', intent: { name: 'refund', confidence: 0.9 } })).outputs)).toEqual(['refund']);
  });

  it('first true branch wins, but every branch is evaluated and traced', async () => {
    const c = chat(`id: t
start: a
steps:
  a:
    next:
      - name: first
        when: { fact: widget.id, operator: equal, value: w }
        goto: one
      - name: second
        when: { fact: widget.id, operator: notEqual, value: zzz }
        goto: two
      - goto: three
  one: { say: one }
  two: { say: two }
  three: { say: three }
`);
    const r = await c.send({ type: 'start' });
    expect(texts(r.outputs)).toEqual(['one']);
    const step = r.trace.steps[0]!;
    expect(step.chosen).toBe(0);
    expect(step.branches!.map((b) => [b.name ?? null, b.result, b.default])).toEqual([
      ['first', true, false],
      ['second', true, false],
      [null, false, true],
    ]);
  });

  it('no branch and no default: a notice, the thread waits', async () => {
    const c = chat(`id: t
start: a
steps:
  a:
    next:
      - when: { fact: auth.trusted, operator: equal, value: true }
        goto: b
  b: { say: b }
`);
    const r = await c.send({ type: 'start' });
    expect(notices(r.outputs)).toEqual(['no_branch_matched']);
    expect(r.state.step).toBe('a');
  });
});

describe('traces', () => {
  it('shows each condition with the value seen, the operator, the expected value and the result', async () => {
    const c = chat(`id: t
start: a
conditions:
  gold: { all: [ { fact: profile.attributes.tier, operator: equal, value: gold } ] }
steps:
  a:
    next:
      - name: trusted gold
        when:
          all:
            - { fact: auth.status, operator: equal, value: authenticated, name: signed in }
            - { condition: gold, name: gold tier }
        goto: b
      - name: not anonymous
        when: { not: { fact: auth.status, operator: equal, value: anonymous } }
        goto: b
      - goto: c
  b: { say: b }
  c: { say: c }
`);
    const r = await c.send({ type: 'start' });
    const [b0, b1, b2] = r.trace.steps[0]!.branches!;
    expect(b0!.result).toBe(false);
    expect(b0!.condition).toMatchObject({
      kind: 'all',
      result: false,
      children: [
        { kind: 'fact', name: 'signed in', fact: 'auth', path: 'status', operator: 'equal', expected: 'authenticated', actual: 'anonymous', result: false, evaluated: true },
        { kind: 'condition', condition: 'gold', name: 'gold tier', result: false },
      ],
    });
    // profile.attributes.tier is missing on an anonymous visitor: false, and the trace says why (or that it was skipped).
    const gold = (b0!.condition as { children: { child?: { children: { note?: string }[] } }[] }).children[1]!.child!.children[0]!;
    expect(gold.note).toMatch(/missing value|not evaluated/);
    expect(b1!.condition).toMatchObject({ kind: 'not', result: false, children: [{ kind: 'fact', actual: 'anonymous', result: true }] });
    expect(b2).toMatchObject({ default: true, result: true });
    expect(r.trace.steps[0]!.chosen).toBe(2);
  });

  it('a missing value makes even negative operators false, with the reason in the trace', async () => {
    const c = chat(`id: t
start: a
steps:
  a:
    next:
      - when: { fact: profile.attributes.tier, operator: notEqual, value: gold }
        goto: b
      - goto: c
  b: { say: b }
  c: { say: c }
`);
    const r = await c.send({ type: 'start' });
    expect(texts(r.outputs)).toEqual(['c']);
    const leaf = r.trace.steps[0]!.branches![0]!.condition!;
    expect(leaf).toMatchObject({ kind: 'fact', result: false, evaluated: true });
    expect((leaf as { note: string }).note).toContain('missing value');
  });

  it('records the identity change, the event and the trust of the message', async () => {
    const c = chat(`id: t
start: a
steps:
  a: { ask: { slot: x, type: text } }
`);
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'message', text: 'hi', token: verified('a@b.co', c.now) });
    expect(r.trace).toMatchObject({
      event: 'message',
      turn: 2,
      identity: { before: { status: 'anonymous', method: 'none' }, after: { status: 'authenticated', method: 'jwt' }, change: 'authenticated', rejection: null },
      trusted: true,
    });
  });
});

describe('the auto-advance bound', () => {
  it('a loop without input ends in a clear error output, never a hang', async () => {
    const c = chat(`id: t
start: a
limits: { maxAutoSteps: 10 }
steps:
  a: { say: tick, next: b }
  b: { next: a }
`);
    const r = await c.send({ type: 'start' });
    expect(errors(r.outputs)).toEqual(['loop_limit']);
    // The error names the last step entered, not the one it refused to enter.
    expect(r.outputs.find((o) => o.type === 'error')).toMatchObject({ step: 'b' });
    expect(texts(r.outputs)).toHaveLength(5);
    expect(r.trace.steps).toHaveLength(10);
    expect(r.state.waiting).toBeNull();
  });

  it('defaults to 50 steps', async () => {
    const c = chat(`id: t
start: a
steps:
  a: { next: a }
`);
    const r = await c.send({ type: 'start' });
    expect(errors(r.outputs)).toEqual(['loop_limit']);
    expect(r.trace.steps).toHaveLength(50);
  });
});

describe('purity', () => {
  const yaml = `id: t
start: a
steps:
  a:
    say: "Hi {{auth.firstName | there}}"
    action: { type: handoff, queue: q }
`;

  it('does not touch the input state, and the same input gives the same result', async () => {
    const thread = threadFrom(yaml);
    const widget = widgetFor('t');
    const state = initialState('t', widget, '2026-11-23T10:00:00.000Z');
    const frozen = JSON.stringify(state);
    deepFreeze(state);
    const ctx = () => {
      let n = 0;
      return { now: '2026-11-23T10:00:05Z', newId: () => `id${++n}`, widget };
    };
    const r1 = await evaluateTurn(thread, state, { type: 'start', user: { email: 'a@b.co' }, profile: null }, ctx());
    const r2 = await evaluateTurn(thread, state, { type: 'start', user: { email: 'a@b.co' }, profile: null }, ctx());
    expect(JSON.stringify(state)).toBe(frozen);
    expect(r2).toEqual(r1);
    // Outputs are data: a handoff and a profile creation come back, nothing is done.
    expect(r1.outputs.map((o) => o.type)).toEqual(['effect', 'message', 'action']);
    expect(r1.outputs[0]).toEqual({ type: 'effect', effect: 'create_profile', profile: { id: 'id1', name: null, emails: ['a@b.co'], phones: [], externalId: null } });
  });

  it('state survives a JSON round trip between every turn', async () => {
    const thread = threadFrom(`id: t
start: q
steps:
  q:
    ask: { slot: n, type: yes_no }
    next:
      - when: { fact: slots.n, operator: equal, value: true }
        goto: done
      - goto: q
  done: { say: "ok {{auth.email}}" }
`);
    const widget = widgetFor('t');
    const events = [{ type: 'start' }, { type: 'message', text: 'no' }, { type: 'identify', user: { email: 'A@b.co', name: 'Al' } }, { type: 'message', text: 'yes' }];
    let a = initialState('t', widget, new Date(T0).toISOString());
    let b = JSON.parse(JSON.stringify(a));
    for (const [i, ev] of events.entries()) {
      const ctx = { now: new Date(T0 + i * 1000), newId: () => 'x', widget };
      const ra = await evaluateTurn(thread, a, ev, ctx);
      const rb = await evaluateTurn(thread, b, ev, ctx);
      expect(rb).toEqual(ra);
      a = ra.state;
      b = JSON.parse(JSON.stringify(rb.state));
      expect(b).toEqual(a);
    }
    expect(a.slots).toEqual({ n: true });
  });

  it('bad events and foreign states are error outputs, not exceptions', async () => {
    const thread = threadFrom(yaml);
    const widget = widgetFor('t');
    const state = initialState('t', widget, new Date(T0).toISOString());
    const ctx = { now: new Date(T0), newId: () => 'x', widget };
    const bad = await evaluateTurn(thread, state, { type: 'teleport' }, ctx);
    expect(errors(bad.outputs)).toEqual(['event_invalid']);
    expect(bad.state).toBe(state);
    const bad2 = await evaluateTurn(thread, state, { type: 'message' }, ctx);
    expect(bad2.outputs[0]).toMatchObject({ code: 'event_invalid', message: expect.stringContaining('text') });
    const foreign = await evaluateTurn(thread, { ...state, threadId: 'other' }, { type: 'start' }, ctx);
    expect(errors(foreign.outputs)).toEqual(['state_invalid']);
    const noClock = await evaluateTurn(thread, state, { type: 'start' }, { ...ctx, now: 'not a date' });
    expect(errors(noClock.outputs)).toEqual(['state_invalid']);
  });

  it('refuses events before start and after close', async () => {
    const c = chat(yaml);
    expect(notices((await c.send({ type: 'message', text: 'hi' })).outputs)).toEqual(['not_started']);
    expect(c.state.turn).toBe(0);
    await c.send({ type: 'start' });
    expect(notices((await c.send({ type: 'start' })).outputs)).toEqual(['already_started']);
    await c.send({ type: 'close' });
    expect(c.state.status).toBe('closed');
    expect(notices((await c.send({ type: 'message', text: 'hi' })).outputs)).toEqual(['conversation_closed']);
  });
});

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
