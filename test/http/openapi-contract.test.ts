// The served OpenAPI document against the service: every operation is complete, and real answers validate against it.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, shopToken, type TestApp } from './helpers.ts';

type Json = Record<string, any>;
let t: TestApp;
let spec: Json;
beforeAll(async () => {
  t = await buildTestApp();
  spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});
afterAll(async () => {
  await t.close();
});

const operations = (): { key: string; op: Json }[] =>
  Object.entries(spec.paths as Json).flatMap(([path, ops]) => Object.entries(ops as Json).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op: op as Json })));

/** Checks an answer against the document's response for its status (the exact code, else its range). */
function checkAnswer(method: string, path: string, status: number, body: unknown): void {
  const responses = spec.paths[path][method.toLowerCase()].responses as Json;
  const documented = responses[String(status)] ?? responses[`${String(status)[0]}XX`];
  expect(documented, `${method} ${path} answered ${status}, which the document does not list`).toBeDefined();
  const schema = documented.content?.['application/json']?.schema;
  if (!schema) return expect(body).toBe('');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile({ ...schema, components: spec.components });
  expect(validate(body), `${method} ${path} ${status}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
}

describe('the OpenAPI document', () => {
  it('gives every operation a unique operationId, a tag, a 2XX and a 4XX answer, and a security requirement (empty when public)', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { key, op } of operations()) {
      expect(op.tags?.length, key).toBeGreaterThan(0);
      expect(Object.keys(op.responses).some((s) => s.startsWith('2')), key).toBe(true);
      expect(op.responses['4XX'], key).toBeDefined();
      expect(Array.isArray(op.security), key).toBe(true);
    }
    expect(spec.paths['/healthz'].get.security).toEqual([]);
    expect(spec.paths['/v1/conversations'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(spec.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('documents the statuses the service answers: 201 on start and publish, 204 on a widget delete', () => {
    expect(Object.keys(spec.paths['/v1/conversations'].post.responses)).toContain('201');
    expect(Object.keys(spec.paths['/v1/threads/{id}/publish'].post.responses)).toContain('201');
    expect(Object.keys(spec.paths['/v1/widgets/{id}'].delete.responses)).toContain('204');
  });

  it('types the turn answer: outputs, identity and trusted, and the error body with its stable codes', () => {
    const answer = spec.components.schemas.TurnAnswer;
    expect(answer.required).toEqual(expect.arrayContaining(['outputs', 'identity', 'trusted', 'conversationId', 'version']));
    expect(answer.properties.identity.properties.trusted.type).toBe('boolean');
    expect(spec.components.schemas.Conversation.properties.timeline.items.$ref).toBe('#/components/schemas/TimelineEntry');
    expect(spec.components.schemas.Output.oneOf.length).toBeGreaterThanOrEqual(8);
    expect(spec.components.schemas.Error.properties.code.enum).toEqual(expect.arrayContaining(['version_conflict', 'validation_failed', 'store_unavailable']));
  });
});

describe('answers seen on a whole conversation validate against the document', () => {
  it('a visitor who logs in: start, messages, a handoff, a forged token, errors', async () => {
    const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, path: string, payload?: Json, role: 'runtime' | 'admin' = 'runtime') => {
      const r = await t.app.inject({ method, url, headers: auth(role), ...(payload ? { payload } : {}) });
      checkAnswer(method, path, r.statusCode, r.body === '' ? '' : r.json());
      return r;
    };
    const s = await call('POST', '/v1/conversations?explain=1', '/v1/conversations', { widgetId: 'shop-visitor' });
    expect(s.statusCode).toBe(201);
    const id = s.json().conversationId as string;
    const turns = `/v1/conversations/${id}/turns`;
    const path = '/v1/conversations/{id}/turns';
    await call('POST', turns, path, { type: 'message', text: 'order status' });
    t.clock.advance(20);
    const a = await call('POST', turns, path, { type: 'authenticate', token: await shopToken('julie@example.com', t.clock.now) });
    expect(a.json()).toMatchObject({ identity: { trusted: true } });
    await call('POST', `${turns}?explain=1`, path, { type: 'message', text: 'R-1' });
    await call('POST', turns, path, { type: 'authenticate', token: 'not-a-jwt' });
    await call('POST', turns, path, { type: 'nonsense' });
    await call('POST', '/v1/conversations/nope/turns', path, { type: 'message', text: 'hi' });
    await call('POST', turns, path, { type: 'close' });
    const form = await call('POST', '/v1/conversations', '/v1/conversations', { widgetId: 'shop-form' });
    await call('POST', `/v1/conversations/${form.json().conversationId}/turns`, path, { type: 'submit_form', fields: { name: 'Julie Doe', email: 'julie@example.com' } });
    await call('POST', `/v1/conversations/${form.json().conversationId}/turns`, path, { type: 'message', text: 'order status' });
    await call('GET', `/v1/conversations/${id}`, '/v1/conversations/{id}');
    await call('GET', `/v1/conversations/${id}?party=all`, '/v1/conversations/{id}', undefined, 'admin');
    await call('GET', `/v1/conversations/${id}/timeline?limit=2`, '/v1/conversations/{id}/timeline');
    await call('GET', `/v1/conversations/${id}/timeline?party=all&after=1`, '/v1/conversations/{id}/timeline', undefined, 'admin');
    await call('GET', `/v1/conversations/${id}?party=all`, '/v1/conversations/{id}');
  });

  it('a refused request answers the error body the document describes', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/conversations', payload: { widgetId: 'shop-visitor' } });
    expect(r.statusCode).toBe(401);
    checkAnswer('POST', '/v1/conversations', 401, r.json());
    const bad = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor', user: { email: 5 } } });
    checkAnswer('POST', '/v1/conversations', 400, bad.json());
  });

  it('catches an answer that drifts from the document (the check can fail)', async () => {
    const s = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-visitor' } });
    const body = s.json();
    expect(() => checkAnswer('POST', '/v1/conversations', 201, { ...body, surprise: 1 })).toThrow();
    expect(() => checkAnswer('POST', '/v1/conversations', 201, { ...body, identity: { ...body.identity, trusted: 'yes' } })).toThrow();
    expect(() => checkAnswer('POST', '/v1/conversations', 302, body)).toThrow();
  });
});
