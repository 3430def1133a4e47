// The verifier's cache of verified tokens: it answers only what verifying again would, for the exact token string.
import { describe, it, expect, beforeAll } from 'vitest';
import { createTokenVerifier, resolveJwtSettings } from '../../src/auth/index.ts';
import { VerifiedTokenCache } from '../../src/auth/verified-token-cache.ts';
import { NOW, NOW_S, at, claims, randomSecret, sign } from './helpers.ts';

let secret: string;
beforeAll(async () => {
  secret = await randomSecret();
});

const verifier = async (extra: Record<string, unknown> = {}) =>
  createTokenVerifier(await resolveJwtSettings({ keys: [{ kid: 'k1', alg: 'HS256', secret }], clockToleranceSeconds: 30, ...extra }, {}));

describe('a token verified before', () => {
  it('is refused once it expires, even inside the clock tolerance of the first verification', async () => {
    const v = await verifier();
    const token = await sign(claims(), secret, { alg: 'HS256', kid: 'k1' }); // exp = NOW + 290 s
    expect((await v.verify(token, NOW)).ok).toBe(true);
    expect((await v.verify(token, at(289))).ok).toBe(true);
    // Past exp but inside the 30 s tolerance, jose itself still accepts; far past it, refused as expired.
    expect(await v.verify(token, at(400))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('is refused once iat is older than maxTokenAgeSeconds, whatever its exp', async () => {
    const v = await verifier({ maxTokenAgeSeconds: 60 });
    const token = await sign(claims({ exp: NOW_S + 3000 }), secret, { alg: 'HS256', kid: 'k1' });
    expect((await v.verify(token, NOW)).ok).toBe(true);
    expect((await v.verify(token, at(200))).ok).toBe(false);
  });

  it('is verified again for a clock earlier than its first verification (nbf not yet reached)', async () => {
    const v = await verifier();
    const token = await sign(claims({ nbf: NOW_S }), secret, { alg: 'HS256', kid: 'k1' });
    expect((await v.verify(token, NOW)).ok).toBe(true);
    expect((await v.verify(token, at(-200))).ok).toBe(false);
  });

  it('does not vouch for another string: a tampered copy is checked on its own', async () => {
    const v = await verifier();
    const token = await sign(claims(), secret, { alg: 'HS256', kid: 'k1' });
    expect((await v.verify(token, NOW)).ok).toBe(true);
    const [h, p, s] = token.split('.');
    const other = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...other, email: 'mallory@example.com' })).toString('base64url')}.${s}`;
    expect(await v.verify(forged, NOW)).toMatchObject({ ok: false, reason: 'signature_invalid' });
  });

  it('is not shared between widgets: another verifier (another key) checks the signature itself', async () => {
    const token = await sign(claims(), secret, { alg: 'HS256', kid: 'k1' });
    expect((await (await verifier()).verify(token, NOW)).ok).toBe(true);
    const otherKey = createTokenVerifier(await resolveJwtSettings({ keys: [{ kid: 'k1', alg: 'HS256', secret: await randomSecret() }] }, {}));
    expect(await otherKey.verify(token, NOW)).toMatchObject({ ok: false, reason: 'signature_invalid' });
  });

  it('hands out a copy, so a caller changing its identity changes nothing for the next', async () => {
    const v = await verifier();
    const token = await sign(claims(), secret, { alg: 'HS256', kid: 'k1' });
    const first = await v.verify(token, NOW);
    if (first.ok) first.identity.email = 'changed@example.com';
    const second = await v.verify(token, NOW);
    expect(second.ok && second.identity.email).toBe('jane.doe@example.com');
  });
});

describe('VerifiedTokenCache', () => {
  const identity = { email: 'a@example.com', phone: null, name: null, subject: null, issuer: null, issuedAt: NOW_S, expiresAt: NOW_S + 100, kid: null, alg: 'HS256', jti: null };

  it('holds at most its size, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache(3600, 2);
    cache.set('a', identity, NOW);
    cache.set('b', identity, NOW);
    cache.set('c', identity, NOW);
    expect(cache.length).toBe(2);
    expect(cache.get('a', NOW)).toBeNull();
    expect(cache.get('c', NOW)).toEqual(identity);
  });

  it('keeps nothing already past its window', () => {
    const cache = new VerifiedTokenCache(3600);
    cache.set('late', identity, at(100));
    expect(cache.length).toBe(0);
    cache.set('t', identity, NOW);
    expect(cache.get('t', at(100))).toBeNull();
    expect(cache.length).toBe(0);
  });
});
