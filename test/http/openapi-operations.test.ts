// Every operation of the served document is driven here, to a success and to a refusal, and every answer validates against it.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_ERROR_CODES, type HttpErrorCode } from '../../src/http/error-catalogue.ts';
import { auth, buildTestApp, type TestApp } from './helpers.ts';

type Json = Record<string, any>;
type Role = 'runtime' | 'admin' | 'identity';
const THREAD = readFileSync('rules/threads/returns.yaml', 'utf8');
const WIDGET = readFileSync('rules/widgets/shop-visitor.yaml', 'utf8');
const TRANSCRIPT = 'name: saved\nsetup: { widget: shop-visitor }\nturns:\n  - customer: { message: hello }\n';
/** Operations no request can refuse here: liveness answers whatever happens; readiness refuses only a failing store or a closing app (platform.test.ts drives both). */
const NO_REFUSAL = new Set(['GET /healthz', 'GET /readyz']);

let t: TestApp;
let limited: TestApp;
let dir: string;
let spec: Json;
const ajv = new Ajv2020({ strict: false, allErrors: true });
/** What each operation answered: `METHOD /path` → statuses seen. */
const seen = new Map<string, number[]>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tg-openapi-'));
  t = await buildTestApp({ transcriptsDir: dir });
  limited = await buildTestApp({ rateLimitPerMinute: 1 });
  spec = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
});
afterAll(async () => {
  await t.close();
  await limited.close();
  await rm(dir, { recursive: true, force: true });
});

