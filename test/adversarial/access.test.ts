// Access control under hostile requests: long ids, key guessing, header spelling, caching, party reads and token reasons.
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, buildTestApp, KEYS, SHOP_SECRET, shopToken, startConversation, T0, type TestApp } from '../http/helpers.ts';
import { expectRefused, witness, type Witness } from './hostile.ts';

const LONG = 'a'.repeat(101);
const wrongKey = (i: number) => ({ authorization: `Bearer tg_runtime_guess_${String(i).padStart(40, '0')}` });

describe('a path parameter over 100 characters', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([`/v1/conversations/${LONG}`, `/v1/conversations/${LONG}/turns`, `/v1/widgets/${LONG}`, `/v1/threads/${LONG}/draft`])('%s is 401 without a key, 401 with a wrong one, 404 with a valid one', async (url) => {
    const method = url.endsWith('/turns') ? 'POST' : 'GET';
    const none = expectRefused(await t.app.inject({ method, url }), 401, 'unauthorized');
    expect(none.message).toMatch(/Authorization: Bearer/);
    const wrong = await t.app.inject({ method, url, headers: wrongKey(1) });
    expectRefused(wrong, 401, 'unauthorized');
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="threadgate", error="invalid_token"');
    expectRefused(await t.app.inject({ method, url, headers: auth('admin') }), 404, 'not_found');
  });

  it('outside /v1 (no key needed there) it is a plain 404', async () => {
    expectRefused(await t.app.inject({ url: `/docs/${LONG}/x/${LONG}` }), 404);
  });
});

describe('authentication answers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('a 401 carries the bearer challenge (RFC 6750)', async () => {
    const none = await t.app.inject({ url: '/v1/widgets' });
    expectRefused(none, 401, 'unauthorized');
    expect(none.headers['www-authenticate']).toBe('Bearer realm="threadgate"');
    const garbage = await t.app.inject({ url: '/v1/widgets', headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
    expectRefused(garbage, 401, 'unauthorized');
    expect(garbage.headers['www-authenticate']).toBe('Bearer realm="threadgate", error="invalid_token"');
  });

  it.each(['bearer', 'BEARER', 'BeArEr'])('the scheme is case-insensitive (RFC 9110): %s', async (scheme) => {
    const r = await t.app.inject({ url: '/v1/widgets', headers: { authorization: `${scheme} ${KEYS.admin}` } });
    expect(r.statusCode, r.body).toBe(200);
    expect((await t.app.inject({ url: '/v1/widgets', headers: { authorization: `${scheme}  ${KEYS.admin}` } })).statusCode).toBe(200);
  });

  it('every answer of a keyed route says Cache-Control: no-store (data and errors); public routes do not', async () => {
    for (const r of [
      await t.app.inject({ url: '/v1/widgets', headers: auth('admin') }),
      await t.app.inject({ url: '/v1/conversations/nope', headers: auth('runtime') }),
      await t.app.inject({ url: '/v1/widgets' }),
      await t.app.inject({ url: '/v1/widgets', headers: auth('runtime') }),
    ]) {
      expect(r.headers['cache-control'], `${r.statusCode} ${r.body}`).toBe('no-store');
    }
    expect((await t.app.inject({ url: '/healthz' })).headers['cache-control']).toBeUndefined();
  });
});

