// The public API of threadgate's User Identity JWT support.
// The settings schema and algorithm list live in the core (the widget schema embeds them); they stay part of this API.
export { JWS_ALGORITHMS, type JwsAlgorithm } from '../core/jws-algorithms.ts';
export {
  JwtSettingsSchema,
  JwtKeySchema,
  IDENTITY_REQUIREMENTS,
  isAllowedJwksUrl,
  type JwtSettings,
  type JwtSettingsInput,
  type JwtKeySettings,
  type IdentityRequirement,
} from '../core/jwt-settings.schema.ts';
export { parseJwtSettings } from './parse-jwt-settings.ts';
export { resolveJwtSettings, type ResolvedJwtSettings, type ResolvedKey, type EnvironmentVariables } from './resolve-keys.ts';
export { weakSecretReason } from './check-secret-strength.ts';
export { TOKEN_REJECTION_REASONS, REJECTION_MESSAGES, type TokenRejectionReason, type TokenRejection } from './token-rejection.ts';
export type { VerifiedIdentity, TokenResult } from '../core/events.ts';
export type { JwksOptions } from './remote-jwks.ts';
export { createTokenVerifier, type TokenVerification, type TokenVerifier, type TokenVerifierOptions } from './verify-token.ts';
export {
  signUserIdentity,
  type UserIdentityClaims,
  type UserIdentitySigningKey,
  type UserIdentitySignOptions,
} from './sign-user-identity.ts';
export {
  rotateKeyRing,
  pruneKeyRing,
  publicJwks,
  signingKey,
  parseKeyRing,
  KeyRingDataSchema,
  MAX_IDENTITY_TTL_SECONDS,
  DEFAULT_GRACE_SECONDS,
  MIN_GRACE_SECONDS,
  type KeyRingData,
  type KeyRingKey,
  type PublicEcJwk,
  type RotateKeyRingOptions,
} from './key-ring.ts';
export {
  createIdentityIssuer,
  type IdentityIssuer,
  type IdentityIssuerOptions,
  type IdentityToIssue,
  type IssuedIdentityToken,
} from './identity-issuer.ts';
export type { IdentityType } from './normalize-identity.ts';
