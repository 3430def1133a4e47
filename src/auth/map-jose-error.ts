// Translation of whatever jose throws during jwtVerify into a stable rejection reason (fail closed).
import { errors } from 'jose';
import { reject, type TokenRejection } from './token-rejection.ts';

/** Claim names are safe to echo (they are ours or the author's); claim values never are. */
const SAFE_CLAIM = /^[A-Za-z0-9_.:-]{1,64}$/;
const DATE_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time']);

function claimMissing(claim: string): TokenRejection {
  return SAFE_CLAIM.test(claim)
    ? reject('claim_missing', `The token lacks the required "${claim}" claim; add it when signing.`)
    : reject('claim_missing');
}

/**
 * Maps an error from jwtVerify. Reads only `code`, `claim` and `reason`, never `err.payload` or `err.message`,
 * because those carry the whole claims set (emails, names). Unknown errors become `signature_invalid`:
 * anything we do not understand is untrusted.
 */
export function mapJoseError(err: unknown): TokenRejection {
  if (err instanceof errors.JWTExpired) {
    return err.claim === 'iat' ? reject('too_old') : reject('expired');
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return claimMissing(err.claim);
    if (err.reason === 'invalid') {
      if (!SAFE_CLAIM.test(err.claim)) return reject('claims_invalid');
      // Say the one type the claim takes: a date claim is a number of seconds, never a string.
      const wants = DATE_CLAIMS.has(err.claim) ? 'a NumericDate: a JSON number of seconds since 1970 (not a string)' : err.claim === 'aud' ? 'a string or an array of strings' : 'a string';
      return reject('claims_invalid', `The token "${err.claim}" claim has the wrong type; it must be ${wants}.`);
    }
    switch (err.claim) {
      case 'nbf':
        return reject('not_yet_valid');
      case 'iat':
        return reject('issued_in_future');
      case 'iss':
        return reject('issuer_invalid');
      case 'aud':
        return reject('audience_invalid');
      case 'typ':
        return reject('typ_invalid');
      default:
        return reject('claims_invalid');
    }
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return reject('signature_invalid');
  if (err instanceof errors.JOSEAlgNotAllowed) return reject('alg_not_allowed');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid || err instanceof errors.JOSENotSupported) {
    return reject('malformed', 'The token is not a valid JWT (payload must be a JSON object, crit headers are refused); sign it with a JWT library.');
  }
  // jose throws a plain TypeError when a key cannot serve the token's algorithm.
  if (err instanceof TypeError) return reject('key_type_mismatch');
  return reject('signature_invalid', 'The token could not be verified; sign it with a configured key.');
}
