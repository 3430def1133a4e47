// Verifier behaviour beyond single rejections: identities, key rotation by kid, boundaries, fail-closed.
import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { exportJWK, exportSPKI, generateKeyPair, jwtVerify, errors, type CryptoKey } from 'jose';
import {
  createTokenVerifier,
  resolveJwtSettings,
  signUserIdentity,
  type JwtSettingsInput,
  type ResolvedJwtSettings,
  type TokenVerification,
} from '../../src/auth/index.ts';
import { EMAIL, NOW, NOW_S, at, claims, randomSecret, sign } from './helpers.ts';

async function verifierFor(input: JwtSettingsInput) {
  return createTokenVerifier(await resolveJwtSettings(input, {}));
}

function identityOf(result: TokenVerification) {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.message}`);
  return result.identity;
}

let oldSecret: string;
let newSecret: string;

beforeAll(async () => {
  oldSecret = await randomSecret();
  newSecret = await randomSecret();
});

describe('a verified token yields a normalised identity', () => {
  it('returns every identity field, email trimmed and lowercased', async () => {
    const verifier = await verifierFor({ keys: [{ kid: 'k1', alg: 'HS256', secret: oldSecret }], issuer: 'https://shop.example' });
    const token = await sign(
      claims({ email: '  Jane.Doe@Example.COM ', sub: 'user-42', iss: 'https://shop.example', jti: 'abc' }),
      oldSecret,
      { alg: 'HS256', kid: 'k1' },
    );
    expect(identityOf(await verifier.verify(token, NOW))).toEqual({
      email: EMAIL,
      phone: null,
      name: 'Jane Doe',
      subject: 'user-42',
      issuer: 'https://shop.example',
      issuedAt: NOW_S - 10,
      expiresAt: NOW_S + 290,
      kid: 'k1',
      alg: 'HS256',
      jti: 'abc',
    });
  });

  it('verifies a phone-only token and normalises the number to E.164', async () => {
    const verifier = await verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }], identity: 'phone' });
    const token = await sign(claims({ email: undefined, phone_number: '+1 (415) 555-2671' }), oldSecret, { alg: 'HS256' });
    const identity = identityOf(await verifier.verify(token, NOW));
    expect(identity.phone).toBe('+14155552671');
    expect(identity.email).toBeNull();
  });

  it('accepts the `phone` claim as well as `phone_number`', async () => {
    const verifier = await verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }] });
    const token = await sign(claims({ email: undefined, phone: '+44 20 7946 0958' }), oldSecret, { alg: 'HS256' });
    expect(identityOf(await verifier.verify(token, NOW)).phone).toBe('+442079460958');
  });

  it('refuses a national phone number without country code', async () => {
    const verifier = await verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }] });
    const token = await sign(claims({ email: undefined, phone_number: '(415) 555-2671' }), oldSecret, { alg: 'HS256' });
    expect(await verifier.verify(token, NOW)).toMatchObject({ ok: false, reason: 'claims_invalid' });
  });

  it('says a date claim sent as a string must be a number of seconds', async () => {
    const verifier = await verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }] });
    const token = await sign(claims({ exp: String(NOW_S + 300) as unknown as number }), oldSecret, { alg: 'HS256' });
    const r = await verifier.verify(token, NOW);
    expect(r).toMatchObject({ ok: false, reason: 'claims_invalid' });
    expect(r.ok ? '' : r.message).toMatch(/"exp" claim .* must be a NumericDate: a JSON number of seconds since 1970 \(not a string\)/);
  });

  it('treats an empty email as absent when a phone is present', async () => {
    const verifier = await verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }] });
    const token = await sign(claims({ email: '', phone_number: '+14155552671' }), oldSecret, { alg: 'HS256' });
    expect(identityOf(await verifier.verify(token, NOW))).toMatchObject({ email: null, phone: '+14155552671' });
  });

  it('identity "email" refuses a phone-only token', async () => {
    const verifier = await verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }], identity: 'email' });
    const token = await sign(claims({ email: undefined, phone_number: '+14155552671' }), oldSecret, { alg: 'HS256' });
    expect(await verifier.verify(token, NOW)).toMatchObject({ ok: false, reason: 'identity_missing' });
  });

  it('accepts a configured audience in an aud array and a typ given without application/', async () => {
    const verifier = await verifierFor({
      keys: [{ alg: 'HS256', secret: oldSecret }],
      audience: ['threadgate', 'other'],
      typ: 'user-identity+jwt',
    });
    const token = await sign(claims({ aud: ['x', 'threadgate'] }), oldSecret, { alg: 'HS256', typ: 'application/user-identity+jwt' });
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
  });
});

describe('time is judged against the `now` passed in', () => {
  const verifierPromise = () => verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }], clockToleranceSeconds: 5, maxTokenAgeSeconds: 600 });
  const token = (extra: Record<string, unknown>) => sign(claims(extra), oldSecret, { alg: 'HS256' });

  it('a token is valid until exp minus tolerance, expired from then on', async () => {
    const verifier = await verifierPromise();
    const jwt = await token({ iat: NOW_S - 100, exp: NOW_S });
    expect((await verifier.verify(jwt, at(4))).ok).toBe(true);
    expect(await verifier.verify(jwt, at(5))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('iat up to now + tolerance is accepted, beyond is issued_in_future', async () => {
    const verifier = await verifierPromise();
    expect((await verifier.verify(await token({ iat: NOW_S + 5, exp: NOW_S + 300 }), NOW)).ok).toBe(true);
    expect(await verifier.verify(await token({ iat: NOW_S + 6, exp: NOW_S + 300 }), NOW)).toMatchObject({ reason: 'issued_in_future' });
  });

  it('maxTokenAgeSeconds bounds the age even when exp is far away', async () => {
    const verifier = await verifierPromise();
    const jwt = await token({ iat: NOW_S, exp: NOW_S + 86_400 });
    expect((await verifier.verify(jwt, at(605))).ok).toBe(true);
    expect(await verifier.verify(jwt, at(606))).toMatchObject({ ok: false, reason: 'too_old' });
  });

  it('the same token is judged differently at different `now`s, so nothing reads the wall clock', async () => {
    const verifier = await verifierPromise();
    const jwt = await token({});
    expect((await verifier.verify(jwt, NOW)).ok).toBe(true);
    expect((await verifier.verify(jwt, at(-3600))).ok).toBe(false);
    expect((await verifier.verify(jwt, at(3600))).ok).toBe(false);
  });
});

describe('key rotation by kid', () => {
  it('old and new HMAC secrets both verify while both are configured', async () => {
    const verifier = await verifierFor({
      keys: [
        { kid: '2030-05', alg: 'HS256', secret: oldSecret },
        { kid: '2030-06', alg: 'HS256', secret: newSecret },
      ],
    });
    const oldToken = await sign(claims(), oldSecret, { alg: 'HS256', kid: '2030-05' });
    const newToken = await sign(claims(), newSecret, { alg: 'HS256', kid: '2030-06' });
    expect(identityOf(await verifier.verify(oldToken, NOW)).kid).toBe('2030-05');
    expect(identityOf(await verifier.verify(newToken, NOW)).kid).toBe('2030-06');
  });

  it('a kid decides the key: the new secret under the old kid does not verify', async () => {
    const verifier = await verifierFor({
      keys: [
        { kid: '2030-05', alg: 'HS256', secret: oldSecret },
        { kid: '2030-06', alg: 'HS256', secret: newSecret },
      ],
    });
    const crossed = await sign(claims(), newSecret, { alg: 'HS256', kid: '2030-05' });
    expect(await verifier.verify(crossed, NOW)).toMatchObject({ ok: false, reason: 'signature_invalid' });
  });

  it('once the old key is removed its tokens are kid_unknown', async () => {
    const verifier = await verifierFor({ keys: [{ kid: '2030-06', alg: 'HS256', secret: newSecret }] });
    const oldToken = await sign(claims(), oldSecret, { alg: 'HS256', kid: '2030-05' });
    expect(await verifier.verify(oldToken, NOW)).toMatchObject({ ok: false, reason: 'kid_unknown' });
  });

  it('default keys (no kid) are tried in order, but only for tokens without kid', async () => {
    const verifier = await verifierFor({
      keys: [
        { alg: 'HS256', secret: oldSecret },
        { alg: 'HS256', secret: newSecret },
      ],
    });
    expect((await verifier.verify(await sign(claims(), newSecret, { alg: 'HS256' }), NOW)).ok).toBe(true);
    const withKid = await sign(claims(), newSecret, { alg: 'HS256', kid: 'anything' });
    expect(await verifier.verify(withKid, NOW)).toMatchObject({ ok: false, reason: 'kid_unknown' });
  });

  it('a claim failure from the right key is reported, not masked by trying other keys', async () => {
    const verifier = await verifierFor({
      keys: [
        { alg: 'HS256', secret: oldSecret },
        { alg: 'HS256', secret: newSecret },
      ],
    });
    const expired = await sign(claims({ exp: NOW_S - 100 }), oldSecret, { alg: 'HS256' });
    expect(await verifier.verify(expired, NOW)).toMatchObject({ ok: false, reason: 'expired' });
  });
});

describe('every public-key algorithm verifies tokens minted by signUserIdentity', () => {
  const algs = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
  for (const alg of algs) {
    it(`${alg} via publicKey PEM and via jwk`, async () => {
      const pair = await generateKeyPair(alg, { extractable: true });
      const pem = await exportSPKI(pair.publicKey);
      const jwk = await exportJWK(pair.publicKey);
      const token = await signUserIdentity({ email: EMAIL }, { alg, privateKey: pair.privateKey, kid: 'k' }, { now: NOW });
      for (const key of [{ kid: 'k', alg, publicKey: pem }, { kid: 'k', alg, jwk: { ...jwk } }]) {
        const verifier = await verifierFor({ keys: [key] });
        expect(identityOf(await verifier.verify(token, NOW))).toMatchObject({ email: EMAIL, alg, kid: 'k' });
      }
    });
  }
});

describe('fail closed', () => {
  let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
  let ec: { privateKey: CryptoKey; publicKey: CryptoKey };
  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
  });

  it('jose throws a plain TypeError (not a JOSEError) for a key of the wrong type', async () => {
    const token = await sign(claims(), rsa.privateKey, { alg: 'RS256' });
    const failure = await jwtVerify(token, ec.publicKey, { currentDate: NOW }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TypeError);
    expect(failure).not.toBeInstanceOf(errors.JOSEError);
  });

  it('a wrong key type in hand-built settings is a key_type_mismatch rejection, never a throw', async () => {
    const resolved: ResolvedJwtSettings = {
      ...(await resolveJwtSettings({ keys: [{ alg: 'HS256', secret: oldSecret }] }, {})),
      keysByKid: new Map([['rs', { kid: 'rs', alg: 'RS256', key: ec.publicKey }]]),
      defaultKeys: [{ kid: null, alg: 'RS256', key: new Uint8Array(32) as unknown as CryptoKey }],
    };
    const verifier = createTokenVerifier(resolved);
    const withKid = await sign(claims(), rsa.privateKey, { alg: 'RS256', kid: 'rs' });
    const withoutKid = await sign(claims(), rsa.privateKey, { alg: 'RS256' });
    await expect(verifier.verify(withKid, NOW)).resolves.toMatchObject({ ok: false, reason: 'key_type_mismatch' });
    await expect(verifier.verify(withoutKid, NOW)).resolves.toMatchObject({ ok: false, reason: 'key_type_mismatch' });
  });

  it('an exception anywhere in verification (here a broken key map) is a rejection, not a throw', async () => {
    const resolved = await resolveJwtSettings({ keys: [{ kid: 'k', alg: 'HS256', secret: oldSecret }] }, {});
    const broken: ResolvedJwtSettings = {
      ...resolved,
      keysByKid: {
        get() {
          throw new Error('store unreachable');
        },
        values: () => resolved.keysByKid.values(),
      } as unknown as ResolvedJwtSettings['keysByKid'],
    };
    const token = await sign(claims(), oldSecret, { alg: 'HS256', kid: 'k' });
    await expect(createTokenVerifier(broken).verify(token, NOW)).resolves.toMatchObject({ ok: false, reason: 'signature_invalid' });
  });

  it('non-string tokens and an invalid clock are rejections, not throws', async () => {
    const verifier = await verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }] });
    await expect(verifier.verify(undefined as unknown as string, NOW)).resolves.toMatchObject({ ok: false, reason: 'malformed' });
    await expect(verifier.verify({} as unknown as string, NOW)).resolves.toMatchObject({ ok: false });
    const token = await sign(claims(), oldSecret, { alg: 'HS256' });
    await expect(verifier.verify(token, new Date(Number.NaN))).resolves.toMatchObject({ ok: false });
  });

  it('arbitrary strings never throw and never verify', async () => {
    const verifier = await verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }, { kid: 'e', alg: 'ES256', jwk: { ...(await exportJWK(ec.publicKey)) } }] });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.stringMatching(/^[A-Za-z0-9_.=-]{0,300}$/)), async (text) => {
        const result = await verifier.verify(text, NOW);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('any single-character change to a valid HS256 token is rejected', async () => {
    const verifier = await verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }] });
    const token = await sign(claims(), oldSecret, { alg: 'HS256' });
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_. =';
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), async (index, char) => {
        fc.pre(token[index] !== char);
        const mutated = token.slice(0, index) + char + token.slice(index + 1);
        expect((await verifier.verify(mutated, NOW)).ok).toBe(false);
      }),
      { numRuns: 400 },
    );
  });
});

describe('signature malleability (we key nothing on the token string)', () => {
  const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

  it('padding, spaces and non-canonical base64url are refused as malformed', async () => {
    const verifier = await verifierFor({ keys: [{ alg: 'HS256', secret: oldSecret }] });
    const token = await sign(claims(), oldSecret, { alg: 'HS256' });
    for (const variant of [`${token}=`, `${token}==`, ` ${token}`, `${token}\n`]) {
      expect(await verifier.verify(variant, NOW)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('an ECDSA signature (r, n-s) is a different string that still verifies, with the same (iss, jti)', async () => {
    const pair = await generateKeyPair('ES256');
    const verifier = await verifierFor({ keys: [{ alg: 'ES256', jwk: { ...(await exportJWK(pair.publicKey)) } }] });
    const token = await sign(claims({ iss: 'https://shop.example', jti: 'once' }), pair.privateKey, { alg: 'ES256' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const raw = Buffer.from(signature, 'base64url');
    const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
    const flipped = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
    const twin = `${header}.${payload}.${Buffer.concat([raw.subarray(0, 32), flipped]).toString('base64url')}`;
    expect(twin).not.toBe(token);
    const a = identityOf(await verifier.verify(token, NOW));
    const b = identityOf(await verifier.verify(twin, NOW));
    // A replay cache must therefore key on (issuer, jti), which both forms share.
    expect([b.issuer, b.jti]).toEqual([a.issuer, a.jti]);
  });
});
