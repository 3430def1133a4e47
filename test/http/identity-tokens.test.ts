// threadgate's own identity tokens: minted with the stored ES256 ring, verifiable with the served JWKS, accepted by a widget.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { IDENTITY_KEY_RING } from '../../src/http/routes/identity-tokens.ts';
import { auth, buildTestApp, T0, type TestApp } from './helpers.ts';

const DAY = 86_400;
let t: TestApp;
afterEach(async () => {
  await t.close();
});

const mint = (body: object, role: 'identity' | 'admin' | 'runtime' = 'identity') =>
  t.app.inject({ method: 'POST', url: '/v1/identity-tokens', headers: auth(role), payload: body });
const jwks = async (): Promise<JSONWebKeySet> => {
  const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  expect(res.statusCode).toBe(200);
  return res.json();
};
/** Verifies as a relying party would: only with the keys the JWKS endpoint serves, at the app's clock. */
const verify = async (token: string, opts: { issuer?: string; audience?: string } = {}) =>
  jwtVerify(token, createLocalJWKSet(await jwks()), { issuer: opts.issuer ?? 'threadgate', audience: opts.audience ?? 'threadgate', algorithms: ['ES256'], currentDate: new Date(t.clock.now) });

describe('POST /v1/identity-tokens', () => {
  it('answers 401 without a key and 403 for admin and runtime keys, creating no ring', async () => {
    t = await buildTestApp();
    const none = await t.app.inject({ method: 'POST', url: '/v1/identity-tokens', payload: { type: 'email', value: 'julie@example.com' } });
    expect(none.statusCode).toBe(401);
    for (const role of ['admin', 'runtime'] as const) {
      const res = await mint({ type: 'email', value: 'julie@example.com' }, role);
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('forbidden');
    }
    expect(await t.store.keyRings.load(IDENTITY_KEY_RING)).toBeNull();
  });

  it('mints an ES256 token that verifies with jose against /.well-known/jwks.json', async () => {
    t = await buildTestApp();
    const res = await mint({ type: 'email', value: '  Julie@Example.COM ', name: 'Julie Doe' });
    expect(res.statusCode).toBe(200);
    const { token, expiresAt, kid } = res.json();
    expect(expiresAt).toBe(new Date(T0 + 300_000).toISOString());
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', kid });
    const { payload } = await verify(token);
    expect(payload).toMatchObject({ email: 'julie@example.com', name: 'Julie Doe', iss: 'threadgate', aud: 'threadgate', iat: T0 / 1000, exp: T0 / 1000 + 300 });
    expect(typeof payload.jti).toBe('string');
  });

  it('normalises a phone to E.164', async () => {
    t = await buildTestApp();
    const res = await mint({ type: 'phone', value: '+1 (415) 555-0123' });
    expect(res.statusCode).toBe(200);
    // OpenID Connect's claim name for a phone.
    expect((await verify(res.json().token)).payload.phone_number).toBe('+14155550123');
  });

  it('takes issuer, audience and ttl from the app options', async () => {
    t = await buildTestApp({ identity: { issuer: 'https://id.example', audience: 'chat', ttlSeconds: 120 } });
    const res = await mint({ type: 'email', value: 'julie@example.com' });
    const { payload } = await verify(res.json().token, { issuer: 'https://id.example', audience: 'chat' });
    expect(payload.exp! - payload.iat!).toBe(120);
    await expect(verify(res.json().token)).rejects.toThrow();
  });

  it.each([
    ['an email that is not one', { type: 'email', value: 'julie-at-example' }],
    ['a phone that is not one', { type: 'phone', value: '+999' }],
    ['a phone without country prefix', { type: 'phone', value: '415 555 0123' }],
  ])('answers 422 identity_value_invalid for %s', async (_label, body) => {
    t = await buildTestApp();
    const res = await mint(body);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('identity_value_invalid');
    // The message never repeats the value: it is personal data and ends up in client logs.
    expect(res.json().message).not.toContain(body.value);
  });

  it.each([
    ['an unknown type', { type: 'sms', value: '+14155550123' }],
    ['no value', { type: 'email' }],
    ['an unknown field', { type: 'email', value: 'julie@example.com', sub: 'admin' }],
  ])('answers 400 validation_failed for %s', async (_label, body) => {
    t = await buildTestApp();
    const res = await mint(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });

  it('creates one ring when first calls run concurrently', async () => {
    t = await buildTestApp();
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => mint({ type: 'email', value: `c${i}@example.com` })),
      t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' }),
    ]);
    const kids = answers.slice(0, 5).map((r) => r.json().kid);
    expect(new Set(kids).size).toBe(1);
    expect(answers[5]!.json().keys.map((k: { kid: string }) => k.kid)).toEqual([kids[0]]);
    expect((await t.store.keyRings.load(IDENTITY_KEY_RING))?.keys).toHaveLength(1);
    for (const r of answers.slice(0, 5)) await verify(r.json().token);
  });

  it('rotates the signing key after 30 days by the app clock and keeps the old one published for the grace period', async () => {
    t = await buildTestApp();
    const first = (await mint({ type: 'email', value: 'julie@example.com' })).json();
    t.clock.advance(29 * DAY);
    expect((await mint({ type: 'email', value: 'julie@example.com' })).json().kid).toBe(first.kid);

    t.clock.advance(2 * DAY);
    const rotated = (await mint({ type: 'email', value: 'julie@example.com' })).json();
    expect(rotated.kid).not.toBe(first.kid);
    await verify(rotated.token);
    expect((await jwks()).keys.map((k) => k.kid).sort()).toEqual([first.kid, rotated.kid].sort());

    // After the grace period (one day) only the new key is served.
    t.clock.advance(2 * DAY);
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([rotated.kid]);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('is public, cacheable for 5 minutes, and serves public EC keys only', async () => {
    t = await buildTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const keys = res.json().keys;
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    // The key served before any token was minted is the one that signs the first token.
    expect((await mint({ type: 'email', value: 'julie@example.com' })).json().kid).toBe(keys[0].kid);
  });
});

