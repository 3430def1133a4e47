// Config-time refusals: short, weak and missing secrets, broken keys, duplicate kids.
import { generateKeyPairSync } from 'node:crypto';
import { describe, it, expect, beforeAll } from 'vitest';
import { exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { resolveJwtSettings, weakSecretReason, type JwtSettingsInput } from '../../src/auth/index.ts';
import { ThreadgateError } from '../../src/core/errors.ts';
import { randomSecret } from './helpers.ts';

async function refusal(input: JwtSettingsInput, env: Record<string, string | undefined> = {}): Promise<ThreadgateError> {
  const err = await resolveJwtSettings(input, env).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ThreadgateError);
  return err as ThreadgateError;
}

let secret: string;
let rsaPem: string;
let rsaPrivatePem: string;
let ecJwk: Record<string, unknown>;

beforeAll(async () => {
  secret = await randomSecret();
  const rsa = await generateKeyPair('RS256', { extractable: true });
  rsaPem = await exportSPKI(rsa.publicKey);
  rsaPrivatePem = await exportPKCS8(rsa.privateKey);
  ecJwk = { ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey)) };
});

describe('resolveJwtSettings', () => {
  it('splits keys with a kid from default keys and fills defaults', async () => {
    const resolved = await resolveJwtSettings(
      {
        keys: [
          { kid: 'a', alg: 'HS256', secret: { env: 'A' } },
          { alg: 'RS256', publicKey: rsaPem },
          { alg: 'ES256', jwk: { ...ecJwk, kid: 'from-jwk' } },
        ],
        issuer: 'https://shop.example',
      },
      { A: secret },
    );
    expect([...resolved.keysByKid.keys()]).toEqual(['a', 'from-jwk']);
    expect(resolved.defaultKeys.map((key) => key.alg)).toEqual(['RS256']);
    expect(resolved).toMatchObject({ issuer: ['https://shop.example'], audience: null, maxTokenBytes: 4096, requiredClaims: ['exp', 'iat'] });
  });

  it('imports keys that cannot be exported (secrets stay in the key object)', async () => {
    const resolved = await resolveJwtSettings({ keys: [{ kid: 'a', alg: 'HS256', secret }] }, {});
    expect(resolved.keysByKid.get('a')?.key.extractable).toBe(false);
  });

  it('refuses a 1-byte secret and a 31-byte secret as too short, without echoing the secret', async () => {
    for (const short of ['x', 'Zq8#mW2!vR5^kP9@tL3&nB7*cF1(hJ4']) {
      expect(short.length).toBeLessThan(32);
      const err = await refusal({ keys: [{ alg: 'HS256', secret: short }] });
      expect(err.code).toBe(short === 'x' ? 'jwt_secret_weak' : 'jwt_secret_too_short');
      expect(err.message).not.toContain(short);
    }
  });

  it('requires secrets as long as the hash for HS384 and HS512 (RFC 7518)', async () => {
    const thirtyTwo = secret.slice(0, 32);
    expect((await refusal({ keys: [{ alg: 'HS512', secret: thirtyTwo }] })).code).toBe('jwt_secret_too_short');
    expect((await refusal({ keys: [{ alg: 'HS384', secret: thirtyTwo }] })).code).toBe('jwt_secret_too_short');
    await expect(resolveJwtSettings({ keys: [{ alg: 'HS256', secret: thirtyTwo }] }, {})).resolves.toBeDefined();
  });

  it.each([
    'secret',
    'changeme',
    'your-256-bit-secret',
    'a'.repeat(64),
    '0'.repeat(32),
    'changeme'.repeat(8),
    'abcabcabcabcabcabcabcabcabcabcabcabc',
    'abcdefghijklmnopqrstuvwxyzabcdefgh',
    '01234567890123456789012345678901234',
    'this-is-my-jwt-secret-please-changeme-later',
    'a-string-secret-at-least-256-bits-long',
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab',
    'Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3',
  ])('refuses the weak secret %j', async (weak) => {
    expect(weakSecretReason(new TextEncoder().encode(weak))).not.toBeNull();
    const err = await refusal({ keys: [{ alg: 'HS256', secret: { env: 'S' } }] }, { S: weak });
    expect(err.code).toBe('jwt_secret_weak');
  });

  it('does not call a random secret weak', () => {
    expect(weakSecretReason(new TextEncoder().encode(secret))).toBeNull();
  });

  it('refuses a missing or empty env variable with jwt_secret_missing, naming the variable', async () => {
    for (const env of [{}, { WIDGET_SECRET: '' }]) {
      const err = await refusal({ keys: [{ alg: 'HS256', secret: { env: 'WIDGET_SECRET' } }] }, env);
      expect(err.code).toBe('jwt_secret_missing');
      expect(err.message).toContain('WIDGET_SECRET');
    }
    expect((await refusal({ keys: [{ alg: 'RS256', publicKey: { env: 'PEM' } }] })).code).toBe('jwt_secret_missing');
  });

  it.each([
    ['garbage as publicKey', () => ({ keys: [{ alg: 'RS256', publicKey: 'not a pem' }] })],
    ['a truncated PEM', () => ({ keys: [{ alg: 'RS256', publicKey: rsaPem.slice(0, 120) + '\n-----END PUBLIC KEY-----' }] })],
    ['a private key PEM as publicKey', () => ({ keys: [{ alg: 'RS256', publicKey: rsaPrivatePem }] })],
    ['an RSA PEM under an ES256 alg', () => ({ keys: [{ alg: 'ES256', publicKey: rsaPem }] })],
    ['an EC jwk under an RS256 alg', () => ({ keys: [{ alg: 'RS256', jwk: ecJwk }] })],
    ['a jwk whose alg disagrees', () => ({ keys: [{ alg: 'ES384', jwk: { ...ecJwk, alg: 'ES256' } }] })],
    ['a jwk for encryption', () => ({ keys: [{ alg: 'ES256', jwk: { ...ecJwk, use: 'enc' } }] })],
    ['a jwk with a broken x', () => ({ keys: [{ alg: 'ES256', jwk: { ...ecJwk, x: 'AAAA' } }] })],
  ] as Array<[string, () => JwtSettingsInput]>)('refuses %s with jwt_key_invalid', async (_name, input) => {
    expect((await refusal(input())).code).toBe('jwt_key_invalid');
  });

  it('refuses RSA keys under 2048 bits', async () => {
    // jose refuses to generate such a key, so node:crypto makes one, as an old site setup would have.
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const err = await refusal({ keys: [{ alg: 'RS256', publicKey }] });
    expect(err.code).toBe('jwt_key_invalid');
    expect(err.message).toContain('1024');
  });

  it('refuses duplicate kids, including one given by jwk.kid', async () => {
    const other = await randomSecret();
    expect((await refusal({ keys: [{ kid: 'k', alg: 'HS256', secret }, { kid: 'k', alg: 'HS256', secret: other }] })).code).toBe('jwt_config_invalid');
    expect((await refusal({ keys: [{ kid: 'k', alg: 'HS256', secret }, { alg: 'ES256', jwk: { ...ecJwk, kid: 'k' } }] })).code).toBe('jwt_config_invalid');
  });

  it('refuses a kid that disagrees with jwk.kid', async () => {
    expect((await refusal({ keys: [{ kid: 'a', alg: 'ES256', jwk: { ...ecJwk, kid: 'b' } }] })).code).toBe('jwt_config_invalid');
  });

  it('refuses schema problems with jwt_config_invalid', async () => {
    expect((await refusal({ keys: [{ alg: 'HS256', secret, publicKey: rsaPem }] })).code).toBe('jwt_config_invalid');
  });
});