describe('failed authentications are limited per client address', () => {
  it('1,300 different wrong keys: 30 answers 401, the rest 429 with Retry-After; a valid key from the same address still passes', async () => {
    const t = await buildTestApp({ rateLimitPerMinute: 1_000_000 });
    const statuses = new Map<number, number>();
    let lastLimited: Awaited<ReturnType<typeof t.app.inject>> | null = null;
    for (let i = 0; i < 1300; i++) {
      const r = await t.app.inject({ url: '/v1/conversations/none', headers: wrongKey(i) });
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      if (r.statusCode === 429) lastLimited = r;
    }
    expect(Object.fromEntries(statuses)).toEqual({ 401: 30, 429: 1270 });
    const body = expectRefused(lastLimited!, 429, 'rate_limited');
    expect(body.message).toMatch(/failed authentications from this address/);
    expect(Number(lastLimited!.headers['retry-after'])).toBeGreaterThan(0);
    // No key counts as a failure too, but the right key is never refused by this limit.
    expectRefused(await t.app.inject({ url: '/v1/conversations/none' }), 429, 'rate_limited');
    expectRefused(await t.app.inject({ url: '/v1/conversations/none', headers: auth('runtime') }), 404, 'conversation_not_found');
    expect((await t.app.inject({ url: '/v1/widgets', headers: auth('admin') })).statusCode).toBe(200);
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('threadgate_auth_failures_total{outcome="unauthorized"} 30');
    expect(metrics).toContain('threadgate_auth_failures_total{outcome="limited"} 1271');
    await t.close();
  });

  it('another address has its own count', async () => {
    const t = await buildTestApp({ rateLimitPerMinute: 1_000_000, authFailuresPerMinute: 2 });
    const from = (remoteAddress: string) => t.app.inject({ url: '/v1/widgets', headers: wrongKey(1), remoteAddress });
    expect([(await from('10.0.0.1')).statusCode, (await from('10.0.0.1')).statusCode, (await from('10.0.0.1')).statusCode]).toEqual([401, 401, 429]);
    expect((await from('10.0.0.2')).statusCode).toBe(401);
    await t.close();
  });

  it('a random Authorization header does not lift the per-address limit of public routes', async () => {
    const t = await buildTestApp({ rateLimitPerMinute: 3 });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await t.app.inject({ url: '/metrics', headers: wrongKey(i) })).statusCode);
    expect(answers).toEqual([200, 200, 200, 429, 429]);
    // The limit per valid key is its own bucket.
    expect((await t.app.inject({ url: '/v1/widgets', headers: auth('admin') })).statusCode).toBe(200);
    await t.close();
  });
});

describe('reading parties and token reasons', () => {
  let t: TestApp;
  let w: Witness;
  beforeAll(async () => {
    t = await buildTestApp();
    w = await witness(t);
  });
  afterAll(async () => {
    await w.check({ sameList: false });
    await t.close();
  });

  it('a runtime key asking ?party=all is 403 forbidden naming the admin role, even before any logout; admins read it', async () => {
    const id = await startConversation(t, { widgetId: 'shop-visitor' });
    const body = expectRefused(await t.app.inject({ url: `/v1/conversations/${id}?party=all`, headers: auth('runtime') }), 403, 'forbidden');
    expect(body.message).toMatch(/admin key/);
    expect(body.message).not.toMatch(/logged out/);
    expect((await t.app.inject({ url: `/v1/conversations/${id}?party=all`, headers: auth('admin') })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/v1/conversations/${id}?party=0`, headers: auth('runtime') })).statusCode).toBe(200);
  });

  it('a party that has not started is 400 validation_failed, for every key', async () => {
    const id = await startConversation(t, { widgetId: 'shop-visitor' });
    for (const role of ['runtime', 'admin'] as const) {
      const body = expectRefused(await t.app.inject({ url: `/v1/conversations/${id}?party=3`, headers: auth(role) }), 400, 'validation_failed');
      expect(body.issues).toEqual([{ field: 'querystring.party', message: expect.stringMatching(/parties 0 to 0/) }]);
    }
  });

  it('a code widget refusing a token says why in a field: tokenRejection', async () => {
    const expired = await shopToken('julie@example.com', T0 - 3600_000, { ttl: 60 });
    const body = expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-portal', token: expired } }), 422, 'identity_required');
    expect(body.tokenRejection).toBe('expired');
    const plain = expectRefused(await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-portal' } }), 422, 'identity_required');
    expect(plain.tokenRejection).toBeNull();
  });

  it('an exp sent as a string is refused with a message that says it must be a number', async () => {
    const iat = Math.floor(T0 / 1000);
    const token = await new SignJWT({ email: 'julie@example.com', exp: String(iat + 300) } as Record<string, unknown>)
      .setProtectedHeader({ alg: 'HS256', kid: 'shop-2026-11' })
      .setIssuer('https://shop.example.com')
      .setAudience('threadgate')
      .setIssuedAt(iat)
      .sign(new TextEncoder().encode(SHOP_SECRET));
    const start = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'shop-portal', token } });
    expect(expectRefused(start, 422, 'identity_required').tokenRejection).toBe('claims_invalid');
    const id = await startConversation(t, { widgetId: 'shop-visitor' });
    const r = await t.app.inject({ method: 'POST', url: `/v1/conversations/${id}/turns`, headers: auth('runtime'), payload: { type: 'authenticate', token } });
    const notice = (r.json().outputs as { type: string; code?: string; message?: string; detail?: { reason?: string } }[]).find((o) => o.code === 'token_rejected')!;
    expect(notice.detail?.reason).toBe('claims_invalid');
    expect(notice.message).toMatch(/"exp" claim .* must be a NumericDate: a JSON number of seconds/);
    expect(notice.message).not.toMatch(/or string/);
  });
});
