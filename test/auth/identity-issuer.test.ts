// threadgate's own issuer and key ring: rotation, the published JWKS and round trips through the verifier.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  DEFAULT_GRACE_SECONDS,
  createIdentityIssuer,
  createTokenVerifier,
  publicJwks,
  pruneKeyRing,
  resolveJwtSettings,
  rotateKeyRing,
  signingKey,
  type KeyRingData,
  type JwtSettingsInput,
} from '../../src/auth/index.ts';
import { ThreadgateError } from '../../src/core/errors.ts';
import { EMAIL, NOW, NOW_S, at, startJwksServer, type JwksServer } from './helpers.ts';

const ISSUER = 'https://threadgate.example';
const AUDIENCE = 'threadgate:widget-1';
const DAY = 86_400;

async function verifierWithKeys(ring: KeyRingData, now: Date, extra: Partial<JwtSettingsInput> = {}) {
  const keys = publicJwks(ring, now).keys.map((jwk) => ({ alg: 'ES256' as const, jwk: { ...jwk } }));
  return createTokenVerifier(await resolveJwtSettings({ keys, issuer: ISSUER, audience: AUDIENCE, ...extra }, {}));
}

function thrown(fn: () => unknown): ThreadgateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ThreadgateError) return err;
    throw err;
  }
  throw new Error('expected a ThreadgateError');
}

let ring: KeyRingData;

beforeAll(async () => {
  ring = await rotateKeyRing({ keys: [] }, NOW);
});

describe('key ring', () => {
  it('starts with one signing ES256 key whose kid is its thumbprint', () => {
    expect(ring.keys).toHaveLength(1);
    const key = ring.keys[0]!;
    expect(key).toMatchObject({ alg: 'ES256', createdAt: NOW_S, retireAt: null });
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signingKey(ring)?.kid).toBe(key.kid);
  });

  it('survives a JSON round trip (what a store persists)', async () => {
    const restored = JSON.parse(JSON.stringify(ring)) as KeyRingData;
    const issuer = createIdentityIssuer({ ring: restored, issuer: ISSUER, audience: AUDIENCE });
    const { token } = await issuer.issue({ type: 'email', value: EMAIL }, NOW, 'j');
    expect((await (await verifierWithKeys(ring, NOW)).verify(token, NOW)).ok).toBe(true);
  });

  it('publishes public members only, never d', () => {
    const jwks = publicJwks(ring, NOW);
    expect(jwks.keys).toHaveLength(1);
    for (const jwk of jwks.keys) expect(Object.keys(jwk).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    expect(JSON.stringify(jwks)).not.toContain(ring.keys[0]!.privateJwk.d);
  });

  it('rotation: the new key signs, the old stays published for the grace period, then drops', async () => {
    const rotatedAt = at(30 * DAY);
    const rotated = await rotateKeyRing(ring, rotatedAt);
    const [fresh, old] = rotated.keys;
    expect(rotated.keys).toHaveLength(2);
    expect(old?.kid).toBe(ring.keys[0]!.kid);
    expect(old?.retireAt).toBe(NOW_S + 30 * DAY + DEFAULT_GRACE_SECONDS);
    expect(signingKey(rotated)?.kid).toBe(fresh?.kid);
    // The input ring is untouched: rotation returns new data.
    expect(ring.keys).toHaveLength(1);
    expect(ring.keys[0]!.retireAt).toBeNull();

    const oldToken = (await createIdentityIssuer({ ring, issuer: ISSUER, audience: AUDIENCE }).issue({ type: 'email', value: EMAIL }, at(30 * DAY - 60), 'old'));
    const newIssuer = createIdentityIssuer({ ring: rotated, issuer: ISSUER, audience: AUDIENCE });
    expect(newIssuer.kid).toBe(fresh?.kid);
    const newToken = await newIssuer.issue({ type: 'email', value: EMAIL }, rotatedAt, 'new');
    expect(decodeProtectedHeader(newToken.token).kid).toBe(fresh?.kid);

    const duringGrace = await verifierWithKeys(rotated, rotatedAt);
    expect((await duringGrace.verify(oldToken.token, rotatedAt)).ok).toBe(true);
    expect((await duringGrace.verify(newToken.token, rotatedAt)).ok).toBe(true);

    const afterGrace = at(30 * DAY + DEFAULT_GRACE_SECONDS);
    expect(publicJwks(rotated, afterGrace).keys.map((jwk) => jwk.kid)).toEqual([fresh?.kid]);
    expect(pruneKeyRing(rotated, afterGrace).keys.map((key) => key.kid)).toEqual([fresh?.kid]);
    const oldKidLater = await createIdentityIssuer({ ring, issuer: ISSUER, audience: AUDIENCE }).issue({ type: 'email', value: EMAIL }, afterGrace, 'late');
    expect(await (await verifierWithKeys(rotated, afterGrace)).verify(oldKidLater.token, afterGrace)).toMatchObject({ ok: false, reason: 'kid_unknown' });

    const again = await rotateKeyRing(rotated, afterGrace);
    expect(again.keys.map((key) => key.kid)).not.toContain(old?.kid);
    expect(again.keys).toHaveLength(2);
  });

  it('refuses a grace period shorter than the longest token life', async () => {
    const err = await rotateKeyRing(ring, NOW, { graceSeconds: 60 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ThreadgateError);
    expect((err as ThreadgateError).code).toBe('jwt_config_invalid');
  });

  it('refuses corrupt ring data', () => {
    const key = ring.keys[0]!;
    const mismatched = { keys: [{ ...key, publicJwk: { ...key.publicJwk, x: key.publicJwk.y } }] };
    expect(thrown(() => publicJwks(mismatched, NOW)).code).toBe('jwt_config_invalid');
    expect(thrown(() => publicJwks({ keys: [key, key] }, NOW)).code).toBe('jwt_config_invalid');
    expect(thrown(() => createIdentityIssuer({ ring: { keys: [] }, issuer: ISSUER, audience: AUDIENCE })).code).toBe('jwt_config_invalid');
  });
});

describe('identity issuer', () => {
  it('issues an email token with normalised value and expiry', async () => {
    const issuer = createIdentityIssuer({ ring, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 120 });
    const issued = await issuer.issue({ type: 'email', value: '  Jane.Doe@EXAMPLE.com', name: 'Jane Doe' }, NOW, 'jti-7');
    expect(issued.expiresAt).toBe(NOW_S + 120);
    expect(decodeJwt(issued.token)).toMatchObject({ email: EMAIL, name: 'Jane Doe', iss: ISSUER, aud: AUDIENCE, iat: NOW_S, exp: NOW_S + 120, jti: 'jti-7' });
    const result = await (await verifierWithKeys(ring, NOW)).verify(issued.token, NOW);
    expect(result).toMatchObject({ ok: true, identity: { email: EMAIL, name: 'Jane Doe', jti: 'jti-7', expiresAt: NOW_S + 120, issuer: ISSUER } });
  });

  it('issues a phone token normalised to E.164 that a phone-only widget accepts', async () => {
    const issuer = createIdentityIssuer({ ring, issuer: ISSUER, audience: AUDIENCE });
    const issued = await issuer.issue({ type: 'phone', value: '+44 20 7946 0958' }, NOW, 'p');
    const verifier = await verifierWithKeys(ring, NOW, { identity: 'phone' });
    expect(await verifier.verify(issued.token, NOW)).toMatchObject({ ok: true, identity: { phone: '+442079460958', email: null } });
  });

  it('refuses bad values with identity_value_invalid, without echoing them', async () => {
    const issuer = createIdentityIssuer({ ring, issuer: ISSUER, audience: AUDIENCE });
    for (const identity of [
      { type: 'email' as const, value: 'jane.doe-at-example' },
      { type: 'phone' as const, value: '415 555' },
      { type: 'email' as const, value: EMAIL, name: 'x'.repeat(300) },
      { type: 'sms' as 'phone', value: '+14155552671' },
    ]) {
      const err = await issuer.issue(identity, NOW, 'j').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ThreadgateError);
      expect((err as ThreadgateError).code).toBe('identity_value_invalid');
      expect((err as ThreadgateError).message).not.toContain('jane.doe');
    }
    const noJti = await issuer.issue({ type: 'email', value: EMAIL }, NOW, '').catch((e: unknown) => e);
    expect((noJti as ThreadgateError).code).toBe('identity_value_invalid');
  });

  it('refuses a ttl over one hour and an empty issuer', () => {
    expect(thrown(() => createIdentityIssuer({ ring, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 3601 })).code).toBe('jwt_config_invalid');
    expect(thrown(() => createIdentityIssuer({ ring, issuer: '', audience: AUDIENCE })).code).toBe('jwt_config_invalid');
  });

  it('its tokens expire for the verifier after ttl', async () => {
    const issuer = createIdentityIssuer({ ring, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 300 });
    const { token } = await issuer.issue({ type: 'email', value: EMAIL }, NOW, 'e');
    const verifier = await verifierWithKeys(ring, NOW);
    expect((await verifier.verify(token, at(304))).ok).toBe(true);
    expect(await verifier.verify(token, at(305))).toMatchObject({ ok: false, reason: 'expired' });
  });
});

