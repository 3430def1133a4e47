// Verification of a User Identity JWT against a widget's resolved keys, returning an identity or a reason.
import { errors, jwtVerify, type CryptoKey, type JWTVerifyOptions } from 'jose';
import type { TokenResult } from '../core/events.ts';
import { isHmacAlgorithm, isJwsAlgorithm, type JwsAlgorithm } from '../core/jws-algorithms.ts';
import { isValidKid } from '../core/jws-kid.ts';
import { ASYMMETRIC_ALGORITHMS, keyFamily } from './algorithms.ts';
import { decodeCompact } from './decode-compact.ts';
import { mapJoseError } from './map-jose-error.ts';
import { readIdentity } from './read-identity.ts';
import { createJwksSource, type JwksOptions, type JwksSource } from './remote-jwks.ts';
import type { ResolvedJwtSettings, ResolvedKey } from './resolve-keys.ts';
import { reject, type TokenRejection } from './token-rejection.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

/** What a verifier answers: the core's TokenResult, with the rejection narrowed to our reason codes (see TokenRejection). */
export type TokenVerification = Extract<TokenResult, { ok: true }> | TokenRejection;

export interface TokenVerifier {
  /** Never throws: every failure, including bugs and network errors, is a rejection (fail closed). */
  verify(token: string, now: Date): Promise<TokenVerification>;
}

export type TokenVerifierOptions = JwksOptions;

/** Candidate keys, each with the algorithms jose may accept for it (the key's own alg, or any public-key alg for a JWKS key). */
type Candidate = { key: CryptoKey; algorithms: readonly JwsAlgorithm[] };
/** `configured`: the keys are the widget's own (fixed for this verifier's life), not a JWKS document's (which may rotate). */
type KeySelection = { ok: true; candidates: Candidate[]; configured: boolean } | TokenRejection;

const fromConfig = (keys: readonly ResolvedKey[]): KeySelection => ({
  ok: true,
  candidates: keys.map((entry) => ({ key: entry.key, algorithms: [entry.alg] })),
  configured: true,
});

async function fromJwks(jwks: JwksSource, alg: JwsAlgorithm, kid: string | null): Promise<KeySelection> {
  const found = await jwks({ alg, kid });
  return found.ok ? { ok: true, candidates: found.keys.map((key) => ({ key, algorithms: ASYMMETRIC_ALGORITHMS })), configured: false } : found;
}

