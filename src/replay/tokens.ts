// Turns a transcript's token spec into a compact JWT, signed for real at the transcript clock with the widget's key.
import { signUserIdentity, type JwtSettings } from '../auth/index.ts';
import type { TokenSpec } from './transcript.schema.ts';

const first = (v: string | readonly string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : (v as string | undefined));

/**
 * Defaults come from the widget's first key and its issuer/audience, so a plain `claims:` signs a token the
 * widget accepts; every field can be overridden to produce the token a broken website would send.
 */
export async function tokenFor(spec: TokenSpec, jwt: JwtSettings | null, secrets: Record<string, string>, now: Date): Promise<string> {
  if ('raw' in spec) return spec.raw;
  const key = jwt?.keys?.[0];
  const alg = spec.alg ?? key?.alg ?? 'HS256';
  const kid = spec.kid ?? key?.kid;
  // A secret names a variable of setup.secrets, or is itself the (forged) secret.
  let secret: string | undefined = spec.secret !== undefined ? (secrets[spec.secret] ?? spec.secret) : undefined;
  if (secret === undefined && key?.secret !== undefined) secret = typeof key.secret === 'string' ? key.secret : secrets[key.secret.env];
  if (secret === undefined) throw new Error(`cannot sign the token: the widget has no HMAC key and the token spec names no secret`);
  const issuer = spec.issuer ?? first(jwt?.issuer);
  const audience = spec.audience ?? first(jwt?.audience);
  return signUserIdentity(
    spec.claims,
    { alg, secret, ...(kid !== undefined ? { kid } : {}) },
    {
      now: new Date(now.getTime() + (spec.iatOffset ?? 0) * 1000),
      ...(spec.ttl !== undefined ? { expiresInSeconds: spec.ttl } : {}),
      ...(issuer !== undefined ? { issuer } : {}),
      ...(audience !== undefined ? { audience } : {}),
    },
  );
}
