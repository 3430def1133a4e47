// The website-side signing helper: the claims it writes, the keys it takes and what it refuses.
import { createPrivateKey } from 'node:crypto';
import { describe, it, expect, beforeAll } from 'vitest';
import { decodeJwt, decodeProtectedHeader, exportPKCS8, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { createTokenVerifier, resolveJwtSettings, signUserIdentity } from '../../src/auth/index.ts';
import { ThreadgateError } from '../../src/core/errors.ts';
import { EMAIL, NOW, NOW_S, randomSecret } from './helpers.ts';

let secret: string;
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let rsaPrivatePem: string;
let rsaPublicPem: string;

beforeAll(async () => {
  secret = await randomSecret();
  rsa = await generateKeyPair('RS256', { extractable: true });
  rsaPrivatePem = await exportPKCS8(rsa.privateKey);
  rsaPublicPem = await exportSPKI(rsa.publicKey);
});

async function failure(promise: Promise<unknown>): Promise<ThreadgateError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ThreadgateError);
  return err as ThreadgateError;
}

describe('signUserIdentity', () => {
  it('writes normalised identity claims, registered claims and the header', async () => {
    const token = await signUserIdentity(
      { email: ' Jane.Doe@Example.com', phone: '+1 415 555 2671', name: ' Jane Doe ', sub: 'user-42', plan: 'gold' },
      { alg: 'HS256', secret, kid: 'site-2030' },
      { issuer: 'https://shop.example', audience: 'threadgate', now: NOW, typ: 'user-identity+jwt', jti: 'j-1' },
    );
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', kid: 'site-2030', typ: 'user-identity+jwt' });
    expect(decodeJwt(token)).toEqual({
      email: EMAIL,
      phone_number: '+14155552671',
      name: 'Jane Doe',
      sub: 'user-42',
      plan: 'gold',
      iss: 'https://shop.example',
      aud: 'threadgate',
      iat: NOW_S,
      exp: NOW_S + 300,
      jti: 'j-1',
    });
  });

  it('defaults to a random jti and honours expiresInSeconds', async () => {
    const a = decodeJwt(await signUserIdentity({ email: EMAIL }, { alg: 'HS256', secret }, { now: NOW, expiresInSeconds: 60 }));
    const b = decodeJwt(await signUserIdentity({ email: EMAIL }, { alg: 'HS256', secret }, { now: NOW }));
    expect(a.exp).toBe(NOW_S + 60);
    expect(a.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.jti).not.toBe(b.jti);
  });

  it('signs with a PKCS8 PEM string, a CryptoKey and a node KeyObject, all verifiable by the widget', async () => {
    const verifier = createTokenVerifier(await resolveJwtSettings({ keys: [{ kid: 'r', alg: 'RS256', publicKey: rsaPublicPem }] }, {}));
    for (const privateKey of [rsaPrivatePem, rsa.privateKey, createPrivateKey(rsaPrivatePem)]) {
      const token = await signUserIdentity({ email: EMAIL }, { alg: 'RS256', privateKey, kid: 'r' }, { now: NOW });
      expect(await verifier.verify(token, NOW)).toMatchObject({ ok: true, identity: { email: EMAIL } });
    }
  });

  it('refuses weak, short and missing secrets', async () => {
    expect((await failure(signUserIdentity({ email: EMAIL }, { alg: 'HS256', secret: 'secret' }, { now: NOW }))).code).toBe('jwt_secret_weak');
    expect((await failure(signUserIdentity({ email: EMAIL }, { alg: 'HS256', secret: secret.slice(0, 20) }, { now: NOW }))).code).toBe('jwt_secret_too_short');
    expect((await failure(signUserIdentity({ email: EMAIL }, { alg: 'HS256' }, { now: NOW }))).code).toBe('jwt_secret_missing');
  });

  it('refuses keys that do not fit the algorithm', async () => {
    const ec = await generateKeyPair('ES256');
    expect((await failure(signUserIdentity({ email: EMAIL }, { alg: 'ES256', privateKey: rsa.privateKey }, { now: NOW }))).code).toBe('jwt_key_invalid');
    expect((await failure(signUserIdentity({ email: EMAIL }, { alg: 'ES256', privateKey: ec.publicKey }, { now: NOW }))).code).toBe('jwt_key_invalid');
    expect((await failure(signUserIdentity({ email: EMAIL }, { alg: 'RS256', privateKey: rsaPublicPem }, { now: NOW }))).code).toBe('jwt_key_invalid');
    expect((await failure(signUserIdentity({ email: EMAIL }, { alg: 'RS256', secret }, { now: NOW }))).code).toBe('jwt_config_invalid');
    expect((await failure(signUserIdentity({ email: EMAIL }, { alg: 'none', secret }, { now: NOW }))).code).toBe('jwt_config_invalid');
  });

  it('refuses identities the widget would refuse, without echoing the value', async () => {
    const key = { alg: 'HS256', secret };
    const bad = await failure(signUserIdentity({ email: 'jane.doe-at-example' }, key, { now: NOW }));
    expect(bad.code).toBe('identity_value_invalid');
    expect(bad.message).not.toContain('jane.doe');
    expect((await failure(signUserIdentity({ phone: '555-2671' }, key, { now: NOW }))).code).toBe('identity_value_invalid');
    expect((await failure(signUserIdentity({ name: 'Jane' }, key, { now: NOW }))).code).toBe('identity_value_invalid');
    expect((await failure(signUserIdentity({ email: EMAIL, exp: NOW_S + 999_999 }, key, { now: NOW }))).code).toBe('identity_value_invalid');
  });

  it('refuses out-of-range expiry and a bad clock', async () => {
    const key = { alg: 'HS256', secret };
    expect((await failure(signUserIdentity({ email: EMAIL }, key, { now: NOW, expiresInSeconds: 0 }))).code).toBe('jwt_config_invalid');
    expect((await failure(signUserIdentity({ email: EMAIL }, key, { now: NOW, expiresInSeconds: 86_401 }))).code).toBe('jwt_config_invalid');
    expect((await failure(signUserIdentity({ email: EMAIL }, key, { now: new Date('nope') }))).code).toBe('jwt_config_invalid');
  });
});
