// Lookup steps in the core: the request output, the wait, the result as a fact and a branch, and the compile checks.
import { describe, expect, it } from 'vitest';
import { isThreadgateError } from '../../src/core/errors.ts';
import { Conversation, errors, texts, threadFrom, verified, widgetFor } from '../helpers/conversation.ts';

const thread = (lookupExtra = '', stepExtra = '') => `id: lk
start: fetch
lookups:
  orders:
    url: "https://orders.example/v1/{{auth.email}}?q={{conversation.context.q | none}}"
    response: { type: object, properties: { count: { type: integer } }, required: [count] }
    ${lookupExtra}
steps:
  fetch:
    lookup: orders
    ${stepExtra}
    next:
      - when: { fact: lookup.orders.status, operator: equal, value: ok }
        goto: found
      - goto: failed
  found: { say: "You have {{lookup.orders.data.count}} orders." }
  failed: { say: "No luck: {{lookup.orders.error}}" }
`;

async function started(trusted: boolean, yaml = thread()) {
  const t = threadFrom(yaml);
  const c = new Conversation(t, widgetFor(t.id));
  const r = await c.send({ type: 'start', context: { q: 'a b&c' }, ...(trusted ? { token: verified('ju lie@example.com', c.now) } : {}) });
  return { c, r };
}

describe('lookup step', () => {
  it('asks the runtime for the lookup with URL-encoded values and waits', async () => {
    const { c, r } = await started(true);
    expect(r.outputs).toEqual([
      {
        type: 'lookup',
        step: 'fetch',
        name: 'orders',
        request: { url: 'https://orders.example/v1/ju%20lie%40example.com?q=a%20b%26c', method: 'GET', body: null, timeoutMs: 3000, retries: 2, maxBytes: 65536 },
        response: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
      },
    ]);
    expect(c.state.waiting).toEqual({ kind: 'lookup', step: 'fetch', name: 'orders' });
  });

  it('continues with the result in the same turn: a fact, a branch and a trace entry', async () => {
    const { c } = await started(true);
    const r = await c.send({ type: 'lookup_result', name: 'orders', status: 'ok', data: { count: 3 } });
    expect(texts(r.outputs)).toEqual(['You have 3 orders.']);
    expect(c.state.lookups.orders).toEqual({ status: 'ok', data: { count: 3 }, error: null });
    expect(c.state.turn).toBe(1);
    expect(r.trace.steps[0]).toMatchObject({ step: 'fetch', via: 'lookup', lookup: { name: 'orders', status: 'ok', error: null }, chosen: 0 });
  });

  it('turns a failure, or a response that breaks the declared schema, into an error branch', async () => {
    const a = await started(true);
    expect(texts((await a.c.send({ type: 'lookup_result', name: 'orders', status: 'error', error: 'timeout' })).outputs)).toEqual(['No luck: timeout']);
    const b = await started(true);
    expect(texts((await b.c.send({ type: 'lookup_result', name: 'orders', status: 'ok', data: { count: 'x' } })).outputs)).toEqual(['No luck: invalid_response']);
    expect(b.c.state.lookups.orders).toEqual({ status: 'error', data: null, error: 'invalid_response' });
  });

  it('is never requested for an untrusted customer when trustedOnly (the default)', async () => {
    const { c, r } = await started(false);
    expect(r.outputs.some((o) => o.type === 'lookup')).toBe(false);
    expect(texts(r.outputs)).toEqual(['No luck: untrusted']);
    expect(c.state.waiting).toBeNull();
  });

  it('is requested for anyone with trustedOnly: false, with a POST body', async () => {
    const { r } = await started(false, thread('trustedOnly: false\n    method: POST\n    body: { page: "{{conversation.context.q}}" }'));
    expect(r.outputs[0]).toMatchObject({ type: 'lookup', request: { method: 'POST', body: { page: 'a b&c' } } });
  });

  it('refuses a result for another lookup, or when none is awaited, as event_invalid', async () => {
    const { c } = await started(true);
    const before = c.state;
    const r = await c.send({ type: 'lookup_result', name: 'other', status: 'ok', data: {} });
    expect(errors(r.outputs)).toEqual(['event_invalid']);
    expect(r.state).toBe(before);
    await c.send({ type: 'lookup_result', name: 'orders', status: 'ok', data: { count: 1 } });
    expect(errors((await c.send({ type: 'lookup_result', name: 'orders', status: 'ok', data: { count: 1 } })).outputs)).toEqual(['event_invalid']);
  });

  it('forgets results on clear_user: they belong to the previous customer', async () => {
    const { c } = await started(true);
    await c.send({ type: 'lookup_result', name: 'orders', status: 'ok', data: { count: 3 } });
    await c.send({ type: 'clear_user' });
    expect(c.state.lookups).toEqual({ orders: { status: 'error', data: null, error: 'untrusted' } });
  });
});

describe('lookup compile checks', () => {
  const codes = (yaml: string) => {
    try {
      threadFrom(yaml);
      return [];
    } catch (err) {
      return isThreadgateError(err) ? err.issues.map((i) => `${i.code} ${i.field}`) : [String(err)];
    }
  };
  it('refuses a step naming an undeclared lookup, and a fact of one', () => {
    expect(codes(thread().replace('lookup: orders', 'lookup: ordrs'))).toEqual(['lookup_unknown steps.fetch.lookup']);
    expect(codes(thread().replace('{{lookup.orders.error}}', '{{lookup.order.error}}'))).toEqual(['lookup_unknown steps.failed.say']);
  });
  it('checks templates in the url and the body', () => {
    expect(codes(thread().replace('{{auth.email}}', '{{auth.mail}}'))).toEqual(['fact_path_unknown lookups.orders.url']);
    expect(codes(thread('method: POST\n    body: { x: "{{slots.nope}}" }'))).toEqual(['slot_unknown lookups.orders.body.x']);
  });
  it('refuses a host chosen by a placeholder and a non-http URL', () => {
    expect(codes(thread().replace('https://orders.example/', 'https://{{auth.email}}/'))).toEqual(['schema_invalid lookups.orders.url']);
    expect(codes(thread().replace('https://orders.example', 'ftp://orders.example'))).toEqual(['schema_invalid lookups.orders.url']);
  });
  it('accepts only the supported JSON Schema subset for the response', () => {
    expect(codes(thread().replace('type: integer', 'type: integer, pattern: "x"'))).toEqual(['schema_invalid lookups.orders.response.properties.count.pattern']);
    expect(codes(thread().replace('required: [count]', 'required: [total]'))).toEqual(['schema_invalid lookups.orders.response.required']);
  });
  it('refuses a body on GET and a lookup step that also asks', () => {
    expect(codes(thread('body: { x: "1" }'))).toEqual(['schema_invalid lookups.orders.body']);
    expect(codes(thread('', 'ask: { slot: s, type: text }'))).toEqual(['schema_invalid steps.fetch.lookup']);
  });
});
