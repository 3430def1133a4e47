// runTurn carries out lookup outputs in the same turn against a real local server; failures become branches.
import { afterEach, describe, expect, it } from 'vitest';
import { createTokenVerifier, resolveJwtSettings, signUserIdentity } from '../../src/auth/index.ts';
import type { CompiledThread } from '../../src/core/compile.ts';
import { evaluateTurn } from '../../src/core/evaluate-turn.ts';
import type { Output } from '../../src/core/outputs.ts';
import { initialState, type ConversationState } from '../../src/core/state.ts';
import { MemoryProfileDirectory } from '../../src/profiles/memory-directory.ts';
import { executeLookup } from '../../src/runtime/lookups.ts';
import type { CallerEvent } from '../../src/runtime/caller-events.ts';
import { MAX_LOOKUPS, runTurn, type LookupExecutor, type RuntimeDeps } from '../../src/runtime/run-turn.ts';
import { json, startLocalServer, type LocalServer } from '../helpers/local-server.ts';
import { T0, errors, texts, threadFrom, widgetFor } from '../helpers/conversation.ts';

const SECRET = 'k3J9x!vQ2#pL7mZ4rT8wY1nB6cF0hD5sA';
let server: LocalServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const orderThread = (base: string) =>
  threadFrom(`id: t
start: hello
lookups:
  orders:
    url: "${base}/orders/{{slots.order}}?email={{auth.email}}"
    retries: 0
    timeoutMs: 1000
    response: { type: object, required: [status], properties: { status: { type: string } } }
steps:
  hello:
    ask: { slot: order, type: text }
    next: fetch
  fetch:
    lookup: orders
    next:
      - name: found
        when: { fact: lookup.orders.status, operator: equal, value: ok }
        goto: found
      - name: failed
        goto: failed
  found:
    say: "Order {{slots.order}} is {{lookup.orders.data.status}}"
    generate: { instructions: "Answer about order {{slots.order}}", facts: [lookup.orders.data, slots.order] }
    ask: { slot: more, type: text }
  failed:
    say: "Lookup failed: {{lookup.orders.error}}"
    ask: { slot: more, type: text }
`);

const local: LookupExecutor = (request, response) => executeLookup(request, response, { allowHosts: ['127.0.0.1'], allowPrivate: true, backoffMs: 10 });

async function setup(thread: CompiledThread, lookup: LookupExecutor | null = local) {
  const widget = widgetFor(thread.id, 'none', { jwt: { keys: [{ kid: 'v1', alg: 'HS256', secret: { env: 'S' } }], issuer: 'https://shop.example', audience: 'threadgate' } });
  const verifier = createTokenVerifier(await resolveJwtSettings(widget.jwt!, { S: SECRET }));
  const deps: RuntimeDeps = { directory: new MemoryProfileDirectory([]), verifierFor: () => verifier, newId: () => 'new-1', ...(lookup ? { lookup } : {}) };
  let state: ConversationState = initialState(thread.id, widget, new Date(T0).toISOString());
  // Loosely typed on purpose: one test sends what no typed caller could (a lookup_result).
  const send = async (event: Record<string, unknown> & { type: string }) => {
    const r = await runTurn(deps, thread, widget, state, event as CallerEvent, new Date(T0));
    state = r.state;
    return r;
  };
  return { send, widget, state: () => state, setState: (s: ConversationState) => void (state = s) };
}

const token = () => signUserIdentity({ email: 'julie@example.com', name: 'Julie Doe' }, { alg: 'HS256', secret: SECRET, kid: 'v1' }, { issuer: 'https://shop.example', audience: 'threadgate', now: new Date(T0), expiresInSeconds: 300 });
const types = (outputs: Output[]) => outputs.map((o) => o.type);

