// The platform around the routes: health, readiness, metrics, OpenAPI and docs, security headers, limits and logs.
import { jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/server.ts';
import { openSqliteStore } from '../../src/store/sqlite/store.ts';
import type { Store } from '../../src/store/store.port.ts';
import { auth, buildTestApp, KEYS, SHOP_SECRET, shopToken, type TestApp } from './helpers.ts';

type Json = Record<string, any>;
const opened: TestApp[] = [];
async function appWith(overrides: Parameters<typeof buildTestApp>[0] = {}): Promise<TestApp> {
  const t = await buildTestApp(overrides);
  opened.push(t);
  return t;
}
afterEach(async () => {
  for (const t of opened.splice(0)) await t.close().catch(() => undefined);
});

/** A store whose ping the test controls; everything else goes to the real SQLite store. */
async function storeWithPing(ping: () => Promise<void>): Promise<Store> {
  const real = await openSqliteStore({ path: ':memory:' });
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'ping') return ping;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const post = (t: TestApp, url: string, payload: unknown, headers: Json = auth('runtime')) => t.app.inject({ method: 'POST', url, headers, payload: payload as Json });
const errorKeys = (body: Json) => Object.keys(body).sort();

/** The value of one sample line of the exposition text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('health and readiness', () => {
  it('GET /healthz answers 200 ok without a key', async () => {
    const t = await appWith();
    const r = await t.app.inject({ url: '/healthz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 while the store answers and 503 not_ready when its ping throws, without the cause', async () => {
    let down = false;
    const t = await appWith({
      store: await storeWithPing(async () => {
        if (down) throw new Error('SQLITE_CANTOPEN /srv/threadgate/data/threadgate.db');
      }),
    });
    const up = await t.app.inject({ url: '/readyz' });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({ status: 'ok' });
    down = true;
    const r = await t.app.inject({ url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ code: 'not_ready' });
    expect(errorKeys(r.json())).toEqual(['code', 'message', 'requestId']);
    expect(r.body).not.toContain('SQLITE');
    // Liveness does not depend on the database.
    expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('a readiness probe in flight when close() starts answers 503 shutting_down', async () => {
    let release!: () => void;
    let pinged!: () => void;
    const pingStarted = new Promise<void>((r) => (pinged = r));
    const t = await appWith({
      store: await storeWithPing(() => {
        pinged();
        return new Promise<void>((r) => (release = r));
      }),
    });
    const probe = t.app.inject({ url: '/readyz' });
    await pingStarted;
    const closing = t.app.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(t.app.shuttingDown.value).toBe(true);
    release();
    const r = await probe;
    await closing;
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ code: 'shutting_down' });
  });

  it('while shutting down, new requests get 503 shutting_down in our shape and liveness still answers', async () => {
    // Keep close() from finishing: one request holds the server open while a second connection asks.
    let release!: () => void;
    let pinged!: () => void;
    const pingStarted = new Promise<void>((r) => (pinged = r));
    const t = await appWith({
      store: await storeWithPing(() => {
        pinged();
        return new Promise<void>((r) => (release = r));
      }),
    });
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const held = fetch(`${url}/readyz`);
    await pingStarted;
    t.app.shuttingDown.value = true; // what the preClose hook sets; close() itself would refuse new connections
    const r = await fetch(`${url}/v1/conversations/x`, { headers: auth('runtime') });
    expect(r.status).toBe(503);
    expect(r.headers.get('connection')).toBe('close');
    const body = (await r.json()) as Json;
    expect(body.code).toBe('shutting_down');
    expect(errorKeys(body)).toEqual(['code', 'message', 'requestId']);
    // Liveness keeps answering while the instance drains.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    release();
    expect((await held).status).toBe(503);
  });
});

describe('metrics', () => {
  it('counts turns, token rejections by reason, messages by trust and HTTP answers by route pattern', async () => {
    const t = await appWith();
    const before = (await t.app.inject({ url: '/metrics' })).body;
    expect(sample(before, 'threadgate_turns_total{kind="turn",outcome="applied"}')).toBeUndefined();

    const started = await post(t, '/v1/conversations', { widgetId: 'shop-visitor' });
    expect(started.statusCode).toBe(201);
    const id = started.json().conversationId as string;
    const forged = await shopToken('julie@example.com', t.clock.now, { secret: 'another-secret-that-is-long-enough-1234567' });
    const rejected = await post(t, `/v1/conversations/${id}/turns`, { type: 'message', text: 'where is my order', token: forged });
    expect(rejected.statusCode).toBe(200);
    expect(rejected.json().outputs).toContainEqual(expect.objectContaining({ type: 'notice', code: 'token_rejected' }));
    const plain = await post(t, `/v1/conversations/${id}/turns`, { type: 'message', text: 'hello' }, { ...auth('runtime'), 'idempotency-key': 'k-1' });
    expect(plain.statusCode).toBe(200);
    // A replay is a turn outcome of its own and does not count the message twice.
    const replay = await post(t, `/v1/conversations/${id}/turns`, { type: 'message', text: 'hello' }, { ...auth('runtime'), 'idempotency-key': 'k-1' });
    expect(replay.headers['idempotent-replay']).toBe('true');
    const good = await shopToken('julie@example.com', t.clock.now);
    expect((await post(t, `/v1/conversations/${id}/turns`, { type: 'message', text: 'order 42', token: good })).json().trusted).toBe(true);
    expect((await post(t, '/v1/conversations/nope/turns', { type: 'message', text: 'hi' })).statusCode).toBe(404);
    await t.app.inject({ url: '/v1/no/such/julie@example.com?token=abc' });

    const r = await t.app.inject({ url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const m = r.body;
    expect(sample(m, 'threadgate_turns_total{kind="start",outcome="applied"}')).toBe(1);
    expect(sample(m, 'threadgate_turns_total{kind="turn",outcome="applied"}')).toBe(3);
    expect(sample(m, 'threadgate_turns_total{kind="turn",outcome="replayed"}')).toBe(1);
    expect(sample(m, 'threadgate_turns_total{kind="turn",outcome="conversation_not_found"}')).toBe(1);
    expect(sample(m, 'threadgate_token_rejections_total{reason="signature_invalid"}')).toBe(1);
    // The rejected token's message was not trusted; the one with a valid token was.
    expect(sample(m, 'threadgate_customer_messages_total{trusted="false"}')).toBe(2);
    expect(sample(m, 'threadgate_customer_messages_total{trusted="true"}')).toBe(1);
    expect(sample(m, 'threadgate_turn_duration_seconds_count{kind="turn"}')).toBe(5);
    expect(sample(m, 'threadgate_turn_duration_seconds_bucket{kind="turn",le="+Inf"}')).toBe(5);
    expect(m).toMatch(/^threadgate_turn_duration_seconds_bucket\{kind="start",le="0\.001"\} \d+$/m);
    expect(sample(m, 'threadgate_http_requests_total{method="POST",route="/v1/conversations/:id/turns",status="200"}')).toBe(4);
    expect(sample(m, 'threadgate_http_requests_total{method="POST",route="/v1/conversations",status="201"}')).toBe(1);
    expect(sample(m, 'threadgate_http_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1);
    expect(sample(m, 'threadgate_uptime_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(m, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // Public endpoint: no ids, raw URLs, customer data or keys.
    for (const secret of [id, 'julie@example.com', 'token=abc', forged, good, KEYS.runtime, 'hello', 'order 42']) expect(m).not.toContain(secret);
    // Every line is a comment or `name{labels} value`.
    for (const line of m.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|[a-z_:]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[\d.e+-]+)$/);
  });
});

describe('OpenAPI and docs', () => {
  it('/openapi.json lists the conversation routes with their zod body schemas and the bearer scheme', async () => {
    const t = await appWith();
    const r = await t.app.inject({ url: '/openapi.json' });
    expect(r.statusCode).toBe(200);
    const spec = r.json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const start = spec.paths['/v1/conversations'].post;
    expect(start.security).toEqual([{ bearerAuth: [] }]);
    expect(start.description).toContain('runtime, admin');
    const startBody = start.requestBody.content['application/json'].schema;
    expect(startBody.required).toEqual(['widgetId']);
    expect(Object.keys(startBody.properties)).toEqual(expect.arrayContaining(['widgetId', 'user', 'token', 'context']));
    const turnBody = spec.paths['/v1/conversations/{id}/turns'].post.requestBody.content['application/json'].schema;
    const types = (turnBody.oneOf ?? turnBody.anyOf).map((s: Json) => s.properties.type.enum?.[0] ?? s.properties.type.const);
    expect(types).toEqual(expect.arrayContaining(['message', 'identify', 'authenticate', 'clear_user', 'submit_form', 'close', 'rate']));
    const turnParams = spec.paths['/v1/conversations/{id}/turns'].post.parameters.map((p: Json) => `${p.in}:${p.name}`);
    expect(turnParams).toEqual(expect.arrayContaining(['path:id', 'query:explain', 'header:idempotency-key']));
    expect(spec.paths['/v1/conversations/{id}'].get).toBeDefined();
    // Public routes carry no security requirement; the docs' own routes are hidden.
    expect(spec.paths['/healthz'].get.security).toEqual([]);
    expect(Object.keys(spec.paths).some((p) => p.startsWith('/docs') || p === '/openapi.json')).toBe(false);
  });

  it('/docs answers the interactive HTML page, and its scripts load under its CSP', async () => {
    const t = await appWith();
    const r = await t.app.inject({ url: '/docs' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toContain('swagger-ui-bundle.js');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const bundle = await t.app.inject({ url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
    const init = await t.app.inject({ url: '/docs/static/swagger-initializer.js' });
    expect(init.statusCode).toBe(200);
  });
});

describe('security headers, limits and errors', () => {
  it('sets security headers on answers and errors, with a CSP that loads nothing on the API', async () => {
    const t = await appWith();
    for (const r of [await t.app.inject({ url: '/healthz' }), await post(t, '/v1/conversations', { widgetId: 'shop-visitor' }, {})]) {
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(r.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(r.headers['referrer-policy']).toBe('no-referrer');
      expect(r.headers['content-security-policy']).toContain("default-src 'none'");
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
  });

  it('rate limits per API key: 429 rate_limited with Retry-After for one key while another key still passes', async () => {
    const t = await appWith({ rateLimitPerMinute: 3 });
    const get = (headers: Json) => t.app.inject({ url: '/v1/conversations/none', headers });
    for (let i = 0; i < 3; i++) expect((await get(auth('runtime'))).statusCode).toBe(404);
    const limited = await get(auth('runtime'));
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'rate_limited' });
    expect(errorKeys(limited.json())).toEqual(['code', 'message', 'requestId']);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await get(auth('admin'))).statusCode).toBe(404);
    // Probes are never limited, and requests without a key have their own (per address) bucket.
    for (let i = 0; i < 5; i++) {
      expect((await t.app.inject({ url: '/healthz' })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/readyz' })).statusCode).toBe(200);
    }
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });

  it('counts wrong keys too: guessing keys is rate limited before authentication', async () => {
    const t = await appWith({ rateLimitPerMinute: 2 });
    const guess = () => t.app.inject({ url: '/v1/conversations/none', headers: { authorization: 'Bearer tg_runtime_guess_guess_guess_guess_guess' } });
    expect((await guess()).statusCode).toBe(401);
    expect((await guess()).statusCode).toBe(401);
    expect((await guess()).statusCode).toBe(429);
  });

  it('different wrong keys share their address\'s bucket, and do not lock out a valid key from that address', async () => {
    const t = await appWith({ rateLimitPerMinute: 3 });
    const guess = (n: number) => t.app.inject({ url: '/v1/conversations/none', headers: { authorization: `Bearer tg_runtime_guess_${n}_guess_guess_guess_guess` } });
    const codes = [];
    for (let n = 0; n < 6; n++) codes.push((await guess(n)).statusCode);
    expect(codes).toEqual([401, 401, 401, 429, 429, 429]);
    // A random header does not lift the address's limit on public routes either.
    expect((await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer whatever-random-value-123' } })).statusCode).toBe(429);
    // The valid key has its own bucket.
    expect((await t.app.inject({ url: '/v1/conversations/none', headers: auth('runtime') })).statusCode).toBe(404);
  });

  it('answers 413 payload_too_large over the body limit (64 KiB by default)', async () => {
    const t = await appWith();
    const r = await post(t, '/v1/conversations', { widgetId: 'shop-visitor', context: { blob: 'x'.repeat(65 * 1024) } });
    expect(r.statusCode).toBe(413);
    expect(r.json()).toMatchObject({ code: 'payload_too_large' });
    expect(errorKeys(r.json())).toEqual(['code', 'message', 'requestId']);
    const small = await appWith({ bodyLimitBytes: 2048 });
    expect((await post(small, '/v1/conversations', { widgetId: 'shop-visitor', context: { blob: 'x'.repeat(3000) } })).statusCode).toBe(413);
    expect((await post(small, '/v1/conversations', { widgetId: 'shop-visitor', context: { blob: 'x'.repeat(1000) } })).statusCode).toBe(201);
  });

  it('sets a non-zero request timeout on the server (15 s by default), headers included', async () => {
    const t = await appWith();
    expect(t.app.server.requestTimeout).toBe(15_000);
    // The headers' own timeout (60 s by node's default) must not outlast the whole request's.
    expect(t.app.server.headersTimeout).toBe(15_000);
    const custom = await appWith({ requestTimeoutMs: 5_000 });
    expect(custom.app.server.requestTimeout).toBe(5_000);
  });

  it('401 and 403 answer { code, message, requestId } only', async () => {
    const t = await appWith();
    const none = await post(t, '/v1/conversations', { widgetId: 'shop-visitor' }, {});
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('unauthorized');
    expect(errorKeys(none.json())).toEqual(['code', 'message', 'requestId']);
    const wrongRole = await post(t, '/v1/conversations', { widgetId: 'shop-visitor' }, auth('identity'));
    expect(wrongRole.statusCode).toBe(403);
    expect(wrongRole.json().code).toBe('forbidden');
    expect(errorKeys(wrongRole.json())).toEqual(['code', 'message', 'requestId']);
  });
});

describe('logs', () => {
  it('never contain the API key, the token, the email or a query string, even when something logs them', async () => {
    const lines: string[] = [];
    const t = await appWith({ logger: { ...loggerOptions('trace'), stream: { write: (line: string) => void lines.push(line) } } });
    const email = 'julie.secret@example.com';
    const name = 'Juliette Secretname';
    const token = await shopToken(email, t.clock.now, { name });
    const started = await post(t, '/v1/conversations', { widgetId: 'shop-portal', token });
    expect(started.statusCode).toBe(201);
    const id = started.json().conversationId as string;
    const turn = await post(t, `/v1/conversations/${id}/turns`, { type: 'message', text: 'my order', token });
    expect(turn.json().trusted).toBe(true);
    await post(t, `/v1/conversations/${id}/turns`, { type: 'identify', user: { name: 'Julie', email } });
    // Secrets sent where we never accept them still must not reach the log.
    const inQuery = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns?token=${token}&key=${KEYS.admin}`, headers: auth('runtime'), payload: { type: 'close' } });
    expect(inQuery.statusCode).toBe(400);
    await t.app.inject({ url: `/v1/profiles/${encodeURIComponent(email)}`, headers: auth('admin') });
    // What a careless log call would carry: headers, a body, and jose's claim error with the whole payload.
    const claimError = await jwtVerify(token, new TextEncoder().encode(SHOP_SECRET), { audience: 'someone-else', currentDate: new Date(t.clock.now) }).catch((e: unknown) => e as Error);
    expect((claimError as Error & { payload?: Json }).payload?.email).toBe(email);
    t.app.log.warn({ err: claimError, req: { headers: { authorization: `Bearer ${KEYS.runtime}` } }, body: { token, user: { email } } }, 'careless');
    t.app.log.info({ email, token, apiKey: KEYS.admin, authorization: `Bearer ${KEYS.admin}` }, 'careless top level');

    const text = lines.join('');
    expect(lines.length).toBeGreaterThan(8);
    expect(text).toContain(`"url":"/v1/conversations/${id}/turns"`);
    expect(text).toContain('careless');
    expect(text).toContain('[redacted]');
    for (const secret of [email, encodeURIComponent(email), name, token, token.split('.')[1]!, KEYS.runtime, KEYS.admin, KEYS.identity, SHOP_SECRET]) expect(text).not.toContain(secret);
    for (const line of lines) {
      const url = (JSON.parse(line) as Json).req?.url as string | undefined;
      if (url !== undefined) expect(url).not.toContain('?');
    }
  });
});
