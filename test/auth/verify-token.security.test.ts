// One crafted token (or more) per rejection reason, each asserting its stable code and that no claim value leaks.
import { KeyObject } from 'node:crypto';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { CompactSign, exportJWK, exportSPKI, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import {
  TOKEN_REJECTION_REASONS,
  createTokenVerifier,
  resolveJwtSettings,
  type JwtSettingsInput,
  type TokenRejectionReason,
  type TokenVerification,
} from '../../src/auth/index.ts';
import { EMAIL, NAME, NOW, NOW_S, claims, encodeJson, forge, randomSecret, sign, startJwksServer, type JwksServer } from './helpers.ts';

const ISS = 'https://shop.example';
const AUD = 'threadgate:widget-1';

let secret: string;
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let rsaPem: string;
let ec: { privateKey: CryptoKey; publicKey: CryptoKey };
let attacker: { privateKey: CryptoKey; publicKey: CryptoKey };
let server: JwksServer;
let settings: JwtSettingsInput;

beforeAll(async () => {
  secret = await randomSecret();
  rsa = await generateKeyPair('RS256', { extractable: true });
  rsaPem = await exportSPKI(rsa.publicKey);
  ec = await generateKeyPair('ES256', { extractable: true });
  attacker = await generateKeyPair('ES256', { extractable: true });
  server = await startJwksServer({ keys: [] });
  settings = {
    keys: [
      { kid: 'hs-1', alg: 'HS256', secret },
      { kid: 'rs-1', alg: 'RS256', publicKey: rsaPem },
    ],
    issuer: ISS,
    audience: AUD,
  };
});

afterAll(async () => {
  await server.close();
});

/** A 32-byte HMAC is 43 base64url chars; the last one carries 2 unused bits that jose ignores. */
function lowBitsTwin(token: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  return token.slice(0, -1) + alphabet[alphabet.indexOf(token.at(-1)!) ^ 1]!;
}

/** Standard claims for the suite: a valid identity, issuer and audience, overridable per case. */
const good = (extra: Record<string, unknown> = {}) => claims({ iss: ISS, aud: AUD, ...extra });
const hs = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  sign(payload, secret, { alg: 'HS256', kid: 'hs-1', ...header });

async function verify(token: string, input: JwtSettingsInput = settings, now = NOW): Promise<TokenVerification> {
  const verifier = createTokenVerifier(await resolveJwtSettings(input, {}));
  return verifier.verify(token, now);
}

interface Case {
  name: string;
  token: () => Promise<string>;
  settings?: () => JwtSettingsInput;
}

/** Typed as a Record so the compiler fails when a reason is added without a crafted token here. */
const CASES: Record<TokenRejectionReason, Case[]> = {
  malformed: [
    { name: 'not three parts', token: async () => 'not-a-jwt' },
    { name: 'encrypted JWE shape', token: async () => 'a.b.c.d.e' },
    { name: 'header is not JSON', token: async () => `${Buffer.from('{"alg":').toString('base64url')}.${encodeJson(good())}.c2ln` },
    { name: 'header is an array', token: async () => `${encodeJson(['HS256'])}.${encodeJson(good())}.c2ln` },
    { name: 'no alg', token: async () => forge({ typ: 'JWT' }, good(), 'c2ln') },
    { name: 'empty signature', token: async () => forge({ alg: 'HS256', kid: 'hs-1' }, good()) },
    { name: 'signature with a trailing =', token: async () => `${await hs(good())}=` },
    { name: 'signature with a trailing space', token: async () => `${await hs(good())} ` },
    {
      name: 'signature with altered unused low bits',
      token: async () => lowBitsTwin(await hs(good())),
    },
    { name: 'kid with path characters', token: async () => hs(good(), { kid: '../../etc/passwd' }) },
    { name: 'kid of 200 characters', token: async () => hs(good(), { kid: 'k'.repeat(200) }) },
    { name: 'kid that is not a string', token: async () => hs(good(), { kid: 7 }) },
    {
      name: 'payload is a JSON array, validly signed',
      token: async () =>
        new CompactSign(new TextEncoder().encode('[1,2]')).setProtectedHeader({ alg: 'HS256', kid: 'hs-1' }).sign(new TextEncoder().encode(secret)),
    },
  ],
  oversized: [{ name: 'a validly signed 2 MB token', token: async () => hs(good({ padding: 'x'.repeat(2 * 1024 * 1024) })) }],
  alg_none: [
    { name: 'alg none, empty signature', token: async () => forge({ alg: 'none' }, good()) },
    { name: 'alg NONE with a kid', token: async () => forge({ alg: 'NONE', kid: 'hs-1' }, good()) },
    { name: 'alg None with a signature', token: async () => forge({ alg: 'None' }, good(), 'c2ln') },
  ],
  alg_not_allowed: [
    { name: 'HS512 against an HS256 kid', token: async () => sign(good(), secret, { alg: 'HS512', kid: 'hs-1' }) },
    { name: 'an algorithm threadgate never accepts', token: async () => forge({ alg: 'ES256K', kid: 'rs-1' }, good(), 'c2ln') },
    { name: 'Ed25519 spelling jose knows but we do not allow', token: async () => forge({ alg: 'Ed25519' }, good(), 'c2ln') },
    { name: 'PS256 with the RSA key configured for RS256', token: async () => sign(good(), KeyObject.from(rsa.privateKey as never), { alg: 'PS256', kid: 'rs-1' }) },
  ],
  key_type_mismatch: [
    {
      name: 'HS256 signed with the RSA public key PEM as secret, naming the RSA kid',
      token: async () => sign(good(), rsaPem, { alg: 'HS256', kid: 'rs-1' }),
    },
    {
      name: 'HS256 signed with the RSA public key PEM, no kid, RSA default key',
      token: async () => sign(good(), rsaPem, { alg: 'HS256' }),
      settings: () => ({ keys: [{ alg: 'RS256', publicKey: rsaPem }], issuer: ISS, audience: AUD }),
    },
    {
      name: 'ES256 against a config with only HMAC keys',
      token: async () => sign(good(), ec.privateKey, { alg: 'ES256', kid: 'hs-1' }),
      settings: () => ({ keys: [{ kid: 'hs-1', alg: 'HS256', secret }], issuer: ISS, audience: AUD }),
    },
  ],
  kid_unknown: [
    { name: 'a kid nobody configured', token: async () => sign(good(), secret, { alg: 'HS256', kid: 'hs-9' }) },
    { name: 'no kid while every key has one', token: async () => sign(good(), secret, { alg: 'HS256' }) },
  ],
  signature_invalid: [
    { name: 'signed with another secret', token: async () => sign(good(), await randomSecret(), { alg: 'HS256', kid: 'hs-1' }) },
    {
      name: 'payload swapped after signing',
      token: async () => {
        const [header, , signature] = (await hs(good())).split('.');
        return `${header}.${encodeJson(good({ email: 'mallory@example.com' }))}.${signature}`;
      },
    },
    {
      name: 'attacker key embedded in a jwk header (EmbeddedJWK is never used)',
      token: async () => sign(good(), attacker.privateKey, { alg: 'ES256', jwk: await exportJWK(attacker.publicKey) }),
      settings: () => ({ keys: [{ alg: 'ES256', jwk: { ...(jwkOf.ec as object) } }], issuer: ISS, audience: AUD }),
    },
    {
      name: 'attacker JWKS named in a jku header (never fetched)',
      token: async () => {
        server.serve({ keys: [{ ...(await exportJWK(attacker.publicKey)), alg: 'ES256' }] });
        return sign(good(), attacker.privateKey, { alg: 'ES256', jku: server.url, x5u: server.url });
      },
      settings: () => ({ keys: [{ alg: 'ES256', jwk: { ...(jwkOf.ec as object) } }], issuer: ISS, audience: AUD }),
    },
  ],
  expired: [{ name: 'exp past the tolerance', token: async () => hs(good({ iat: NOW_S - 300, exp: NOW_S - 6 })) }],
  not_yet_valid: [{ name: 'nbf a minute ahead', token: async () => hs(good({ nbf: NOW_S + 60 })) }],
  issued_in_future: [{ name: 'iat beyond the tolerance', token: async () => hs(good({ iat: NOW_S + 6, exp: NOW_S + 600 })) }],
  too_old: [{ name: 'iat older than maxTokenAge, exp still ahead', token: async () => hs(good({ iat: NOW_S - 3606, exp: NOW_S + 600 })) }],
  issuer_invalid: [{ name: 'another issuer', token: async () => hs(good({ iss: 'https://evil.example' })) }],
  audience_invalid: [{ name: 'another audience', token: async () => hs(good({ aud: 'some-other-app' })) }],
  typ_invalid: [
    { name: 'typ JWT where user-identity+jwt is configured', token: async () => hs(good(), { typ: 'JWT' }), settings: () => ({ ...settings, typ: 'user-identity+jwt' }) },
    { name: 'no typ where one is configured', token: async () => hs(good()), settings: () => ({ ...settings, typ: 'user-identity+jwt' }) },
  ],
  claim_missing: [
    { name: 'no exp', token: async () => hs(good({ exp: undefined })) },
    { name: 'no iat', token: async () => hs(good({ iat: undefined })) },
    { name: 'no iss while an issuer is configured', token: async () => hs(good({ iss: undefined })) },
    { name: 'no sub while requiredClaims lists it', token: async () => hs(good()), settings: () => ({ ...settings, requiredClaims: ['sub'] }) },
  ],
  claims_invalid: [
    { name: 'sub is a number', token: async () => hs(good({ sub: 123 })) },
    { name: 'email is a number', token: async () => hs(good({ email: 5 })) },
    { name: 'email is not an address', token: async () => hs(good({ email: 'jane.doe-at-example' })) },
    { name: 'phone_number is not a number', token: async () => hs(good({ phone_number: '12' })) },
    { name: 'name has a newline', token: async () => hs(good({ name: 'Jane\nDoe' })) },
    { name: 'exp is a string', token: async () => hs(good({ exp: 'tomorrow' })) },
  ],
  identity_missing: [
    { name: 'no email nor phone', token: async () => hs(good({ email: undefined })) },
    { name: 'email only where identity is phone', token: async () => hs(good()), settings: () => ({ ...settings, identity: 'phone' }) },
  ],
  jwks_unavailable: [
    {
      name: 'JWKS server refuses connections',
      token: async () => sign(good(), ec.privateKey, { alg: 'ES256', kid: 'ec-1' }),
      settings: () => ({ jwksUrl: closedUrl, issuer: ISS, audience: AUD }),
    },
  ],
};

/** Filled in beforeAll: settings factories run after it. */
const jwkOf: { ec?: unknown } = {};
let closedUrl = '';

beforeAll(async () => {
  jwkOf.ec = await exportJWK(ec.publicKey);
  const doomed = await startJwksServer();
  closedUrl = doomed.url;
  await doomed.close();
});

describe('every rejection reason has a crafted token', () => {
  it('covers the whole reason list', () => {
    expect(Object.keys(CASES).sort()).toEqual([...TOKEN_REJECTION_REASONS].sort());
  });

  for (const reason of TOKEN_REJECTION_REASONS) {
    for (const testCase of CASES[reason]) {
      it(`${reason}: ${testCase.name}`, async () => {
        const token = await testCase.token();
        const result = await verify(token, testCase.settings ? testCase.settings() : settings);
        expect(result).toMatchObject({ ok: false, reason });
        if (result.ok) return;
        expect(result.message.length).toBeGreaterThan(10);
        // Rejections are logged and shown to site developers: never a claim value.
        const serialised = JSON.stringify(result);
        expect(serialised).not.toContain(EMAIL);
        expect(serialised).not.toContain('jane.doe');
        expect(serialised).not.toContain(NAME);
        expect(serialised).not.toContain('mallory');
      });
    }
  }
});

describe('the jose traps these cases guard against are real', () => {
  it('jose alone accepts a 2 MB token, so the length cap is ours', async () => {
    const token = await hs(good({ padding: 'x'.repeat(2 * 1024 * 1024) }));
    await expect(jwtVerify(token, new TextEncoder().encode(secret), { currentDate: NOW })).resolves.toBeDefined();
  });

  it('jose alone accepts a token without exp and with a future iat', async () => {
    const token = await hs(good({ exp: undefined, iat: NOW_S + 86_400 }));
    await expect(jwtVerify(token, new TextEncoder().encode(secret), { currentDate: NOW })).resolves.toBeDefined();
  });

  it('jose alone accepts sub: 123, so claims are parsed with zod', async () => {
    const token = await hs(good({ sub: 123 }));
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { currentDate: NOW });
    expect(payload.sub).toBe(123);
  });

  it('jose alone accepts a trailing = and altered low bits in the signature', async () => {
    const token = await hs(good());
    const key = new TextEncoder().encode(secret);
    await expect(jwtVerify(`${token}=`, key, { currentDate: NOW })).resolves.toBeDefined();
    await expect(jwtVerify(`${token} `, key, { currentDate: NOW })).resolves.toBeDefined();
    const twin = lowBitsTwin(token);
    expect(twin).not.toBe(token);
    await expect(jwtVerify(twin, key, { currentDate: NOW })).resolves.toBeDefined();
  });

  it('the HS256-with-public-PEM token verifies with jose when the PEM bytes are handed over as a secret', async () => {
    const token = await sign(good(), rsaPem, { alg: 'HS256' });
    await expect(jwtVerify(token, new TextEncoder().encode(rsaPem), { currentDate: NOW })).resolves.toBeDefined();
  });

  it('the jku header was never fetched', async () => {
    const before = server.requests;
    const token = await sign(good(), attacker.privateKey, { alg: 'ES256', jku: server.url });
    const result = await verify(token, { keys: [{ alg: 'ES256', jwk: { ...(jwkOf.ec as object) } }], issuer: ISS, audience: AUD });
    expect(result.ok).toBe(false);
    expect(server.requests).toBe(before);
  });
});