describe('end to end: a widget that trusts the ring', () => {
  it('starts an authenticated conversation with a token from /v1/identity-tokens', async () => {
    t = await buildTestApp();
    const { keys } = await jwks();
    const key = keys[0]!;
    const widget = [
      'kind: widget',
      'id: portal-own-idp',
      'onboarding: code',
      'thread: returns',
      'jwt:',
      '  keys:',
      `    - { kid: ${key.kid}, alg: ES256, jwk: { kty: EC, crv: P-256, x: ${key.x}, y: ${key.y} } }`,
      '  issuer: threadgate',
      '  audience: threadgate',
      '',
    ].join('\n');
    const put = await t.app.inject({ method: 'PUT', url: '/v1/widgets/portal-own-idp', headers: { ...auth('admin'), 'content-type': 'application/yaml' }, payload: widget });
    expect(put.statusCode).toBe(200);

    const { token } = (await mint({ type: 'email', value: 'julie@example.com', name: 'Julie Doe' })).json();
    const start = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'portal-own-idp', token } });
    expect(start.statusCode).toBe(201);
    expect(start.json()).toMatchObject({ identity: { status: 'authenticated', method: 'jwt', trusted: true }, scenario: 'most_ideal' });

    // A token from another ring (another threadgate) is refused: the onboarding `code` widget then has no identity.
    const other = await buildTestApp();
    try {
      const foreign = (await other.app.inject({ method: 'POST', url: '/v1/identity-tokens', headers: auth('identity'), payload: { type: 'email', value: 'julie@example.com' } })).json().token;
      const refused = await t.app.inject({ method: 'POST', url: '/v1/conversations', headers: auth('runtime'), payload: { widgetId: 'portal-own-idp', token: foreign } });
      expect(refused.statusCode).toBe(422);
      expect(refused.json().code).toBe('identity_required');
    } finally {
      await other.close();
    }
  });
});