describe('runTurn with lookups', () => {
  it('runs the lookup for a trusted customer and resumes the thread in the same turn', async () => {
    server = await startLocalServer((_q, res) => json(res, 200, { status: 'shipped' }));
    const c = await setup(orderThread(server.url));
    await c.send({ type: 'start', token: await token() });
    const r = await c.send({ type: 'message', text: 'R-1' });
    expect(server.requests.map((q) => q.url)).toEqual(['/orders/R-1?email=julie%40example.com']);
    // The request stays in the outputs (the bot can say "looking up…"), followed by what the result led to.
    expect(types(r.outputs)).toEqual(['lookup', 'message', 'generate', 'ask']);
    expect(texts(r.outputs)).toEqual(['Order R-1 is shipped']);
    expect(r.outputs.find((o) => o.type === 'generate')).toMatchObject({ facts: { 'lookup.orders.data': { status: 'shipped' }, 'slots.order': 'R-1' }, trust: 'authenticated' });
    expect(r.trusted).toBe(true);
    expect(r.trace.notes).toContain('lookup orders: ok');
    // One trace for the whole turn: the step that asked, then the same step resumed by the result.
    expect(r.trace.steps.map((s) => `${s.step}:${s.via}`)).toEqual(['hello:answer', 'fetch:goto', 'fetch:lookup', 'found:goto']);
  });

  it('never calls the endpoint for a customer who is not trusted', async () => {
    server = await startLocalServer((_q, res) => json(res, 200, { status: 'shipped' }));
    const c = await setup(orderThread(server.url));
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'message', text: 'R-1' });
    expect(texts(r.outputs)).toEqual(['Lookup failed: untrusted']);
    expect(server.connections).toBe(0);
  });

  it.each([
    ['a 5xx', (res: Parameters<Parameters<typeof startLocalServer>[0]>[1]) => json(res, 503, {}), 'http_status'],
    ['a response off the schema', (res: Parameters<Parameters<typeof startLocalServer>[0]>[1]) => json(res, 200, { state: 'x' }), 'invalid_response'],
  ])('turns %s into a fact and a branch, not a crash', async (_name, answer, code) => {
    server = await startLocalServer((_q, res) => answer(res));
    const c = await setup(orderThread(server.url));
    await c.send({ type: 'start', token: await token() });
    const r = await c.send({ type: 'message', text: 'R-1' });
    expect(texts(r.outputs)).toEqual([`Lookup failed: ${code}`]);
    expect(errors(r.outputs)).toEqual([]);
    expect(c.state().step).toBe('failed');
  });

  it('treats an executor that throws as a network failure', async () => {
    const c = await setup(orderThread('https://orders.example.com'), () => {
      throw new Error('boom');
    });
    await c.send({ type: 'start', token: await token() });
    expect(texts((await c.send({ type: 'message', text: 'R-1' })).outputs)).toEqual(['Lookup failed: network']);
  });

  it('without an executor, every lookup fails as host_not_allowed', async () => {
    const c = await setup(orderThread('https://orders.example.com'), null);
    await c.send({ type: 'start', token: await token() });
    expect(texts((await c.send({ type: 'message', text: 'R-1' })).outputs)).toEqual(['Lookup failed: host_not_allowed']);
  });

  it(`calls at most ${MAX_LOOKUPS} lookups in one turn, then answers lookup_limit`, async () => {
    server = await startLocalServer((_q, res) => json(res, 200, { status: 'x' }));
    const thread = threadFrom(`id: t
start: hello
lookups:
  ping: { url: "${server.url}/ping", trustedOnly: false }
steps:
  hello:
    ask: { slot: go, type: text }
    next: probe
  probe:
    lookup: ping
    next:
      - name: again
        when: { fact: lookup.ping.status, operator: equal, value: ok }
        goto: probe
      - goto: stop
  stop:
    say: "Stopped: {{lookup.ping.error}}"
    ask: { slot: more, type: text }
`);
    const c = await setup(thread);
    await c.send({ type: 'start' });
    const r = await c.send({ type: 'message', text: 'go' });
    expect(server.requests).toHaveLength(MAX_LOOKUPS);
    expect(texts(r.outputs)).toEqual(['Stopped: lookup_limit']);
  });

  it('refuses a lookup_result sent by the caller: only the runtime may answer a lookup', async () => {
    const thread = orderThread('https://orders.example.com');
    const c = await setup(thread);
    await c.send({ type: 'start', token: await token() });
    // The pure core alone stops at the lookup, so the state really waits for this lookup's result.
    const waiting = await evaluateTurn(thread, c.state(), { type: 'message', text: 'R-1' }, { now: new Date(T0), newId: () => 'x', widget: c.widget });
    expect(waiting.state.waiting).toMatchObject({ kind: 'lookup', name: 'orders' });
    c.setState(waiting.state);
    const r = await c.send({ type: 'lookup_result', name: 'orders', status: 'ok', data: { status: 'shipped' } });
    expect(errors(r.outputs)).toEqual(['event_invalid']);
    expect(texts(r.outputs)).toEqual([]);
    expect(r.state.waiting).toMatchObject({ kind: 'lookup', name: 'orders' });
  });
});
