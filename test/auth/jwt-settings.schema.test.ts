// The `jwt:` settings schema: defaults, strictness, and refusals with field paths.
import { describe, it, expect } from 'vitest';
import { JwtSettingsSchema, parseJwtSettings } from '../../src/auth/index.ts';
import { ThreadgateError } from '../../src/core/errors.ts';

const SECRET = { env: 'WIDGET_JWT_SECRET' };

function refusal(input: unknown): ThreadgateError {
  try {
    parseJwtSettings(input);
  } catch (err) {
    if (err instanceof ThreadgateError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('JwtSettingsSchema', () => {
  it('fills every default', () => {
    expect(JwtSettingsSchema.parse({ keys: [{ alg: 'HS256', secret: SECRET }] })).toEqual({
      keys: [{ alg: 'HS256', secret: SECRET }],
      jwksCacheSeconds: 600,
      clockToleranceSeconds: 5,
      maxTokenAgeSeconds: 3600,
      requiredClaims: ['exp', 'iat'],
      identity: 'email_or_phone',
      maxTokenBytes: 4096,
    });
  });

  it('always requires exp and iat, whatever requiredClaims lists, without duplicates', () => {
    expect(JwtSettingsSchema.parse({ jwksUrl: 'https://id.example/jwks.json', requiredClaims: ['sub', 'iat'] }).requiredClaims).toEqual(['exp', 'iat', 'sub']);
    expect(JwtSettingsSchema.parse({ jwksUrl: 'https://id.example/jwks.json', requiredClaims: [] }).requiredClaims).toEqual(['exp', 'iat']);
  });

  it('parsing is idempotent, so resolve can re-validate parsed settings', () => {
    const once = JwtSettingsSchema.parse({ keys: [{ kid: 'a', alg: 'RS256', publicKey: { env: 'PEM' } }], issuer: ['a', 'b'], audience: 'x', typ: 'JWT' });
    expect(JwtSettingsSchema.parse(once)).toEqual(once);
  });

  it('accepts https JWKS URLs and http only on loopback', () => {
    for (const url of ['https://id.example/.well-known/jwks.json', 'http://localhost:8080/jwks', 'http://127.0.0.1:1234/jwks']) {
      expect(JwtSettingsSchema.safeParse({ jwksUrl: url }).success).toBe(true);
    }
    for (const url of ['http://id.example/jwks', 'ftp://id.example/jwks', 'https://user:pw@id.example/jwks', 'not a url', 'http://127.0.0.2/jwks']) {
      expect(JwtSettingsSchema.safeParse({ jwksUrl: url }).success, url).toBe(false);
    }
  });

  it.each([
    ['no keys nor jwksUrl', {}],
    ['an empty key list and no jwksUrl', { keys: [] }],
    ['an unknown top-level field', { keys: [{ alg: 'HS256', secret: SECRET }], leeway: 5 }],
    ['an unknown key field', { keys: [{ alg: 'HS256', secret: SECRET, use: 'sig' }] }],
    ['an unknown field in an env reference', { keys: [{ alg: 'HS256', secret: { env: 'X', default: 'y' } }] }],
    ['alg none', { keys: [{ alg: 'none', secret: SECRET }] }],
    ['a secret and a publicKey together', { keys: [{ alg: 'HS256', secret: SECRET, publicKey: 'pem' }] }],
    ['a key with no material', { keys: [{ alg: 'ES256' }] }],
    ['an HMAC alg with a publicKey', { keys: [{ alg: 'HS256', publicKey: 'pem' }] }],
    ['an RSA alg with a secret', { keys: [{ alg: 'RS256', secret: SECRET }] }],
    ['a jwk holding a private d', { keys: [{ alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' } }] }],
    ['a jwk without kty', { keys: [{ alg: 'ES256', jwk: { crv: 'P-256' } }] }],
    ['a kid with a slash', { keys: [{ kid: 'a/b', alg: 'HS256', secret: SECRET }] }],
    ['clock tolerance over 300', { keys: [{ alg: 'HS256', secret: SECRET }], clockToleranceSeconds: 301 }],
    ['a fractional max age', { keys: [{ alg: 'HS256', secret: SECRET }], maxTokenAgeSeconds: 1.5 }],
    ['an unknown identity mode', { keys: [{ alg: 'HS256', secret: SECRET }], identity: 'sub' }],
    ['an empty issuer list', { keys: [{ alg: 'HS256', secret: SECRET }], issuer: [] }],
  ])('refuses %s with jwt_config_invalid', (_name, input) => {
    expect(refusal(input).code).toBe('jwt_config_invalid');
  });

  it('reports every problem with its field path', () => {
    const err = refusal({ keys: [{ alg: 'HS256', secret: SECRET, extra: 1 }], clockToleranceSeconds: 999 });
    const fields = err.issues.map((issue) => issue.field);
    expect(fields).toContain('clockToleranceSeconds');
    expect(err.issues.length).toBeGreaterThanOrEqual(2);
    expect(err.issues.every((issue) => issue.code === 'jwt_config_invalid')).toBe(true);
  });
});