export function createTokenVerifier(resolved: ResolvedJwtSettings, opts: TokenVerifierOptions = {}): TokenVerifier {
  const jwks: JwksSource | null = resolved.jwksUrl ? createJwksSource(resolved.jwksUrl, resolved.jwksCacheSeconds, opts) : null;
  const configuredAlgorithms = new Set<JwsAlgorithm>([
    ...[...resolved.keysByKid.values()].map((entry) => entry.alg),
    ...resolved.defaultKeys.map((entry) => entry.alg),
    ...(jwks ? ASYMMETRIC_ALGORITHMS : []),
  ]);
  // A widget sends the same session token with every message: verifying it once spares an HMAC/RSA check per turn.
  const verified = new VerifiedTokenCache(resolved.maxTokenAgeSeconds);

  /** Another family is key confusion (HS256 against an RSA key); the same family with another alg is a policy refusal. */
  function refuseAlgorithm(alg: JwsAlgorithm, against: Iterable<JwsAlgorithm>): TokenRejection {
    const sameFamily = [...against].some((configured) => keyFamily(configured) === keyFamily(alg));
    return sameFamily ? reject('alg_not_allowed') : reject('key_type_mismatch');
  }

  /** The kid is a hint to pick among configured keys, never a way to bring a key of the token's choosing. */
  async function selectKeys(alg: JwsAlgorithm, kid: string | null): Promise<KeySelection> {
    if (kid !== null) {
      const entry = resolved.keysByKid.get(kid);
      if (entry) {
        if (keyFamily(entry.alg) !== keyFamily(alg)) {
          return reject('key_type_mismatch', 'The token alg is of a different key type than the key its kid names; sign with that key and its configured alg.');
        }
        if (entry.alg !== alg) return reject('alg_not_allowed', 'The token alg differs from the alg configured for its kid; sign with the configured alg.');
        return fromConfig([entry]);
      }
      if (jwks && !isHmacAlgorithm(alg)) return fromJwks(jwks, alg, kid);
      return reject('kid_unknown');
    }
    const exact = resolved.defaultKeys.filter((entry) => entry.alg === alg);
    if (exact.length > 0) return fromConfig(exact);
    if (jwks && !isHmacAlgorithm(alg)) return fromJwks(jwks, alg, null);
    if (resolved.defaultKeys.length > 0) return refuseAlgorithm(alg, resolved.defaultKeys.map((entry) => entry.alg));
    return reject('kid_unknown', 'The token has no kid header and every configured key has a kid; add the kid header of the signing key.');
  }

  async function verifyOrReject(token: string, now: Date): Promise<TokenVerification> {
    if (typeof token !== 'string') return reject('malformed', 'The token must be a string; send the compact JWT.');
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      return reject('signature_invalid', 'The verification clock is invalid; pass a valid Date as now.');
    }
    const cached = verified.get(token, now);
    if (cached) return { ok: true, identity: cached };
    // Length first, so a 2 MB token costs one comparison, not a base64 decode.
    if (token.length > resolved.maxTokenBytes || Buffer.byteLength(token, 'utf8') > resolved.maxTokenBytes) {
      return reject('oversized');
    }
    const decoded = decodeCompact(token);
    if (!decoded.ok) return decoded;
    const { header } = decoded;
    const alg = header.alg;
    if (typeof alg !== 'string' || alg === '') return reject('malformed', 'The token header has no alg; sign the token with a JWT library.');
    if (alg.trim().toLowerCase() === 'none') return reject('alg_none');
    if (decoded.signatureBytes === 0) return reject('malformed', 'The token has no signature; sign it with a configured key.');
    if (!isJwsAlgorithm(alg)) return reject('alg_not_allowed', 'The token alg is not one threadgate accepts; sign with a configured alg such as HS256, RS256 or ES256.');
    if (!configuredAlgorithms.has(alg)) return refuseAlgorithm(alg, configuredAlgorithms);
    if ('kid' in header && !isValidKid(header.kid)) {
      return reject('malformed', 'The token kid header must be 1-128 characters of A-Z a-z 0-9 . _ -; use the configured kid.');
    }
    const kid = typeof header.kid === 'string' ? header.kid : null;

    const selection = await selectKeys(alg, kid);
    if (!selection.ok) return selection;

    const shared: Omit<JWTVerifyOptions, 'algorithms'> = {
      issuer: resolved.issuer ? [...resolved.issuer] : undefined,
      audience: resolved.audience ? [...resolved.audience] : undefined,
      clockTolerance: resolved.clockToleranceSeconds,
      maxTokenAge: resolved.maxTokenAgeSeconds,
      requiredClaims: [...resolved.requiredClaims],
      typ: resolved.typ ?? undefined,
      currentDate: now,
    };
    for (const { key, algorithms } of selection.candidates) {
      let payload: unknown;
      try {
        // jose enforces the allow-list of the key itself, independently of the header checks above.
        ({ payload } = await jwtVerify(token, key, { ...shared, algorithms: [...algorithms] }));
      } catch (err) {
        // Only a signature mismatch means "try the next key"; a claim failure came from the right key.
        if (err instanceof errors.JWSSignatureVerificationFailed) continue;
        return mapJoseError(err);
      }
      const identity = readIdentity(payload, { kid, alg }, resolved.identity);
      if ('ok' in identity) return identity;
      if (selection.configured) verified.set(token, identity, now);
      return { ok: true, identity };
    }
    return reject('signature_invalid');
  }

  return {
    async verify(token, now) {
      try {
        return await verifyOrReject(token, now);
      } catch (err) {
        return mapJoseError(err);
      }
    },
  };
}