/** Calls a route, checks the answer against the document's response for its status and records it under `key`. */
async function call(key: string, url: string, opts: { role?: Role; payload?: unknown; headers?: Record<string, string>; app?: TestApp } = {}) {
  const [method, path] = key.split(' ') as [string, string];
  const r = await (opts.app ?? t).app.inject({
    method: method as 'GET',
    url,
    headers: { ...(opts.role ? auth(opts.role) : {}), ...(opts.headers ?? {}) },
    ...(opts.payload !== undefined ? { payload: opts.payload as string } : {}),
  });
  const responses = spec.paths[path]?.[method.toLowerCase()]?.responses as Json | undefined;
  expect(responses, `${key} is in the document`).toBeDefined();
  const documented = responses![String(r.statusCode)] ?? responses![`${String(r.statusCode)[0]}XX`];
  expect(documented, `${key} answered ${r.statusCode} (${r.body.slice(0, 200)}), which the document does not list`).toBeDefined();
  const content = documented.content as Json | undefined;
  if (!content) expect(r.body, `${key} ${r.statusCode} has no body`).toBe('');
  else if (content['application/json']) {
    const validate = ajv.compile({ ...content['application/json'].schema, components: spec.components });
    const body = r.json();
    expect(validate(body), `${key} ${r.statusCode} ${JSON.stringify(body).slice(0, 300)}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
  } else {
    const type = Object.keys(content)[0]!;
    expect(String(r.headers['content-type']).startsWith(type), `${key}: ${r.headers['content-type']}`).toBe(true);
  }
  seen.set(key, [...(seen.get(key) ?? []), r.statusCode]);
  return r;
}

describe('every operation, driven to a success and a refusal', () => {
  it('platform and identity routes', async () => {
    await call('GET /healthz', '/healthz');
    await call('GET /readyz', '/readyz');
    await call('GET /metrics', '/metrics');
    await call('GET /.well-known/jwks.json', '/.well-known/jwks.json');
    // One request a minute: the second of each is refused with 429 rate_limited.
    for (const key of ['GET /metrics', 'GET /.well-known/jwks.json']) {
      const url = key.split(' ')[1]!;
      await call(key, url, { app: limited });
      expect((await call(key, url, { app: limited })).statusCode).toBe(429);
    }
    await call('POST /v1/identity-tokens', '/v1/identity-tokens', { role: 'identity', payload: { type: 'email', value: 'julie@example.com' } });
    expect((await call('POST /v1/identity-tokens', '/v1/identity-tokens', { role: 'identity', payload: { type: 'phone', value: 'not a phone' } })).statusCode).toBe(422);
  });

  it('conversation routes', async () => {
    const s = await call('POST /v1/conversations', '/v1/conversations', { role: 'runtime', payload: { widgetId: 'shop-visitor' } });
    expect(s.statusCode).toBe(201);
    await call('POST /v1/conversations', '/v1/conversations', { role: 'runtime', payload: { widgetId: 'no-such-widget' } });
    await call('POST /v1/conversations', '/v1/conversations', { role: 'runtime', payload: { widgetId: 'shop-visitor' }, headers: { 'idempotency-key': 'a b' } });
    const id = s.json().conversationId as string;
    await call('POST /v1/conversations/{id}/turns', `/v1/conversations/${id}/turns`, { role: 'runtime', payload: { type: 'message', text: 'hello' } });
    await call('POST /v1/conversations/{id}/turns', '/v1/conversations/nope/turns', { role: 'runtime', payload: { type: 'message', text: 'hello' } });
    await call('POST /v1/conversations/{id}/turns', `/v1/conversations/${'x'.repeat(101)}/turns`, { role: 'runtime', payload: { type: 'message', text: 'hello' } });
    await call('GET /v1/conversations/{id}', `/v1/conversations/${id}`, { role: 'runtime' });
    await call('GET /v1/conversations/{id}', '/v1/conversations/nope', { role: 'runtime' });
    await call('GET /v1/conversations/{id}', `/v1/conversations/${id}?party=all`, { role: 'runtime' });
    await call('GET /v1/conversations/{id}/timeline', `/v1/conversations/${id}/timeline?limit=1`, { role: 'runtime' });
    await call('GET /v1/conversations/{id}/timeline', `/v1/conversations/${id}/timeline?party=9`, { role: 'admin' });
    await call('GET /v1/conversations', '/v1/conversations?limit=1', { role: 'admin' });
    await call('GET /v1/conversations', '/v1/conversations', { role: 'runtime' });
    await call('GET /v1/conversations', '/v1/conversations?cursor=forged');
  });

  it('thread routes', async () => {
    const yaml = { 'content-type': 'application/yaml' };
    await call('GET /v1/threads', '/v1/threads', { role: 'admin' });
    await call('GET /v1/threads', '/v1/threads');
    await call('GET /v1/threads/{id}/draft', '/v1/threads/never-drafted/draft', { role: 'admin' });
    await call('PUT /v1/threads/{id}/draft', '/v1/threads/returns/draft', { role: 'admin', payload: THREAD, headers: yaml });
    await call('PUT /v1/threads/{id}/draft', '/v1/threads/other/draft', { role: 'admin', payload: THREAD, headers: yaml });
    await call('PUT /v1/threads/{id}/draft', '/v1/threads/returns/draft', { role: 'admin', payload: '{ "source": ', headers: { 'content-type': 'application/json' } });
    await call('PUT /v1/threads/{id}/draft', '/v1/threads/returns/draft', { role: 'admin', payload: THREAD, headers: { 'content-type': 'image/png' } });
    await call('GET /v1/threads/{id}/draft', '/v1/threads/returns/draft', { role: 'admin' });
    await call('POST /v1/threads/{id}/validate', '/v1/threads/returns/validate', { role: 'admin' });
    await call('POST /v1/threads/{id}/validate', '/v1/threads/returns/validate', { role: 'admin', payload: 'kind: thread\nid: returns\nstart: nowhere\nsteps: {}\n', headers: yaml });
    await call('POST /v1/threads/{id}/lint', '/v1/threads/returns/lint', { role: 'admin' });
    await call('POST /v1/threads/{id}/lint', '/v1/threads/never-drafted/lint', { role: 'admin' });
    await call('POST /v1/threads/{id}/coverage', '/v1/threads/returns/coverage', { role: 'admin' });
    await call('POST /v1/threads/{id}/coverage', '/v1/threads/never-drafted/coverage', { role: 'admin' });
    expect((await call('POST /v1/threads/{id}/publish', '/v1/threads/returns/publish', { role: 'admin' })).statusCode).toBe(201);
    await call('POST /v1/threads/{id}/publish', '/v1/threads/never-drafted/publish', { role: 'admin' });
    await call('GET /v1/threads/{id}/versions', '/v1/threads/returns/versions', { role: 'admin' });
    await call('GET /v1/threads/{id}/versions', '/v1/threads/never-drafted/versions', { role: 'admin' });
    await call('GET /v1/threads/{id}/versions/{version}', '/v1/threads/returns/versions/1', { role: 'admin' });
    await call('GET /v1/threads/{id}/versions/{version}', '/v1/threads/returns/versions/999', { role: 'admin' });
    await call('GET /v1/threads/{id}/versions/{version}', '/v1/threads/returns/versions/zero', { role: 'admin' });
    await call('POST /v1/threads/{id}/rollback', '/v1/threads/returns/rollback', { role: 'admin', payload: { version: 1 } });
    await call('POST /v1/threads/{id}/rollback', '/v1/threads/returns/rollback', { role: 'admin', payload: { version: 999 } });
    await call('PUT /v1/transcripts/{name}', '/v1/transcripts/saved', { role: 'admin', payload: TRANSCRIPT, headers: yaml });
    await call('PUT /v1/transcripts/{name}', '/v1/transcripts/saved?replace=true', { role: 'admin', payload: TRANSCRIPT, headers: yaml });
    await call('PUT /v1/transcripts/{name}', '/v1/transcripts/saved', { role: 'admin', payload: TRANSCRIPT, headers: yaml });
    await call('PUT /v1/transcripts/{name}', '/v1/transcripts/broken', { role: 'admin', payload: 'turns: 5\n', headers: yaml });
  });

  it('widget, profile, report and evaluate routes', async () => {
    const yaml = { 'content-type': 'application/yaml' };
    await call('GET /v1/widgets', '/v1/widgets', { role: 'admin' });
    await call('GET /v1/widgets', '/v1/widgets', { role: 'identity' });
    await call('GET /v1/widgets/{id}', '/v1/widgets/shop-visitor', { role: 'admin' });
    await call('GET /v1/widgets/{id}', '/v1/widgets/nope', { role: 'admin' });
    await call('PUT /v1/widgets/{id}', '/v1/widgets/shop-visitor', { role: 'admin', payload: WIDGET, headers: yaml });
    await call('PUT /v1/widgets/{id}', '/v1/widgets/shop-visitor', { role: 'admin', payload: WIDGET.replace(/^thread: .*$/m, 'thread: unpublished'), headers: yaml });
    await call('PUT /v1/widgets/{id}', '/v1/widgets/shop-visitor', { role: 'admin', payload: 'kind: widget\n', headers: yaml });
    expect((await call('DELETE /v1/widgets/{id}', '/v1/widgets/shop-form', { role: 'admin' })).statusCode).toBe(204);
    await call('DELETE /v1/widgets/{id}', '/v1/widgets/shop-form', { role: 'admin' });
    await call('PUT /v1/profiles/{id}', '/v1/profiles/p-1', { role: 'admin', payload: { name: 'Julie Doe', emails: ['julie@example.com'] } });
    await call('PUT /v1/profiles/{id}', '/v1/profiles/p-2', { role: 'admin', payload: { emails: ['julie@example.com'] } });
    await call('PUT /v1/profiles/{id}', '/v1/profiles/p-2', { role: 'admin', payload: { emails: ['not an email'] } });
    await call('GET /v1/profiles', '/v1/profiles?limit=1', { role: 'admin' });
    await call('GET /v1/profiles', '/v1/profiles?limit=0', { role: 'admin' });
    await call('GET /v1/profiles/{id}', '/v1/profiles/p-1', { role: 'admin' });
    await call('GET /v1/profiles/{id}', '/v1/profiles/nobody', { role: 'admin' });
    await call('GET /v1/profiles/{id}/conversations', '/v1/profiles/p-1/conversations', { role: 'admin' });
    await call('GET /v1/profiles/{id}/conversations', '/v1/profiles/nobody/conversations', { role: 'admin' });
    await call('GET /v1/reports/onboarding', '/v1/reports/onboarding', { role: 'admin' });
    await call('GET /v1/reports/onboarding', '/v1/reports/onboarding?from=yesterday', { role: 'admin' });
    await call('POST /v1/evaluate', '/v1/evaluate', { role: 'admin', payload: { thread: THREAD, widget: WIDGET, event: { type: 'start' } } });
    await call('POST /v1/evaluate', '/v1/evaluate', { role: 'admin', payload: { thread: 'kind: thread\n', widget: WIDGET, event: { type: 'start' } } });
  });

  it('left no operation of the document undriven: each answered a success and (but for liveness and readiness) a refusal', () => {
    const keys = Object.entries(spec.paths as Json).flatMap(([path, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`));
    expect(keys.length).toBeGreaterThan(30);
    const missing = keys.flatMap((key) => {
      const statuses = seen.get(key) ?? [];
      const gaps = [];
      if (!statuses.some((s) => s < 300)) gaps.push(`${key}: no success`);
      if (!NO_REFUSAL.has(key) && !statuses.some((s) => s >= 400)) gaps.push(`${key}: no refusal`);
      return gaps;
    });
    expect(missing).toEqual([]);
  });
});

