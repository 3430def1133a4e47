// JWKS URL support against a real HTTP server on 127.0.0.1: caching, rotation, outages and bad answers.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { exportJWK, generateKeyPair, type CryptoKey, type FetchImplementation, type JWK } from 'jose';
import { createTokenVerifier, resolveJwtSettings, type TokenVerifierOptions } from '../../src/auth/index.ts';
import { EMAIL, NOW, claims, randomSecret, sign, startJwksServer, type JwksServer } from './helpers.ts';

interface Pair {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

async function pair(kid: string): Promise<Pair> {
  const keys = await generateKeyPair('ES256', { extractable: true });
  return { ...keys, jwk: { ...(await exportJWK(keys.publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

let server: JwksServer;
let first: Pair;
let second: Pair;

beforeEach(async () => {
  first = await pair('key-1');
  second = await pair('key-2');
  server = await startJwksServer({ keys: [first.jwk] });
});

afterEach(async () => {
  await server.close();
});

async function verifierFor(url: string, opts: TokenVerifierOptions = {}) {
  return createTokenVerifier(await resolveJwtSettings({ jwksUrl: url, jwksCacheSeconds: 600 }, {}), opts);
}

const tokenFrom = (key: Pair, kid: string | undefined = key.jwk.kid) =>
  sign(claims(), key.privateKey, { alg: 'ES256', ...(kid ? { kid } : {}) });

describe('JWKS URL', () => {
  it('verifies a token whose kid is served, and caches the set between verifications', async () => {
    const verifier = await verifierFor(server.url);
    const token = await tokenFrom(first);
    const result = await verifier.verify(token, NOW);
    expect(result).toMatchObject({ ok: true, identity: { email: EMAIL, kid: 'key-1', alg: 'ES256' } });
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
    expect(server.requests).toBe(1);
  });

  it('verifies a token without kid when exactly one served key fits its alg', async () => {
    const verifier = await verifierFor(server.url);
    expect((await verifier.verify(await tokenFrom(first, undefined), NOW)).ok).toBe(true);
  });

  it('tries every served key when several fit a token without kid', async () => {
    server.serve({ keys: [first.jwk, second.jwk] });
    const verifier = await verifierFor(server.url);
    expect((await verifier.verify(await tokenFrom(second, undefined), NOW)).ok).toBe(true);
  });

  it('rotation: a new kid verifies after a refetch once the cooldown has passed', async () => {
    const verifier = await verifierFor(server.url, { jwksCooldownMs: 0 });
    expect((await verifier.verify(await tokenFrom(first), NOW)).ok).toBe(true);
    server.serve({ keys: [second.jwk, first.jwk] });
    expect(await verifier.verify(await tokenFrom(second), NOW)).toMatchObject({ ok: true, identity: { kid: 'key-2' } });
    expect(server.requests).toBe(2);
    // The old key is still served during the grace period, so its tokens keep verifying.
    expect((await verifier.verify(await tokenFrom(first), NOW)).ok).toBe(true);
  });

  it('rotation: within jose\'s default 30 s cooldown a brand-new kid is still kid_unknown', async () => {
    const verifier = await verifierFor(server.url);
    expect((await verifier.verify(await tokenFrom(first), NOW)).ok).toBe(true);
    server.serve({ keys: [second.jwk, first.jwk] });
    expect(await verifier.verify(await tokenFrom(second), NOW)).toMatchObject({ ok: false, reason: 'kid_unknown' });
    expect(server.requests).toBe(1);
  });

  it('a kid the JWKS does not serve is kid_unknown', async () => {
    const verifier = await verifierFor(server.url, { jwksCooldownMs: 0 });
    expect(await verifier.verify(await tokenFrom(second), NOW)).toMatchObject({ ok: false, reason: 'kid_unknown' });
  });

  it('server down before the first fetch: jwks_unavailable, not a throw', async () => {
    const verifier = await verifierFor(server.url);
    await server.close();
    server = await startJwksServer();
    expect(await verifier.verify(await tokenFrom(first), NOW)).toMatchObject({ ok: false, reason: 'jwks_unavailable' });
  });

  it('server down after a fetch: the cached set keeps verifying', async () => {
    const verifier = await verifierFor(server.url);
    const token = await tokenFrom(first);
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
    await server.close();
    server = await startJwksServer();
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
  });

  it('a 500, a non-JSON body, a JWKS with private keys, a redirect and a hang are jwks_unavailable', async () => {
    const privateJwk = { ...(await exportJWK(first.privateKey)), kid: 'key-1', alg: 'ES256' };
    const breakages: Array<() => void> = [
      () => (server.state.status = 500),
      () => (server.state.body = '<html>oops</html>'),
      () => server.serve({ keys: [privateJwk] }),
      () => server.serve({ not: 'a key set' }),
      () => (server.state.redirectTo = 'https://evil.example/jwks.json'),
      () => (server.state.hang = true),
    ];
    for (const breakIt of breakages) {
      server.state = { status: 200, body: JSON.stringify({ keys: [first.jwk] }), hang: false, redirectTo: null };
      breakIt();
      const verifier = await verifierFor(server.url, { jwksTimeoutMs: 200 });
      expect(await verifier.verify(await tokenFrom(first), NOW)).toMatchObject({ ok: false, reason: 'jwks_unavailable' });
    }
  });

  it('an HMAC token is never checked against a JWKS', async () => {
    const secret = await randomSecret();
    const verifier = await verifierFor(server.url);
    const token = await sign(claims(), secret, { alg: 'HS256', kid: 'key-1' });
    expect(await verifier.verify(token, NOW)).toMatchObject({ ok: false, reason: 'key_type_mismatch' });
    expect(server.requests).toBe(0);
  });

  it('static keys are looked up before the JWKS', async () => {
    const secret = await randomSecret();
    const resolved = await resolveJwtSettings({ keys: [{ kid: 'hs', alg: 'HS256', secret }], jwksUrl: server.url }, {});
    const verifier = createTokenVerifier(resolved);
    expect((await verifier.verify(await sign(claims(), secret, { alg: 'HS256', kid: 'hs' }), NOW)).ok).toBe(true);
    expect(server.requests).toBe(0);
    expect((await verifier.verify(await tokenFrom(first), NOW)).ok).toBe(true);
    expect(server.requests).toBe(1);
  });

  it('uses an injected fetch (jose customFetch) for the request', async () => {
    const seen: string[] = [];
    const fetchJwks: FetchImplementation = async (url, options) => {
      seen.push(url);
      return fetch(url, options);
    };
    const verifier = await verifierFor(server.url, { fetchJwks });
    expect((await verifier.verify(await tokenFrom(first), NOW)).ok).toBe(true);
    expect(seen).toEqual([server.url]);
    expect(server.requests).toBe(1);
  });
});