describe('issuer and JWKS URL round trip', () => {
  let server: JwksServer;
  beforeAll(async () => {
    server = await startJwksServer(publicJwks(ring, NOW));
  });
  afterAll(async () => {
    await server.close();
  });

  it('a widget configured with the served JWKS accepts issued tokens, also after a rotation', async () => {
    const verifier = createTokenVerifier(
      await resolveJwtSettings({ jwksUrl: server.url, issuer: ISSUER, audience: AUDIENCE }, {}),
      { jwksCooldownMs: 0 },
    );
    const first = await createIdentityIssuer({ ring, issuer: ISSUER, audience: AUDIENCE }).issue({ type: 'email', value: EMAIL }, NOW, 'a');
    expect(await verifier.verify(first.token, NOW)).toMatchObject({ ok: true, identity: { email: EMAIL, kid: ring.keys[0]!.kid } });

    const rotatedAt = at(DAY);
    const rotated = await rotateKeyRing(ring, rotatedAt);
    server.serve(publicJwks(rotated, rotatedAt));
    const second = await createIdentityIssuer({ ring: rotated, issuer: ISSUER, audience: AUDIENCE }).issue({ type: 'email', value: EMAIL }, rotatedAt, 'b');
    expect(await verifier.verify(second.token, rotatedAt)).toMatchObject({ ok: true, identity: { kid: rotated.keys[0]!.kid } });
    const stillOld = await createIdentityIssuer({ ring, issuer: ISSUER, audience: AUDIENCE }).issue({ type: 'email', value: EMAIL }, rotatedAt, 'c');
    expect((await verifier.verify(stillOld.token, rotatedAt)).ok).toBe(true);
  });
});