describe('per-route error codes', () => {
  const documentedCodes = (key: string): Set<string> => {
    const [method, path] = key.split(' ') as [string, string];
    const responses = spec.paths[path][method.toLowerCase()].responses as Json;
    return new Set(['4XX', '5XX'].flatMap((range) => responses[range].content['application/json'].schema.allOf[1].properties.code.enum as string[]));
  };

  it('narrow the shared Error schema to what each route can answer', () => {
    expect(documentedCodes('GET /v1/widgets/{id}')).toContain('widget_not_found');
    expect(documentedCodes('GET /v1/widgets/{id}')).not.toContain('transcript_exists');
    expect(documentedCodes('GET /healthz')).not.toContain('unauthorized');
    expect([...documentedCodes('POST /v1/conversations/{id}/turns')]).toEqual(expect.arrayContaining(['version_conflict', 'idempotency_key_reused', 'conversation_not_found', 'payload_too_large']));
  });

  it('together name every code of the catalogue', () => {
    const keys = Object.entries(spec.paths as Json).flatMap(([path, ops]) => Object.keys(ops as Json).map((m) => `${m.toUpperCase()} ${path}`));
    const all = new Set(keys.flatMap((k) => [...documentedCodes(k)]));
    // not_ready, say, belongs to /readyz: a code no route declares is a code nobody can find in the document.
    expect(HTTP_ERROR_CODES.filter((c) => !all.has(c))).toEqual([]);
  });

  it('include every code a route file raises: each `new HttpError(code)` is declared by a route of that file', () => {
    const files = [...readdirSync('src/http/routes').map((f) => `src/http/routes/${f}`), 'src/http/studio.ts'];
    const undeclared: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const raised = [...text.matchAll(/new HttpError\('([a-z_]+)'/g)].map((m) => m[1]!);
      // The declarations: `errors: [...]` in a route's config, or a named `..._ERRORS = [...]` list.
      const declared = new Set([...text.matchAll(/(?:errors: |_ERRORS = )\[([^\]]*)\]/g)].flatMap((m) => [...m[1]!.matchAll(/'([a-z_]+)'/g)].map((q) => q[1]!)));
      // Raised by every route (validation, forbidden) or shared by kind: route-errors.ts adds them.
      const shared: HttpErrorCode[] = ['validation_failed', 'forbidden', 'shutting_down'];
      for (const code of raised) if (!declared.has(code) && !shared.includes(code as HttpErrorCode)) undeclared.push(`${file}: ${code}`);
    }
    expect(undeclared).toEqual([]);
  });
});
